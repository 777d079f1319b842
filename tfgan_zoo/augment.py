"""Augmenting what the discriminator sees, for GANs trained on small data
sets: DiffAugment (Zhao et al. 2020, arXiv:2006.10738) and ADA (Karras et
al. 2020, arXiv:2006.06676), as Keras layers.

Without augmentation, D memorizes a small training set and training
collapses. Both methods transform every image D sees, real and generated,
in the D and the G steps, with differentiable operations, so that G is
trained through them and does not learn the augmentations.

`GAN.compile(augment=...)` takes `get`'s specs. In a GAN, a layer's random
draws come from the GAN's seed generator (`augment(images, draw)`), made for
the global batch and sliced per replica, so a step draws the same numbers on
one device and under a `tf.distribute` strategy, and a resumed run the same
as an uninterrupted one. On its own, `layer(images, training=True)` draws
from the layer's seed generator.

Images are in [-1, 1], NHWC, as everywhere in tfgan-zoo.
"""
import math

import keras
import numpy as np
import tensorflow as tf


class Augment(keras.layers.Layer):
    """Base of the augmentation layers: `augment(images, draw)` with draws
    from `draw(tail, fn)` -> fn((batch, *tail), seed=...), identity when
    not training, and (ADA) feedback from D's outputs on real images."""

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.built = True  # nothing depends on the input shape (fit checks this)

    def call(self, images, training=None):
        if not training:
            return images
        batch = tf.shape(images)[0]
        return self.augment(images, lambda tail, fn: fn((batch,) + tuple(tail),
                                                        seed=self.seed_generator))

    def feedback(self, sign_sum, count):
        """[(variable, new value)] after a D step whose outputs on `count`
        real images (the global batch) have signs summing to `sign_sum`."""
        return []

    def logs(self):
        return {}

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


def _uniform_int(u, low, high):
    """Integers in [low, high] (inclusive) from uniform draws u in [0, 1)."""
    low = tf.cast(low, tf.float32)
    return tf.floor(u * (tf.cast(high, tf.float32) - low + 1.0)) + low


def _image_size(images):
    shape = tf.shape(images)
    return shape[1], shape[2]


# ----------------------------------------------------------- DiffAugment ops
# The reference code's operations (github.com/mit-han-lab/data-efficient-gans,
# DiffAugment_tf.py), with the random magnitudes as arguments: `u` holds
# uniform draws in [0, 1) that each op maps as the reference does.
def brightness(x, u):
    """x + (u - 0.5), u [B, 1, 1, 1]: a shift in [-0.5, 0.5)."""
    return x + (u - 0.5)


def saturation(x, u):
    """Pixels' distance from their channel mean times 2u, u [B, 1, 1, 1]."""
    mean = tf.reduce_mean(x, axis=3, keepdims=True)
    return (x - mean) * (u * 2.0) + mean


def contrast(x, u):
    """Distance from the image's mean times u + 0.5, u [B, 1, 1, 1]."""
    mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
    return (x - mean) * (u + 0.5) + mean


def _shift(x, offsets, axis):
    """out[..., i, ...] = x[..., i + offset, ...] along `axis` (1 or 2), zero
    where that falls outside: the reference's pad-by-one-and-gather."""
    size = tf.shape(x)[axis]
    index = tf.range(size)[None, :] + tf.cast(offsets, tf.int32)[:, None]  # [B, size]
    inside = tf.cast((index >= 0) & (index < size), x.dtype)
    shifted = tf.gather(x, tf.clip_by_value(index, 0, size - 1), axis=axis, batch_dims=1)
    return shifted * (inside[:, :, None, None] if axis == 1 else inside[:, None, :, None])


def translation(x, u, ratio=0.125):
    """Shifts by integers in [-s, s] per axis, s = round(ratio * size), with
    zeros coming in; u [B, 2] (rows, columns)."""
    height, width = _image_size(x)
    out = x
    for axis, size in ((1, height), (2, width)):
        shift = tf.cast(tf.cast(size, tf.float32) * ratio + 0.5, tf.int32)
        out = _shift(out, _uniform_int(u[:, axis - 1], -shift, shift), axis)
    return out


def cutout(x, u, ratio=0.5):
    """Zeros a square of side c = round(ratio * size) per axis centred at an
    offset in [0, size + 1 - c % 2) (clipped at the borders); u [B, 2]."""
    height, width = _image_size(x)
    keep = []
    for axis, size in ((0, height), (1, width)):
        cut = tf.cast(tf.cast(size, tf.float32) * ratio + 0.5, tf.int32)
        offset = tf.cast(_uniform_int(u[:, axis], 0, size - cut % 2), tf.int32)
        start = offset - cut // 2
        index = tf.range(size)[None, :]
        keep.append((index >= start[:, None]) & (index < (start + cut)[:, None]))  # [B, size]
    square = tf.cast(keep[0][:, :, None] & keep[1][:, None, :], x.dtype)
    return x * (1.0 - square)[..., None]


