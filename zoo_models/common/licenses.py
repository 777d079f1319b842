"""The licences of the data sets the zoo's presets train on, for their cards."""
FASHION_MNIST = "MIT (Zalando Research)"
MNIST = "CC BY-SA 3.0 (LeCun, Cortes, Burges); this copy: 8k train / 2k test images"
EMOJI = ("Noto Color Emoji images: SIL Open Font License 1.1 (Google, "
         "github.com/googlefonts/noto-emoji; Debian fonts-noto-color-emoji 2.042); labels "
         "from emoji-test.txt: Unicode License v3 (Debian unicode-data 15.0)")
