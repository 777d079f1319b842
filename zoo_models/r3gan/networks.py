"""R3GAN's generator and discriminator (Huang et al. 2024, arXiv:2501.05441):
a StyleGAN2-like layout stripped to ResNet stages of inverted-bottleneck
residual blocks with grouped convolutions, bilinear resampling, no
normalization, no mapping network and no output nonlinearity."""
import keras
from keras import ops

from zoo_models.common import network
from zoo_models.common.network import Network, generator_graph, layers_in
from zoo_models.r3gan.layers import ResidualBlock, Resample, conv, dense, msr


def base_side(image_shape, stages):
    """The side of the first stage: the image side halved `stages - 1` times."""
    height, width = image_shape[:2]
    if height != width or len(image_shape) != 3:
        raise ValueError(f"R3GAN needs square (height, width, channels) images, got "
                         f"{tuple(image_shape)}.")
    base = height // 2 ** (stages - 1)
    if not 2 <= base <= 8 or base * 2 ** (stages - 1) != height:
        raise ValueError(f"{stages} stages cannot reach {height}x{width} by doubling a grid of "
                         "side 2 to 8: use a side such as 28 (7, 14, 28: 3 stages), 32 (4 "
                         "stages) or 64 (5), with a width per stage.")
    return base


def _check_stages(widths, blocks, cardinalities):
    if not len(widths) == len(blocks) == len(cardinalities) or not widths:
        raise ValueError(f"widths, blocks and cardinalities need one entry per stage; got "
                         f"{len(widths)}, {len(blocks)} and {len(cardinalities)}.")
    return len(widths)


@keras.saving.register_keras_serializable(package="zoo_models.r3gan")
class GenerativeBasis(keras.layers.Layer):
    """z -> [N, side, side, channels]: a learned constant grid (N(0, 1) at
    init) scaled per channel by a bias-free linear map of z."""

    def __init__(self, side, channels, **kwargs):
        super().__init__(**kwargs)
        self.side, self.channels = side, channels

    def build(self, shape):
        self.kernel = self.add_weight(shape=(shape[-1], self.channels), name="kernel",
                                      initializer=msr(1.0, shape[-1]))
        self.constant = self.add_weight(shape=(self.side, self.side, self.channels),
                                        name="constant",
                                        initializer=keras.initializers.RandomNormal(stddev=1.0))

    def call(self, z):
        scale = ops.matmul(z, ops.cast(self.kernel, z.dtype))
        return ops.cast(self.constant, z.dtype)[None] * scale[:, None, None, :]

    def compute_output_shape(self, shape):
        return (shape[0], self.side, self.side, self.channels)

    def get_config(self):
        return {**super().get_config(), "side": self.side, "channels": self.channels}


@keras.saving.register_keras_serializable(package="zoo_models.r3gan")
class Generator(network.Generator):
    """z (and a class label) -> image; its values are not squashed into
    [-1, 1] (the paper's G has no tanh; samples are clipped when saved).

    Stage 0 is `GenerativeBasis` at the side `image side / 2^(stages - 1)`
    (4 for 32 and 64, 7 for 28); every later stage doubles it (a 1x1
    convolution first where the width changes, then `Resample("up")`);
    each stage has `blocks[s]` `ResidualBlock`s; a 1x1 convolution makes
    the image. With `num_classes` a bias-free label embedding is
    concatenated to z; the model then takes `[z, labels]`, labels as class
    ids [N] or class weights [N, num_classes] (`GAN.interpolate`).

    Args:
      image_shape: (height, width, channels) of the images made.
      latent_dim: size of z (the paper's 64).
      widths, blocks, cardinalities: per stage, from low to high resolution:
        channels, residual blocks, groups of the grouped convolution.
      expansion: of the inverted bottleneck (the paper's 2).
      kernel_size: of the grouped convolutions.
      num_classes: None for an unconditional generator.
      embedding_dim: size of the label embedding (conditional only).
      dtype_policy: e.g. "mixed_bfloat16" (None: the global policy); the
        output layer stays float32.
    """

    def __init__(self, image_shape=(28, 28, 1), latent_dim=64, widths=(128, 128, 64),
                 blocks=(1, 1, 1), cardinalities=(16, 16, 8), expansion=2, kernel_size=3,
                 num_classes=None, embedding_dim=64, dtype_policy=None, **kwargs):
        image_shape = tuple(int(s) for s in image_shape)
        widths, blocks, cardinalities = (tuple(int(v) for v in values)
                                         for values in (widths, blocks, cardinalities))
        stages = _check_stages(widths, blocks, cardinalities)
        side = base_side(image_shape, stages)

        with layers_in(dtype_policy):
            trunk = [GenerativeBasis(side, widths[0], name="basis")]
            for stage in range(stages):
                if stage:
                    if widths[stage] != widths[stage - 1]:
                        trunk.append(conv(widths[stage], 1, widths[stage - 1],
                                          name=f"stage{stage}_width"))
                    trunk.append(Resample("up", name=f"stage{stage}_up"))
                trunk += [ResidualBlock(widths[stage], cardinalities[stage], expansion,
                                        kernel_size, sum(blocks), name=f"stage{stage}_block{b}")
                          for b in range(blocks[stage])]
            trunk.append(conv(image_shape[-1], 1, widths[-1], dtype="float32",
                              name="to_image"))

            def run(x):
                for layer in trunk:
                    x = layer(x)
                return x

            inputs, images, walk = generator_graph(
                run, latent_dim, num_classes, embedding_dim,
                embeddings_initializer=msr(1.0, num_classes or 1))
        super().__init__(inputs=inputs, outputs=images, **kwargs)
        self.keep_config(image_shape=image_shape, latent_dim=latent_dim, widths=widths,
                         blocks=blocks, cardinalities=cardinalities, expansion=expansion,
                         kernel_size=kernel_size, num_classes=num_classes,
                         embedding_dim=embedding_dim, dtype_policy=dtype_policy)
        self.keep_walk(walk)


