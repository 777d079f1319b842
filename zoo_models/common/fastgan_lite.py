"""FastGAN-lite, the generator the projected and fastgan families share
(Liu et al., ICLR 2021: upsampling blocks with gated linear units and
skip-layer excitation; Sauer et al. 2021 use it in Projected GANs), and the
generator options both families offer."""
import keras
from keras import ops

from zoo_models.common import network
from zoo_models.common.network import generator_graph, layers_in


def stage_sides(side):
    """Sides from the first grid (3 to 8) to `side`, doubling: 64 -> 4 .. 64,
    28 -> 7, 14, 28."""
    sides = [side]
    while sides[0] % 2 == 0 and sides[0] // 2 >= 3 and sides[0] > 8:
        sides.insert(0, sides[0] // 2)
    if not 3 <= sides[0] <= 8 or len(sides) < 2:
        raise ValueError(f"FastGAN-lite makes square images whose side halves to a "
                         f"grid of 3 to 8 (e.g. 28, 32, 64), not {side}.")
    return sides


def _double(x):
    """Nearest-neighbour upsampling by 2, as tiles and reshapes whose sizes
    are all static but the batch (LiteRT's converter needs them), of at most
    5 dimensions (LiteRT's int8 kernels take no more)."""
    _, height, width, channels = x.shape
    x = ops.tile(ops.reshape(x, (-1, height, width, 1, channels)), (1, 1, 1, 2, 1))
    x = ops.reshape(x, (-1, height, 1, 2 * width, channels))
    return ops.reshape(ops.tile(x, (1, 1, 2, 1, 1)), (-1, 2 * height, 2 * width, channels))


def _glu(x):
    """FastGAN's gated linear unit over channels: a * sigmoid(b)."""
    a, b = ops.split(x, 2, axis=-1)
    return a * ops.sigmoid(b)


@keras.saving.register_keras_serializable(package="zoo_models.common")
class Generator(network.Generator):
    """z (and a class label) -> image in [-1, 1]: FastGAN-lite.

    A dense layer makes the first grid (side 3 to 8) with twice its
    channels, batch norm and a gated linear unit (GLU); each later stage
    doubles the side (nearest), convolves 3x3 to twice its channels, batch
    norm, GLU. Skip-layer excitation (SLE): the first grid gates the
    channels of the stage three doublings later, and the second grid those of
    the stage after that (FastGAN gates 128 and 256 px by 8 and 16 px; these
    images are smaller). Channels: `width` at the image's side, doubling per
    halving of the side up to 8 x `width`. A 3x3 convolution and tanh make
    the image. With `num_classes` the label's embedding is concatenated to
    z (class ids [N], or class weights [N, num_classes] for walks).
    """

    def __init__(self, image_shape=(64, 64, 3), latent_dim=64, width=32, num_classes=None,
                 embedding_dim=64, dtype_policy=None, **kwargs):
        image_shape = tuple(int(s) for s in image_shape)
        if image_shape[0] != image_shape[1]:
            raise ValueError(f"FastGAN-lite makes square images, not {image_shape}.")
        sides = stage_sides(image_shape[0])
        channels = [min(8 * width, width * 2 ** (len(sides) - 1 - i)) for i in range(len(sides))]
        with layers_in(dtype_policy):
            first = [keras.layers.Dense(sides[0] * sides[0] * channels[0] * 2, use_bias=False,
                                        name="initial"),
                     keras.layers.Reshape((sides[0], sides[0], channels[0] * 2)),
                     keras.layers.BatchNormalization(synchronized=True, name="initial_bn")]
            ups = [[_double,  # nearest; UpSampling2D loses the static height in LiteRT
                    keras.layers.Conv2D(channels[i] * 2, 3, padding="same", use_bias=False,
                                        name=f"up{s}_conv"),
                    keras.layers.BatchNormalization(synchronized=True, name=f"up{s}_bn")]
                   for i, s in enumerate(sides) if i]
            excite = {i + 3: _Excitation(channels[i + 3], name=f"sle{sides[i]}_{sides[i + 3]}")
                      for i in range(2) if i + 3 < len(sides)}
            to_image = keras.layers.Conv2D(image_shape[-1], 3, padding="same", dtype="float32",
                                           activation="tanh", name="to_image")

            def run(x):
                for layer in first:
                    x = layer(x)
                grids = [_glu(x)]
                for i, block in enumerate(ups, 1):
                    x = grids[-1]
                    for layer in block:
                        x = layer(x)
                    x = _glu(x)
                    if i in excite:
                        x = excite[i]([grids[i - 3], x])
                    grids.append(x)
                return to_image(grids[-1])

            inputs, images, walk = generator_graph(run, latent_dim, num_classes,
                                                   embedding_dim)
        super().__init__(inputs=inputs, outputs=images, **kwargs)
        self.keep_config(image_shape=image_shape, latent_dim=latent_dim, width=width,
                         num_classes=num_classes, embedding_dim=embedding_dim,
                         dtype_policy=dtype_policy)
        self.keep_walk(walk)


@keras.saving.register_keras_serializable(package="zoo_models.common")
class _Excitation(keras.layers.Layer):
    """FastGAN's skip-layer excitation: [small grid, big grid] -> the big grid
    with each channel gated by the small grid (average-pooled to 4x4, a 4x4
    convolution, swish, a 1x1 convolution, sigmoid)."""

    def __init__(self, channels, **kwargs):
        super().__init__(**kwargs)
        self.channels = channels
        self.squeeze = keras.layers.Conv2D(channels, 4, use_bias=False, name="squeeze")
        self.gate = keras.layers.Conv2D(channels, 1, use_bias=False, name="gate")

    def build(self, shapes):
        small = shapes[0]
        self.squeeze.build((small[0], 4, 4, small[-1]))
        self.gate.build((small[0], 1, 1, self.channels))

    def call(self, inputs):
        small, big = inputs
        side = small.shape[1]
        if side % 4 == 0 and side > 4:  # FastGAN's adaptive average pool to 4x4
            small = ops.average_pool(small, side // 4, side // 4)
        elif side != 4:  # a 7x7 grid (28 px images): no whole pooling window
            small = ops.image.resize(small, (4, 4), interpolation="bilinear")
        gate = ops.sigmoid(self.gate(ops.silu(self.squeeze(small))))
        return big * ops.cast(gate, big.dtype)

    def compute_output_shape(self, shapes):
        return shapes[1]

    def get_config(self):
        return {**super().get_config(), "channels": self.channels}


def generator_options():
    """The `Option`s of FastGAN-lite's `build_model` keywords `latent_dim` and `width`."""
    from tfgan_zoo.families import Option

    return (Option("latent_dim", int, 64, "size of z", rule="count"),
            Option("width", int, 32, "generator channels at the image's side; doubled per "
                                      "halving of the side, up to 8x", rule="count"))
