"""`Translator`: the engine's base for image-to-image models trained with
`fit` (the families' paired and unpaired translators). Images are float32
in [-1, 1]."""
import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo import images as image_utils
from tfgan_zoo import losses
from tfgan_zoo.adversarial import AdversarialModel, per_example

# loss name -> (generator loss, discriminator loss) of the adversarial term
ADVERSARIAL_LOSSES = {
    "non_saturating": (losses.modified_generator_loss, losses.modified_discriminator_loss),
    "least_squares": (losses.least_squares_generator_loss,
                      losses.least_squares_discriminator_loss),
}


def per_example_l1(a, b):
    """Per-example mean absolute difference [batch]."""
    return per_example(tf.abs(tf.cast(a, tf.float32) - tf.cast(b, tf.float32)))


def check_shape(what, images, network):
    """Raises if `images` ([N, H, W, C]) do not fit `network`'s input."""
    want = image_utils.input_shape(network)
    got = tuple(images.shape[1:])
    if None not in got and got != want:
        raise ValueError(f"{what} has images of shape {got} but the network takes {want}: "
                         f"resize the data or build the networks for that shape.")


class Translator(AdversarialModel):
    """What translators share: `generator` maps inputs to outputs (what
    `translate` and export use), trackers (`self.trackers`, name -> Mean),
    `translate`, the two-image batches of `fit`.

    Subclasses set `PAIRED` (True: `(inputs, targets)` batches of
    `data.load_paired`; False: `(images_a, images_b)` of
    `data.load_unpaired`) and, if they also translate back, `reversible =
    True` with the B -> A network as `generator_ba`.
    """

    PAIRED = True
    reversible = False

    def translate(self, inputs, batch_size=64, reverse=False):
        """Translates images: uint8 [0, 255] or float in [-1, 1], [N, H, W, C]
        or one [H, W, C] image; returns float32 in [-1, 1] of the same rank.
        `reverse=True`: B -> A, for a reversible translator."""
        if reverse and not self.reversible:
            raise ValueError(f"A {type(self).__name__} translates one way: there is no "
                             "reverse (B -> A) generator.")
        generator = self.generator_ba if reverse else self.generator
        array = np.asarray(inputs)
        single = array.ndim == 3
        array = image_utils.to_float(array[None] if single else array)
        want = image_utils.input_shape(generator)
        if array.ndim != 4 or array.shape[1:] != want:
            raise ValueError(f"Cannot translate images of shape {tuple(np.shape(inputs))}: "
                             f"the generator takes [N, {', '.join(map(str, want))}] "
                             f"(or one {want} image).")
        out = [keras.ops.convert_to_numpy(generator(array[i:i + batch_size], training=False))
               for i in range(0, len(array), batch_size)]
        out = np.concatenate(out).astype(np.float32)
        return out[0] if single else out

    def pair(self, data):
        """The two image batches of a training batch (from `fit`,
        `train_on_batch` or `evaluate`), with a clear error for single image
        batches."""
        first, second, _ = keras.utils.unpack_x_y_sample_weight(data)
        if second is None:
            wants, loader = (("(inputs, targets)", "load_paired") if self.PAIRED
                             else ("(images_a, images_b)", "load_unpaired"))
            raise ValueError(f"{type(self).__name__} trains on {wants} batches of images in "
                             f"[-1, 1], got single image batches: load the data with "
                             f"tfgan_zoo.data.{loader}.")
        return tf.cast(first, tf.float32), tf.cast(second, tf.float32)

    @property
    def metrics(self):
        return list(self.trackers.values())

    def _track(self, **values):
        for name, value in values.items():
            self.trackers[name].update_state(value)
        return self._logs()

    def _adversarial(self, loss):
        if loss not in ADVERSARIAL_LOSSES:
            raise ValueError(f"Unknown loss {loss!r}: use one of "
                             f"{', '.join(ADVERSARIAL_LOSSES)}.")
        return ADVERSARIAL_LOSSES[loss]
