"""Feature extractors: images in [-1, 1] -> (features, logits or None).

`inception` gives the field's standard FID features: the 2048-d pool3 of
the FID Inception-v3 (`metrics.inception`), so that FID and KID can sit
beside a paper's. It has no classifier head, so no Inception Score. Zoo
extractors (presets of families of task "extraction", or a `.keras` file of
one, e.g. a run of `tfgan-zoo train` on your own labelled data) give
features and logits comparable inside the zoo only.
"""
import hashlib
import os

import numpy as np
import tensorflow as tf

from tfgan_zoo import presets
from tfgan_zoo.images import input_shape, to_uint8

INCEPTION = "inception"
RESIZES = ("bilinear", "clean")
MIN_SIDE = 16  # smaller images carry too little for a 299x299 network to see


class Extractor:
    """Runs `model` (prepared images -> features, or [features, logits]) in
    batches of at most `batch_size`.

    `image_shape`: the only [H, W, C] it takes, or None for any size of 1 or
    3 channels. `prepare` (numpy [N, H, W, C] in [-1, 1] -> the model's
    input) runs before the model. `cache_key` names the extractor's exact
    features (weights and preprocessing), so that features of real images
    can be cached (see `evaluate`); None: never cached.
    """

    def __init__(self, name, model, image_shape=None, prepare=None, batch_size=500,
                 cache_key=None):
        self.name, self.image_shape, self.cache_key = name, image_shape, cache_key
        self._prepare, self._batch_size = prepare, batch_size
        self._run = tf.function(lambda x: model(x, training=False))

    def check(self, shape):
        """Raises if images of `shape` ([H, W, C]) cannot go through."""
        shape = tuple(int(s) for s in shape)
        if self.image_shape is not None and shape != self.image_shape:
            raise ValueError(f"Extractor {self.name} takes images of shape {self.image_shape}, "
                             f"got {shape}; pick an extractor for these images "
                             f"(--extractor {INCEPTION} takes any size).")
        if self.image_shape is None:
            if len(shape) != 3 or shape[-1] not in (1, 3):
                raise ValueError(f"Extractor {self.name} takes [H, W, 1 or 3] images (grey or "
                                 f"RGB), got {shape}: convert them to grey or RGB first.")
            if min(shape[:2]) < MIN_SIDE:
                raise ValueError(f"Extractor {self.name} takes images of at least "
                                 f"{MIN_SIDE}x{MIN_SIDE} pixels, got {shape[0]}x{shape[1]}: "
                                 "score them at a larger size.")

    def __call__(self, images, batch_size=500):
        """(features float32 [N, D], logits float32 [N, K] or None) of images in [-1, 1]."""
        images = np.asarray(images, np.float32)
        self.check(images.shape[1:])
        batch_size = min(batch_size, self._batch_size)
        features, logits = [], []
        for start in range(0, len(images), batch_size):
            batch = images[start:start + batch_size]
            out = self._run(tf.constant(batch if self._prepare is None
                                        else self._prepare(batch)))
            if isinstance(out, (list, tuple)):
                out, batch_logits = out
                logits.append(batch_logits.numpy())
            features.append(out.numpy())
        return np.concatenate(features), (np.concatenate(logits) if logits else None)


def available():
    return sorted([name for name, entry in presets.registry().items()
                   if entry["task"] == "extraction"] + [INCEPTION])


def default_for(data_source, channels=1):
    """The default extractor for images of `channels` from `data_source`:
    `inception` for colour; for grey images the extractor preset trained on
    the data set `data_source` names (`fashion_mnist`, or a file called
    fashion_mnist.npz, picks the one whose recipe trained on
    fashion_mnist.npz), else `inception`."""
    if channels == 3:
        return INCEPTION
    source = str(data_source)
    name = (source if source.startswith("tfds:")  # tfds:emoji/64: the whole name
            else os.path.basename(source.rstrip("/")).removesuffix(".npz"))
    for preset, entry in sorted(presets.registry().items()):
        trained_on = entry.get("recipe", {}).get("data", "")
        if entry["task"] == "extraction" and trained_on.removesuffix(".npz") == name:
            return preset
    return INCEPTION


def get(name, resize="bilinear"):
    """An `Extractor` by name: `inception`, an extractor preset (name or
    folder), or a `.keras` file of an extraction family's model.

    `resize` (inception only): how images reach 299x299; "bilinear" as
    TF-GAN and pytorch-fid do, or "clean" as clean-fid does (PIL bicubic,
    antialiased when shrinking). The resize changes FID: compare figures of
    one kind only.
    """
    if resize not in RESIZES:
        raise ValueError(f"Unknown resize {resize!r}: use one of {', '.join(RESIZES)}.")
    if name == INCEPTION:
        return _inception(resize)
    if resize != "bilinear":
        raise ValueError(f"--resize applies to --extractor {INCEPTION} only; {name} takes its "
                         "images at their own size.")
    if not os.path.exists(name) and name not in available():
        raise ValueError(f"Unknown extractor {name!r}. Available: {', '.join(available())}, "
                         "or a folder or .keras file of one.")
    model = presets.load(name)
    if not hasattr(model, "features_and_logits"):
        raise ValueError(f"{name} holds a {type(model).__name__}, not a feature extractor "
                         "(a model of a family of task extraction).")
    network = model.features_and_logits()
    # keyed by the weights: a classifier re-trained under the same name is a new key, and
    # re-scoring a fine-tuned GAN by the same classifier reuses the real images' features
    digest = hashlib.sha256()
    for weight in network.weights:
        digest.update(np.ascontiguousarray(weight.numpy()).tobytes())
    return Extractor(os.path.basename(os.path.normpath(name)), network,
                     image_shape=input_shape(model), cache_key=f"weights-{digest.hexdigest()}")


def inception_input(images, resize="bilinear"):
    """[N, H, W, 1 or 3] images in [-1, 1] -> the FID Inception's input
    [N, 299, 299, 3]: quantized to uint8 as saved samples are, grey
    replicated to RGB, resized to 299x299 (`get`'s `resize`), then scaled as
    (x - 128) / 128, the graph's own input scaling."""
    from tfgan_zoo.metrics import inception

    pixels = to_uint8(images).astype(np.float32)
    if pixels.shape[-1] == 1:
        pixels = np.repeat(pixels, 3, axis=-1)
    size = (inception.SIZE, inception.SIZE)
    if resize == "bilinear":  # half-pixel centres, no antialias: F.interpolate / tf.image.resize
        pixels = tf.image.resize(pixels, size, method="bilinear").numpy()
    else:
        from PIL import Image

        # clean-fid: each channel as a float image through PIL's bicubic filter
        pixels = np.stack([np.stack([np.asarray(Image.fromarray(image[..., c]).resize(
            size, resample=Image.BICUBIC)) for c in range(3)], axis=-1) for image in pixels])
        pixels = np.clip(pixels, 0, 255)
    return (pixels - 128.0) / 128.0


def _inception(resize):
    from tfgan_zoo.metrics import inception

    return Extractor(INCEPTION, inception.load_network(),
                     prepare=lambda images: inception_input(images, resize), batch_size=50,
                     cache_key=f"{INCEPTION}-{inception.SOURCE.sha256[:16]}-{resize}")
