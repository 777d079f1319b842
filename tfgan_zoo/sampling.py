"""Loading a trained GAN or translator and writing its samples or translations."""
import os

import numpy as np
import tensorflow as tf

from tfgan_zoo import checks, images, presets
from tfgan_zoo.export import MAX_COUNT
from tfgan_zoo.gan import GAN
from tfgan_zoo.translator import Translator


MAX_PIXELS = 2**28  # values in one sample array: 1 GiB of float32


def sample(model, out, num=64, seed=0, labels=None, truncation=1.0):
    """Writes `num` samples of `model` (a GAN, a .keras path or a preset) to `out`:
    a `.png` grid or a `.npy` uint8 array. Conditional GANs cycle through the
    classes (one grid column each) unless `labels` are given: one label, or
    one per sample. `truncation` psi in (0, 1]: see `GAN.latents`."""
    checks.check_settings(num=num, seed=seed, truncation=truncation)
    gan = presets.load_as(model, (GAN,), "sample takes a GAN (translate: a translator)")
    most = MAX_PIXELS // int(np.prod(gan.image_shape))
    if num > most:
        raise ValueError(f"--num {num} is over {most:,}, the most images of "
                         f"{'x'.join(map(str, gan.image_shape))} that sample writes at once "
                         f"({MAX_PIXELS // 2**20:,} Mi values): run it several times with "
                         "other --seed values.")
    columns = None
    if gan.conditional and labels is None:
        labels, columns = gan.class_cycle(num), gan.num_classes
    images.save_samples(gan.generate(num, seed=seed, labels=labels, truncation=truncation),
                        out, columns=columns)


def interpolate(model, out, seeds=(0, 1), steps=8, labels=None, method="slerp",
                truncation=1.0):
    """Writes the latent walk `GAN.interpolate(*seeds, steps, ...)` of `model`
    (a GAN, a .keras path or a preset) to `out`: a `.png` strip (one row), a
    `.gif` that walks there and back, or a `.npy` uint8 array. `labels`:
    conditional GANs only, one class or two (to walk between classes)."""
    checks.check_settings(steps=steps, truncation=truncation)
    if steps > MAX_COUNT:
        raise ValueError(f"--steps {steps} is over {MAX_COUNT}, the most images of a walk (as "
                         "in the exported interpolate signature): use fewer steps.")
    if len(seeds) != 2:
        raise ValueError(f"A latent walk goes between two seeds; got {len(seeds)}.")
    for seed in seeds:
        checks.check("--seeds", seed, "seed")
    if os.path.splitext(out)[1].lower() not in (".png", ".gif", ".npy"):
        raise ValueError(f"Cannot write a latent walk to {out!r}: use strip.png, walk.gif "
                         "or walk.npy.")
    gan = presets.load_as(model, (GAN,), "interpolate takes a GAN")
    if gan.conditional and labels is None:
        raise ValueError(f"This GAN is conditional: give one class for the walk or two to "
                         f"walk between them, in [0, {gan.num_classes}).")
    walk = gan.interpolate(seeds[0], seeds[1], steps=steps, labels=labels, method=method,
                           truncation=truncation)
    if out.lower().endswith(".gif"):
        walk = np.concatenate([walk, walk[-2:0:-1]])  # there and back: a seamless loop
    images.save_samples(walk, out, columns=len(walk))


def read_image(path):
    """uint8 [H, W, C] pixels of a PNG, JPEG, GIF or BMP file, with clear errors."""
    try:
        data = tf.io.read_file(os.fspath(path))
        return tf.io.decode_image(data, expand_animations=False).numpy()
    except tf.errors.NotFoundError:
        raise FileNotFoundError(f"No image at {path!r}.") from None
    except tf.errors.InvalidArgumentError:
        raise ValueError(f"{path!r} does not decode as an image (PNG, JPEG, GIF or BMP): "
                         "is it a complete image file?") from None


def translate(model, inputs, out, reverse=False):
    """Translates the image files `inputs` by `model` (a translator, a .keras
    path or a preset) and writes `out`: one image's PNG, or for several a
    grid with inputs in the first row and translations in the second."""
    model = presets.load_as(model, (Translator,), "translate takes a translator (sample: a GAN)")
    pixels = [read_image(path) for path in ([inputs] if isinstance(inputs, (str, os.PathLike))
                                            else inputs)]
    shapes = {p.shape for p in pixels}
    if len(shapes) > 1:
        raise ValueError(f"The input images have different shapes {sorted(shapes)}.")
    batch = np.stack(pixels)
    made = model.translate(batch, reverse=reverse)
    if len(batch) == 1:
        images.save_samples(made, out, columns=1)
    else:
        images.save_samples(np.concatenate([images.to_float(batch), made]), out,
                            columns=len(batch))