DIFFAUGMENT_OPS = {  # policy word -> [(op, shape of its draws per image)]
    "color": [(brightness, (1, 1, 1)), (saturation, (1, 1, 1)), (contrast, (1, 1, 1))],
    "translation": [(translation, (2,))],
    "cutout": [(cutout, (2,))],
}
DEFAULT_POLICY = "color,translation,cutout"


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class DiffAugment(Augment):
    """Differentiable Augmentation (Zhao et al. 2020, arXiv:2006.10738).

    `policy`: comma-separated words of `DIFFAUGMENT_OPS`, applied in order
    (the paper's "color,translation,cutout" by default; it uses
    "translation,cutout" or "color,translation,cutout" depending on the
    data): color = brightness, saturation and contrast with the reference's
    ranges; translation by up to 1/8 of the side, zero-filled; cutout of a
    square half the side. Every image gets every op (no probability).
    """

    def __init__(self, policy=DEFAULT_POLICY, **kwargs):
        super().__init__(**kwargs)
        words = [word.strip() for word in policy.split(",")]
        unknown = [word for word in words if word not in DIFFAUGMENT_OPS]
        if unknown or not policy.strip():
            raise ValueError(f"Unknown DiffAugment policy {policy!r}: use comma-separated "
                             f"words of {', '.join(DIFFAUGMENT_OPS)} (e.g. {DEFAULT_POLICY!r}).")
        self.policy = ",".join(words)

    def augment(self, images, draw):
        for word in self.policy.split(","):
            for op, tail in DIFFAUGMENT_OPS[word]:
                images = op(images, draw(tail, keras.random.uniform))
        return images

    def get_config(self):
        return {**super().get_config(), "policy": self.policy}


# ------------------------------------------------------------------- ADA
# 3x3 (pixel) and 4x4 (colour) homogeneous matrices, batched [B, n, n].
def _matrix(rows):
    return tf.stack([tf.stack(row, axis=-1) for row in rows], axis=-2)


def _translate2d(tx, ty):
    one, zero = tf.ones_like(tx), tf.zeros_like(tx)
    return _matrix([[one, zero, tx], [zero, one, ty], [zero, zero, one]])


def _scale2d(sx, sy):
    zero = tf.zeros_like(sx)
    return _matrix([[sx, zero, zero], [zero, sy, zero], [zero, zero, tf.ones_like(sx)]])


def _rotate2d(theta):
    cos, sin, zero = tf.cos(theta), tf.sin(theta), tf.zeros_like(theta)
    return _matrix([[cos, -sin, zero], [sin, cos, zero], [zero, zero, tf.ones_like(theta)]])


# The luma axis v. A numpy constant: a tensor made at import would start TF's
# runtime, which MultiWorkerMirroredStrategy must configure first.
_LUMA = np.array([1.0, 1.0, 1.0, 0.0], np.float32) / np.float32(math.sqrt(3.0))


