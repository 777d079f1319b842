"""Loading a trained GAN and writing its samples."""
import os

import keras

from tfgan_zoo import images, presets


def load(source):
    """A `GAN` from a `.keras` file, or from a preset (name, folder or URL)."""
    source = os.fspath(source)
    if os.path.isfile(source):
        return keras.models.load_model(source, compile=False)
    if os.path.isdir(source) or "://" in source or source in presets.registry():
        return presets.from_preset(source)
    if source.endswith(".keras"):
        raise FileNotFoundError(f"No model at {source!r}: give a .keras file written "
                                "by `tfgan-zoo train` (OUT/model.keras) or a preset name.")
    return presets.from_preset(source)  # an unknown name: lists close matches


def sample(model, out, num=64, seed=0, labels=None):
    """Writes `num` samples of `model` (a GAN, a .keras path or a preset) to `out`:
    a `.png` grid or a `.npy` uint8 array. Conditional GANs cycle through the
    classes (one grid column each) unless `labels` are given."""
    gan = load(model) if isinstance(model, (str, os.PathLike)) else model
    columns = None
    if gan.conditional and labels is None:
        labels, columns = gan.class_cycle(num), gan.num_classes
    images.save_samples(gan.generate(num, seed=seed, labels=labels), out, columns=columns)
