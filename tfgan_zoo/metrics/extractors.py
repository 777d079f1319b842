"""Feature extractors: images in [-1, 1] -> (features, logits).

Zoo extractors (presets of families of task "extraction", or a `.keras`
file of one, e.g. a run of `tfgan-zoo train` on your own labelled data)
give features comparable inside the zoo; `inception_v3` gives the standard
2048-d pool features and ImageNet logits of the FID/IS papers, from the
Keras InceptionV3 ImageNet weights file the user supplies.
"""
import os

import numpy as np
import tensorflow as tf

from tfgan_zoo import presets

INCEPTION = "inception_v3"


class Extractor:
    """Runs `model` (images -> [features, logits]) in batches."""

    def __init__(self, name, model, image_shape=None, resize_to=None):
        self.name = name
        self.image_shape = image_shape  # None: any size (resized)
        self._resize_to = resize_to
        self._run = tf.function(lambda x: model(self._prepare(x), training=False))

    def _prepare(self, images):
        if self._resize_to is None:
            return images
        if images.shape[-1] == 1:
            images = tf.image.grayscale_to_rgb(images)
        return tf.image.resize(images, self._resize_to)

    def check(self, shape):
        """Raises if images of `shape` ([H, W, C]) cannot go through."""
        shape = tuple(int(s) for s in shape)
        if self.image_shape is not None and shape != self.image_shape:
            raise ValueError(f"Extractor {self.name} takes images of shape {self.image_shape}, "
                             f"got {shape}; pick an extractor for these images "
                             f"(--extractor {INCEPTION} takes any size).")
        if self.image_shape is None and (len(shape) != 3 or shape[-1] not in (1, 3)):
            raise ValueError(f"Extractor {self.name} takes [H, W, 1 or 3] images, got {shape}.")

    def __call__(self, images, batch_size=500):
        """(features float32 [N, D], logits float32 [N, K]) of images in [-1, 1]."""
        images = np.asarray(images, np.float32)
        self.check(images.shape[1:])
        features, logits = [], []
        for start in range(0, len(images), batch_size):
            f, l = self._run(tf.constant(images[start:start + batch_size]))
            features.append(f.numpy())
            logits.append(l.numpy())
        return np.concatenate(features), np.concatenate(logits)


def available():
    return sorted([name for name, entry in presets.registry().items()
                   if entry["task"] == "extraction"] + [INCEPTION])


def default_for(data_source):
    """The extractor preset trained on the data set `data_source` names
    (`fashion_mnist`, or a file called fashion_mnist.npz, picks the one whose
    recipe trained on fashion_mnist.npz), or None."""
    source = str(data_source)
    name = (source if source.startswith("tfds:")  # tfds:emoji/64: the whole name
            else os.path.basename(source.rstrip("/")).removesuffix(".npz"))
    for preset, entry in sorted(presets.registry().items()):
        trained_on = entry.get("recipe", {}).get("data", "")
        if entry["task"] == "extraction" and trained_on.removesuffix(".npz") == name:
            return preset
    return None


def get(name, weights=None):
    """An `Extractor` by name: an extractor preset (name or folder), a
    `.keras` file of an extraction family's model, or `inception_v3`.

    `weights` is only for `inception_v3`: the path of Keras's
    `inception_v3_weights_tf_dim_ordering_tf_kernels.h5`, or "random" for an
    untrained network (for tests; its numbers mean nothing).
    """
    if name == INCEPTION:
        return _inception(weights)
    if not os.path.exists(name) and name not in available():
        raise ValueError(f"Unknown extractor {name!r}. Available: {', '.join(available())}, "
                         "or a folder or .keras file of one.")
    model = presets.load(name)
    if not hasattr(model, "features_and_logits"):
        raise ValueError(f"{name} holds a {type(model).__name__}, not a feature extractor "
                         "(a model of a family of task extraction).")
    return Extractor(os.path.basename(os.path.normpath(name)), model.features_and_logits(),
                     image_shape=tuple(model.inputs[0].shape[1:]))


def _inception(weights):
    import keras

    if weights is None:
        raise ValueError(
            f"{INCEPTION} needs the Keras ImageNet weights file "
            "(inception_v3_weights_tf_dim_ordering_tf_kernels.h5), which cannot be fetched "
            "offline: pass its path (--extractor-weights PATH).")
    net = keras.applications.InceptionV3(
        weights=None if weights == "random" else weights, include_top=True,
        classifier_activation=None)
    # The Keras InceptionV3 takes [-1, 1] inputs, as our images already are.
    model = keras.Model(net.inputs, [net.get_layer("avg_pool").output, net.output])
    return Extractor(INCEPTION, model, resize_to=(299, 299))