@keras.saving.register_keras_serializable(package="zoo_models.r3gan")
class Discriminator(Network):
    """image (and a class label) -> one logit per image [N, 1].

    A 1x1 convolution from the image, then per stage (high to low
    resolution) `blocks[s]` `ResidualBlock`s and, between stages,
    `Resample("down")` and a 1x1 convolution where the width changes; the
    last stage ends in a per-channel (depthwise) convolution over its whole
    grid and a bias-free dense layer. With `num_classes` that layer gives
    `embedding_dim` features whose dot product with the label's bias-free
    embedding is the logit (pure projection); the model then takes
    `[images, labels]`.

    Args:
      image_shape: (height, width, channels) of the images judged.
      widths, blocks, cardinalities: per stage, from high to low resolution
        (the generator's reversed).
      expansion, kernel_size: as the generator's.
      num_classes: None for an unconditional discriminator.
      embedding_dim: size of the projection (conditional only).
      dtype_policy: e.g. "mixed_bfloat16"; the logit stays float32.
    """

    def __init__(self, image_shape=(28, 28, 1), widths=(64, 128, 128), blocks=(1, 1, 1),
                 cardinalities=(8, 16, 16), expansion=2, kernel_size=3, num_classes=None,
                 embedding_dim=128, dtype_policy=None, **kwargs):
        image_shape = tuple(int(s) for s in image_shape)
        widths, blocks, cardinalities = (tuple(int(v) for v in values)
                                         for values in (widths, blocks, cardinalities))
        stages = _check_stages(widths, blocks, cardinalities)
        side = base_side(image_shape, stages)

        with layers_in(dtype_policy):
            images = keras.Input(image_shape, name="images")
            inputs = images
            x = conv(widths[0], 1, image_shape[-1], name="from_image")(images)
            for stage in range(stages):
                for b in range(blocks[stage]):
                    x = ResidualBlock(widths[stage], cardinalities[stage], expansion,
                                      kernel_size, sum(blocks),
                                      name=f"stage{stage}_block{b}")(x)
                if stage < stages - 1:
                    x = Resample("down", name=f"stage{stage}_down")(x)
                    if widths[stage + 1] != widths[stage]:
                        x = conv(widths[stage + 1], 1, widths[stage],
                                 name=f"stage{stage}_width")(x)
            x = keras.layers.DepthwiseConv2D(side, use_bias=False, name="basis",
                                             depthwise_initializer=msr(1.0, side * side))(x)
            x = keras.layers.Flatten(name="features")(x)
            outputs = 1 if num_classes is None else embedding_dim
            logits = dense(outputs, widths[-1], dtype="float32", name="logit")(x)
            if num_classes is not None:
                labels = keras.Input((), dtype="int32", name="labels")
                embedded = keras.layers.Embedding(
                    num_classes, embedding_dim, name="class_projection",
                    embeddings_initializer=msr(1.0, embedding_dim * num_classes))(labels)
                logits = keras.layers.Dot(axes=-1, name="projection")([logits, embedded])
                inputs = [images, labels]
        super().__init__(inputs=inputs, outputs=logits, **kwargs)
        self.keep_config(image_shape=image_shape, widths=widths, blocks=blocks,
                         cardinalities=cardinalities, expansion=expansion,
                         kernel_size=kernel_size, num_classes=num_classes,
                         embedding_dim=embedding_dim, dtype_policy=dtype_policy)
