"""The licences of the data sets the zoo's presets train on, for their cards."""
FASHION_MNIST = "MIT (Zalando Research)"
MNIST = "CC BY-SA 3.0 (LeCun, Cortes, Burges); this copy: 8k train / 2k test images"