def _rotate3d(v, theta):
    """Rotation by theta around the unit axis v (Rodrigues)."""
    vx, vy, vz = v[0], v[1], v[2]
    sin, cos = tf.sin(theta), tf.cos(theta)
    cc, zero, one = 1.0 - cos, tf.zeros_like(theta), tf.ones_like(theta)
    return _matrix([
        [vx * vx * cc + cos, vx * vy * cc - vz * sin, vx * vz * cc + vy * sin, zero],
        [vy * vx * cc + vz * sin, vy * vy * cc + cos, vy * vz * cc - vx * sin, zero],
        [vz * vx * cc - vy * sin, vz * vy * cc + vx * sin, vz * vz * cc + cos, zero],
        [zero, zero, zero, one]])


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class AdaptiveAugment(Augment):
    """Adaptive discriminator augmentation (Karras et al. 2020,
    arXiv:2006.06676), the paper's "bgc" pipeline: pixel blitting (x-flip,
    90-degree rotations, integer translation), general geometric transforms
    (isotropic scaling, pre- and post-rotation, anisotropic scaling,
    fractional translation) and colour transforms (brightness, contrast,
    luma flip, hue rotation, saturation; hue and saturation for RGB only),
    each applied to an image with probability `p` and the paper's ranges.

    `p` adapts: every `interval` D steps, r_t = E[sign(D(real))] over those
    steps' images (in a GAN, the sign of its loss's logit on them:
    the loss's `ada_logit` in `tfgan_zoo.gan.LOSSES`); p moves by sign(r_t - target) * images /
    (speed_kimg * 1000), so that it could go from 0 to 1 in `speed_kimg`
    thousand images (the paper: target 0.6, interval 4, 500; 100 when
    fine-tuning a pretrained GAN). p starts at `initial_p` (the paper: 0)
    and is a weight of the layer: saved in checkpoints and restored on
    resume. It is clipped to [0, 1].

    The geometric transforms are composed into one matrix per image, as in
    the paper, and executed in one bilinear resampling with mirrored
    borders (`keras.ops.image.affine_transform`, fill "reflect", which
    repeats the edge pixel); the paper's code resamples at twice the
    resolution through a wavelet low-pass filter, which these 28-64 pixel
    images do without.
    """

    def __init__(self, target=0.6, speed_kimg=500.0, interval=4, initial_p=0.0, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 < target < 1.0:
            raise ValueError(f"target must be in (0, 1) (the paper: 0.6); got {target!r}.")
        if not speed_kimg > 0 or int(interval) < 1 or not 0.0 <= initial_p <= 1.0:
            raise ValueError("ADA needs speed_kimg > 0, interval >= 1 and initial_p in [0, 1].")
        self.target, self.speed_kimg = float(target), float(speed_kimg)
        self.interval, self.initial_p = int(interval), float(initial_p)
        self.p = self.add_weight(shape=(), initializer=keras.initializers.Constant(initial_p),
                                 trainable=False, name="p")
        self.sign_sum = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                        name="sign_sum")
        self.images = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                      name="images")
        self.steps = self.add_weight(shape=(), initializer="zeros", trainable=False,
                                     name="steps")

    # -------------------------------------------------------- the pipeline
    def augment(self, images, draw):
        channels = images.shape[-1]
        if channels not in (1, 3):
            raise ValueError(f"ADA augments RGB or grayscale images; these have {channels} "
                             "channels.")
        p = tf.convert_to_tensor(self.p)

        def maybe(values, identity):
            """values where a draw < p (one decision per image), else identity."""
            chosen = draw((1,) * (len(values.shape) - 1), keras.random.uniform) < p
            return tf.where(tf.reshape(chosen, [-1] + [1] * (len(values.shape) - 1)),
                            values, identity)

        images = self._geometric(images, draw, maybe, p)
        return self._colour(images, draw, maybe, channels)

    def _geometric(self, images, draw, maybe, p):
        height, width = _image_size(images)
        w, h = tf.cast(width, tf.float32), tf.cast(height, tf.float32)
        uniform, normal = keras.random.uniform, keras.random.normal

        def one_draw(fn):
            return draw((), fn)

        # g maps output pixel coordinates (around the centre) to input ones.
        flip = tf.floor(one_draw(uniform) * 2.0)
        flip = maybe(flip, tf.zeros_like(flip))
        g = _scale2d(1.0 - 2.0 * flip, tf.ones_like(flip))
        quarter = tf.floor(one_draw(uniform) * 4.0)
        quarter = maybe(quarter, tf.zeros_like(quarter))
        g = g @ _rotate2d(math.pi / 2.0 * quarter)
        shift = (draw((2,), uniform) * 2.0 - 1.0) * 0.125
        shift = maybe(shift, tf.zeros_like(shift))
        g = g @ _translate2d(-tf.round(shift[:, 0] * w), -tf.round(shift[:, 1] * h))
        scale = tf.pow(2.0, one_draw(normal) * 0.2)
        scale = maybe(scale, tf.ones_like(scale))
        g = g @ _scale2d(1.0 / scale, 1.0 / scale)
        p_rotate = 1.0 - tf.sqrt(tf.clip_by_value(1.0 - p, 0.0, 1.0))  # P(pre or post) = p


        def rotation():
            theta = (one_draw(uniform) * 2.0 - 1.0) * math.pi
            return _rotate2d(tf.where(one_draw(uniform) < p_rotate, theta, tf.zeros_like(theta)))

        g = g @ rotation()
        aniso = tf.pow(2.0, one_draw(normal) * 0.2)
        aniso = maybe(aniso, tf.ones_like(aniso))
        g = g @ _scale2d(1.0 / aniso, aniso)
        g = g @ rotation()
        frac = draw((2,), normal) * 0.125
        frac = maybe(frac, tf.zeros_like(frac))
        g = g @ _translate2d(-frac[:, 0] * w, -frac[:, 1] * h)

        # Around the centre ((W - 1) / 2, (H - 1) / 2) of pixel-index coordinates.
        ones = tf.ones_like(flip)
        centre = _translate2d((w - 1.0) / 2.0 * ones, (h - 1.0) / 2.0 * ones)
        uncentre = _translate2d(-(w - 1.0) / 2.0 * ones, -(h - 1.0) / 2.0 * ones)
        m = centre @ g @ uncentre
        transform = tf.concat([tf.reshape(m[:, :2, :], [-1, 6]),
                               tf.zeros_like(m[:, 0, :2])], axis=1)
        return keras.ops.image.affine_transform(images, transform, interpolation="bilinear",
                                                fill_mode="reflect")

    def _colour(self, images, draw, maybe, channels):
        uniform, normal = keras.random.uniform, keras.random.normal
        identity = tf.eye(4, batch_shape=[tf.shape(images)[0]])
        c = identity
        bright = draw((), normal) * 0.2
        bright = maybe(bright, tf.zeros_like(bright))
        c = _translate3d(bright) @ c
        contrast_ = tf.pow(2.0, draw((), normal) * 0.5)
        contrast_ = maybe(contrast_, tf.ones_like(contrast_))
        c = _scale3d(contrast_) @ c
        vv = tf.tensordot(_LUMA, _LUMA, axes=0)  # v v^T
        luma = tf.floor(draw((), uniform) * 2.0)
        luma = maybe(luma, tf.zeros_like(luma))
        c = (identity - 2.0 * vv * luma[:, None, None]) @ c  # Householder reflection
        if channels > 1:
            hue = (draw((), uniform) * 2.0 - 1.0) * math.pi
            hue = maybe(hue, tf.zeros_like(hue))
            c = _rotate3d(_LUMA, hue) @ c
            sat = tf.pow(2.0, draw((), normal) * 1.0)
            sat = maybe(sat, tf.ones_like(sat))
            c = (vv + (tf.eye(4) - vv) * sat[:, None, None]) @ c
        if channels == 3:
            return tf.einsum("bij,bhwj->bhwi", c[:, :3, :3], images) + c[:, None, None, :3, 3]
        # Grayscale: the mean of the RGB rows, applied to a gray (L, L, L) pixel.
        row = tf.reduce_mean(c[:, :3, :], axis=1)  # [B, 4]
        return images * tf.reduce_sum(row[:, :3], axis=1)[:, None, None, None] + \
            row[:, 3][:, None, None, None]

    # ------------------------------------------------------- adaptation
    def feedback(self, sign_sum, count):
        total = self.sign_sum + tf.cast(sign_sum, tf.float32)
        images = self.images + tf.cast(count, tf.float32)
        steps = self.steps + 1.0
        due = steps >= self.interval
        r_t = total / tf.maximum(images, 1.0)
        step = tf.sign(r_t - self.target) * images / (self.speed_kimg * 1000.0)
        p = tf.clip_by_value(self.p + step, 0.0, 1.0)
        zero = tf.zeros(())
        return [(self.p, tf.where(due, p, self.p)),
                (self.sign_sum, tf.where(due, zero, total)),
                (self.images, tf.where(due, zero, images)),
                (self.steps, tf.where(due, zero, steps))]

    def logs(self):
        return {"augment_p": tf.convert_to_tensor(self.p)}

    def get_config(self):
        return {**super().get_config(), "target": self.target, "speed_kimg": self.speed_kimg,
                "interval": self.interval, "initial_p": self.initial_p}


