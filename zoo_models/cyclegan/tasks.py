"""The CycleGAN preset task, made from Fashion-MNIST: sneakers <-> ankle boots."""
from tfgan_zoo import data

SNEAKER, ANKLE_BOOT = 7, 9  # Fashion-MNIST class indices
KEYS = ["x_train", "y_train", "x_test", "y_test"]


def sneaker2boot(source="fashion_mnist", out=None):
    """Path of `sneaker2boot.npz` (default in `$TFGAN_ZOO_DATA`), built once.

    Domain A (`a_train` / `a_test`) is the Sneaker (class 7) images of
    `source` (an .npz with images and labels, such as Fashion-MNIST), domain B
    (`b_train` / `b_test`) the Ankle boot (class 9) ones: uint8 [N, 28, 28, 1].
    The two are unrelated images, unpaired: load it with
    `tfgan_zoo.data.load_unpaired(path, ...)`.
    """
    return data.derived_npz("sneaker2boot", source, KEYS, _build, out)


def _build(x_train, y_train, x_test, y_test):
    arrays = {}
    for split, x, y in (("train", x_train, y_train), ("test", x_test, y_test)):
        x = data.check_images(x)
        y = data.check_labels(y, len(x))
        arrays[f"a_{split}"], arrays[f"b_{split}"] = x[y == SNEAKER], x[y == ANKLE_BOOT]
    return arrays
