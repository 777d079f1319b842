"""Loading a trained GAN and writing its samples."""
import os

import keras

from tfgan_zoo import images


def load(path):
    """Loads a `GAN` saved as `.keras` (families are registered on import)."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"No model at {path!r}: give a .keras file written "
                                "by `tfgan-zoo train` (OUT/model.keras).")
    return keras.models.load_model(path, compile=False)


def sample(model, out, num=64, seed=0, labels=None):
    """Writes `num` samples of `model` (a GAN or a .keras path) to `out`:
    a `.png` grid or a `.npy` uint8 array. Conditional GANs cycle through the
    classes (one grid column each) unless `labels` are given."""
    gan = load(model) if isinstance(model, (str, os.PathLike)) else model
    columns = None
    if gan.conditional and labels is None:
        labels = [i % gan.num_classes for i in range(num)]
        columns = gan.num_classes
    images.save_samples(gan.generate(num, seed=seed, labels=labels), out, columns=columns)