def _translate3d(b):
    zero, one = tf.zeros_like(b), tf.ones_like(b)
    return _matrix([[one, zero, zero, b], [zero, one, zero, b], [zero, zero, one, b],
                    [zero, zero, zero, one]])


def _scale3d(s):
    zero, one = tf.zeros_like(s), tf.ones_like(s)
    return _matrix([[s, zero, zero, zero], [zero, s, zero, zero], [zero, zero, s, zero],
                    [zero, zero, zero, one]])


# ------------------------------------------------------------------ specs
NAMES = ("none", "diffaugment", "ada")


def get(spec, finetuning=False):
    """An augmentation layer, or None, from a spec: None or "none"; "diffaugment"
    (the default policy) or a DiffAugment policy such as "translation,cutout";
    "ada" (speed 100 kimg when `finetuning`, as the paper fine-tunes, else
    500); a serialized layer (compile configs); or a layer."""
    if spec is None or isinstance(spec, Augment):
        return spec
    if isinstance(spec, dict):
        return keras.layers.deserialize(spec)
    if not isinstance(spec, str):
        raise ValueError(f"augment must be one of {', '.join(NAMES)}, a DiffAugment "
                         f"policy or an augmentation layer; got {spec!r}.")
    if spec == "none":
        return None
    if spec == "ada":
        return AdaptiveAugment(speed_kimg=100.0 if finetuning else 500.0)
    if spec == "diffaugment":
        return DiffAugment()
    if not set(spec.replace(" ", "").split(",")) <= set(DIFFAUGMENT_OPS):
        raise ValueError(f"Unknown augment {spec!r}: use {', '.join(NAMES)} or a DiffAugment "
                         f"policy of comma-separated {', '.join(DIFFAUGMENT_OPS)} "
                         f"(e.g. {DEFAULT_POLICY!r}).")
    return DiffAugment(spec)
