"""The licences of the data sets the zoo's presets train on, and what every card of a
preset trained on one of them says about its limits."""
FASHION_MNIST = "MIT (Zalando Research)"
MNIST = "CC BY-SA 3.0 (LeCun, Cortes, Burges); this copy: 8k train / 2k test images"
EMOJI = ("Noto Color Emoji images: SIL Open Font License 1.1 (Google, "
         "github.com/googlefonts/noto-emoji; Debian fonts-noto-color-emoji 2.042); labels "
         "from emoji-test.txt: Unicode License v3 (Debian unicode-data 15.0)")

# Every emoji preset's limits; {looks} is what its own grid shows.
EMOJI_LIMITS = (
    "Trained on the 3,274 training emoji of one font (Noto Color Emoji) on white: it draws "
    "that style only. {looks} Scored by KID with the zoo's emoji classifier (`metrics.json`): "
    "samples against the training emoji, beside the 381 held-out emoji (the floor) and "
    "those emoji blurred; FID is biased with so few held-out images.")
