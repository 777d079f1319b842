"""R3GAN's building blocks (Huang et al. 2024, arXiv:2501.05441, section 3;
their code: github.com/brownvc/R3GAN), in Keras, NHWC.

No normalization anywhere and no biases outside the activations. Weights
are drawn as in the paper's "MSR" initialization: a plain normal with
standard deviation gain / sqrt(fan_in), used as is (no equalized learning
rate); the last convolution of every residual block starts at zero
(fix-up), so each block starts as the identity.
"""
import math

import keras
from keras import ops

SLOPE = 0.2  # of every leaky ReLU
GAIN = math.sqrt(2.0 / (1.0 + SLOPE ** 2))  # the leaky ReLU's variance gain, for init only


def msr(gain, fan_in):
    """The initializer N(0, (gain / sqrt(fan_in))^2); zeros when gain is 0."""
    if gain == 0:
        return keras.initializers.Zeros()
    return keras.initializers.RandomNormal(stddev=gain / math.sqrt(fan_in))


def conv(filters, kernel_size, fan_in, gain=1.0, **kwargs):
    """A stride-1, "same", bias-free convolution with MSR initialization."""
    return keras.layers.Conv2D(filters, kernel_size, padding="same", use_bias=False,
                               kernel_initializer=msr(gain, fan_in), **kwargs)


@keras.saving.register_keras_serializable(package="zoo_models.r3gan")
class GroupedConv2D(keras.layers.Layer):
    """A bias-free, stride-1, "same" convolution in `groups` groups of
    channels, with the kernel layout of `Conv2D(groups=)` ([k, k, in /
    groups, filters], group i: input and output channels of block i),
    computed as one convolution per group: TensorFlow has no CPU gradient
    for grouped convolutions, and Keras' XLA fallback ran a tiny R3GAN step
    with R1 and R2 in 19 s here."""

    def __init__(self, filters, kernel_size, groups, kernel_initializer="glorot_uniform",
                 **kwargs):
        super().__init__(**kwargs)
        self.filters, self.kernel_size, self.groups = filters, kernel_size, groups
        self.kernel_initializer = keras.initializers.get(kernel_initializer)

    def build(self, shape):
        if shape[-1] % self.groups or self.filters % self.groups:
            raise ValueError(f"{self.groups} groups do not divide {shape[-1]} input and "
                             f"{self.filters} output channels.")
        self.kernel = self.add_weight(
            shape=(self.kernel_size, self.kernel_size, shape[-1] // self.groups, self.filters),
            initializer=self.kernel_initializer, name="kernel")

    def call(self, x):
        kernel = ops.cast(self.kernel, x.dtype)
        if self.groups == 1:
            return ops.conv(x, kernel, padding="same")
        return ops.concatenate([ops.conv(part, weights, padding="same") for part, weights in zip(
            ops.split(x, self.groups, axis=-1), ops.split(kernel, self.groups, axis=-1))],
            axis=-1)

    def compute_output_shape(self, shape):
        return (*shape[:-1], self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "groups": self.groups,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer)}


def dense(units, fan_in, gain=1.0, **kwargs):
    """A bias-free dense layer with MSR initialization."""
    return keras.layers.Dense(units, use_bias=False, kernel_initializer=msr(gain, fan_in),
                              **kwargs)


def _interleave(even, odd, axis):
    """[..., n, ...] twice -> [..., 2n, ...] alternating even, odd rows."""
    shape = ops.shape(even)
    stacked = ops.stack([even, odd], axis=axis + 1)
    new = [shape[i] for i in range(len(even.shape))]
    new[axis] = shape[axis] * 2
    return ops.reshape(stacked, new)


def _pad(x, axis):
    pads = [[0, 0]] * len(x.shape)
    pads[axis] = [1, 1]
    return ops.pad(x, pads)


def _take(x, axis, start, stop=None, step=1):
    index = [slice(None)] * len(x.shape)
    index[axis] = slice(start, stop, step)
    return x[tuple(index)]


def upsample_axis(x, axis):
    """Doubles one axis with the [1, 3, 3, 1] / 4 filter and zero borders:
    out[2i] = (x[i-1] + 3 x[i]) / 4, out[2i+1] = (3 x[i] + x[i+1]) / 4."""
    padded = _pad(x, axis)
    before, after = _take(padded, axis, 0, -2), _take(padded, axis, 2)
    return _interleave((before + 3.0 * x) / 4.0, (3.0 * x + after) / 4.0, axis)


def downsample_axis(x, axis):
    """Halves one (even) axis with the [1, 3, 3, 1] / 8 filter, stride 2 and
    zero borders: out[i] = (x[2i-1] + 3 x[2i] + 3 x[2i+1] + x[2i+2]) / 8."""
    n = x.shape[axis] // 2
    padded = _pad(x, axis)
    taps = [_take(padded, axis, k, k + 2 * n, 2) for k in range(4)]
    return (taps[0] + 3.0 * taps[1] + 3.0 * taps[2] + taps[3]) / 8.0


@keras.saving.register_keras_serializable(package="zoo_models.r3gan")
class Resample(keras.layers.Layer):
    """Bilinear x2 resampling of NHWC images, R3GAN's (the 4x4 separable
    [1, 3, 3, 1] filter, zero borders): `"up"` doubles, `"down"` halves the
    (even) sides. Linear, so second derivatives (R1, R2) pass through."""

    def __init__(self, direction, **kwargs):
        super().__init__(**kwargs)
        if direction not in ("up", "down"):
            raise ValueError(f"direction must be 'up' or 'down', got {direction!r}.")
        self.direction = direction

    def call(self, x):
        step = upsample_axis if self.direction == "up" else downsample_axis
        return step(step(x, 1), 2)

    def compute_output_shape(self, shape):
        scale = 2 if self.direction == "up" else 0.5
        return (shape[0],) + tuple(None if s is None else int(s * scale) for s in shape[1:3]) + (
            shape[3],)

    def get_config(self):
        return {**super().get_config(), "direction": self.direction}


@keras.saving.register_keras_serializable(package="zoo_models.r3gan")
class BiasedActivation(keras.layers.Layer):
    """leaky_relu(x + b, 0.2) with a per-channel bias b, starting at 0."""

    def build(self, shape):
        self.bias = self.add_weight(shape=(shape[-1],), initializer="zeros", name="bias")

    def call(self, x):
        return keras.activations.leaky_relu(x + ops.cast(self.bias, x.dtype), SLOPE)


@keras.saving.register_keras_serializable(package="zoo_models.r3gan")
class ResidualBlock(keras.layers.Layer):
    """x + conv1x1(act(grouped conv_k(act(conv1x1(x))))): an inverted
    bottleneck that widens `channels` by `expansion`, with `cardinality`
    groups in the middle convolution. `total_blocks` (L, all blocks of the
    network) scales the first two convolutions' init by GAIN * L^(-1/4)
    (fix-up with m = 3 layers per branch); the last starts at zero."""

    def __init__(self, channels, cardinality, expansion=2, kernel_size=3, total_blocks=1,
                 **kwargs):
        super().__init__(**kwargs)
        wide = channels * expansion
        if wide % cardinality:
            raise ValueError(f"cardinality {cardinality} does not divide the {wide} expanded "
                             f"channels ({channels} x {expansion}).")
        self.channels, self.cardinality, self.expansion = channels, cardinality, expansion
        self.kernel_size, self.total_blocks = kernel_size, total_blocks
        gain = GAIN * total_blocks ** -0.25
        self.expand = conv(wide, 1, channels, gain, name="expand")
        self.act1 = BiasedActivation(name="act1")
        self.grouped = GroupedConv2D(wide, kernel_size, cardinality, name="grouped",
                                     kernel_initializer=msr(
                                         gain, wide // cardinality * kernel_size ** 2))
        self.act2 = BiasedActivation(name="act2")
        self.project = conv(channels, 1, wide, 0.0, name="project")

    def build(self, shape):
        wide = (*shape[:-1], self.channels * self.expansion)
        for layer, input_shape in ((self.expand, shape), (self.act1, wide),
                                   (self.grouped, wide), (self.act2, wide),
                                   (self.project, wide)):
            layer.build(input_shape)

    def call(self, x):
        h = self.act1(self.expand(x))
        h = self.act2(self.grouped(h))
        return x + self.project(h)

    def get_config(self):
        return {**super().get_config(), "channels": self.channels,
                "cardinality": self.cardinality, "expansion": self.expansion,
                "kernel_size": self.kernel_size, "total_blocks": self.total_blocks}
