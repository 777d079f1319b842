"""FastGAN's discriminator (Liu et al., ICLR 2021, "Towards Faster and
Stabilized GAN Training for High-fidelity Few-shot Image Synthesis"),
ported from the paper's `models.py` at the sizes a CPU affords: residual
down blocks, logits on an 8x8 grid, and two small decoders that reconstruct
the real image from the last grid and a quarter of it from the grid before.
The reconstruction is a self-supervised loss that keeps D learning features
of the whole image from few images; it reaches the engine as a Keras loss
(`add_loss`), which `GAN` adds to D's loss from its call on the real images.
"""
import keras
from keras import ops

from zoo_models.common import projection
from zoo_models.common.network import Network, layers_in


def _norm(name=None):
    """Batch norm synchronized across replicas (one device's numbers)."""
    return keras.layers.BatchNormalization(synchronized=True, name=name)


def _sn_conv(filters, kernel, strides=1, name=None):
    return keras.layers.SpectralNormalization(
        keras.layers.Conv2D(filters, kernel, strides, "same", use_bias=False), name=name)


def _down(x, filters, name):
    """FastGAN's DownBlockComp: (4x4 stride-2 conv, BN, LeakyReLU, 3x3 conv,
    BN, LeakyReLU) averaged with (2x2 average pool, 1x1 conv, BN, LeakyReLU)."""
    main = x
    for i, (kernel, strides) in enumerate(((4, 2), (3, 1))):
        main = _sn_conv(filters, kernel, strides, name=f"{name}_conv{i}")(main)
        main = _norm(name=f"{name}_bn{i}")(main)
        main = keras.layers.LeakyReLU(0.2)(main)
    direct = keras.layers.AveragePooling2D(2, name=f"{name}_pool")(x)
    direct = _sn_conv(filters, 1, name=f"{name}_direct")(direct)
    direct = _norm(name=f"{name}_direct_bn")(direct)
    direct = keras.layers.LeakyReLU(0.2)(direct)
    return keras.layers.Average(name=name)([main, direct])


@keras.saving.register_keras_serializable(package="zoo_models.fastgan")
class Decoder(keras.layers.Layer):
    """FastGAN's SimpleDecoder: two doublings (nearest, 3x3 conv to twice
    the channels, BN, GLU) and a 3x3 conv with tanh to an image 4x the grid."""

    def __init__(self, channels, image_channels, **kwargs):
        super().__init__(**kwargs)
        self.channels, self.image_channels = channels, image_channels
        self.ups = [[keras.layers.UpSampling2D(2),
                     keras.layers.Conv2D(2 * c, 3, padding="same", use_bias=False), _norm()]
                    for c in (channels, max(channels // 2, 8))]
        self.to_image = keras.layers.Conv2D(image_channels, 3, padding="same",
                                            activation="tanh", dtype="float32")

    def call(self, x, training=None):
        for up, conv, norm in self.ups:
            a, b = ops.split(norm(conv(up(x)), training=training), 2, axis=-1)
            x = a * ops.sigmoid(b)
        return self.to_image(x)

    def get_config(self):
        return {**super().get_config(), "channels": self.channels,
                "image_channels": self.image_channels}


@keras.saving.register_keras_serializable(package="zoo_models.fastgan")
class Reconstruction(keras.layers.Layer):
    """[logits, images, last grid, grid before] -> logits, unchanged; on the
    way it adds D's self-supervised loss: the mean squared error, in [0, 1]
    pixel units times `weight`, of the whole image decoded from the last grid
    and of one quarter decoded from that quarter of the grid before, against
    the image (and the quarter) resized to the decoders' side. Which quarter
    follows the example's place in the batch (0, 1, 2, 3, 0, ...): the same
    on one device as on replicas of a multiple of 4 examples, and a fresh
    draw each epoch as the data is shuffled (FastGAN draws it at random)."""

    def __init__(self, channels, image_channels, weight=1.0, **kwargs):
        super().__init__(**kwargs)
        self.channels, self.image_channels, self.weight = channels, image_channels, weight
        self.whole = Decoder(channels, image_channels, name="decode_whole")
        self.part = Decoder(channels, image_channels, name="decode_part")

    def call(self, inputs, training=None):
        logits, images, last, before = inputs
        images = ops.cast(images, "float32")
        whole = self.whole(last, training=training)
        quarter = ops.one_hot(ops.mod(ops.arange(ops.shape(images)[0]), 4), 4)
        part = self.part(_quarter(before, quarter), training=training)
        loss = 0.0
        for made, target in ((whole, images), (part, _quarter(images, quarter))):
            target = ops.image.resize(target, made.shape[1:3], interpolation="bilinear",
                                      antialias=True)
            loss += ops.mean(ops.square(made - target)) / 4  # [-1, 1] -> [0, 1] units
        self.add_loss(self.weight * loss)
        return logits

    def compute_output_shape(self, shapes):
        return shapes[0]

    def get_config(self):
        return {**super().get_config(), "channels": self.channels,
                "image_channels": self.image_channels, "weight": self.weight}


def _quarter(x, one_hot):
    """Each example's quarter of x [N, H, W, C] (H, W even) picked by
    one_hot [N, 4] (top left, top right, bottom left, bottom right)."""
    _, height, width, channels = x.shape
    quarters = ops.reshape(x, (-1, 2, height // 2, 2, width // 2, channels))
    quarters = ops.reshape(ops.transpose(quarters, (0, 1, 3, 2, 4, 5)),
                           (-1, 4, height // 2, width // 2, channels))
    return ops.einsum("nq,nqhwc->nhwc", ops.cast(one_hot, quarters.dtype), quarters)


@keras.saving.register_keras_serializable(package="zoo_models.fastgan")
class Discriminator(Network):
    """image (and a class label) -> logits [N, K] on the last grid.

    A 3x3 convolution to `width` channels at the image's side, then down
    blocks (`_down`) halving the side and doubling the channels until the
    side is 8 or less (64 px: 32, 16, 8); a 1x1 convolution, BN, LeakyReLU
    and a 4x4 convolution make a map of logits (8x8 -> 5x5). With
    `num_classes` the map has `cmap_dim` channels whose dot product with the
    label's embedding is the logit (projection). Every convolution but the
    decoders' is spectrally normalized, as in FastGAN. The decoders
    (`Reconstruction`) see the last grid and the one before it.
    """

    def __init__(self, image_shape=(64, 64, 3), width=32, num_classes=None, cmap_dim=64,
                 recon_weight=1.0, dtype_policy=None, **kwargs):
        image_shape = tuple(int(s) for s in image_shape)
        side = image_shape[0]
        if image_shape[0] != image_shape[1] or side < 16 or side % 4:
            raise ValueError(f"The fastgan family's discriminator takes square images of a "
                             f"side of at least 16 that 4 divides (e.g. 28, 32, 64), not "
                             f"{image_shape}.")
        with layers_in(dtype_policy):
            images = keras.Input(image_shape, name="images")
            x = keras.layers.LeakyReLU(0.2)(_sn_conv(width, 3, name="from_image")(images))
            grids, channels = [x], width
            while side > 8 and side % 2 == 0 and side // 2 >= 4:
                channels, side = min(channels * 2, 16 * width), side // 2
                grids.append(_down(grids[-1], channels, name=f"down{side}"))
            x = _sn_conv(channels, 1, name="logits_mix")(grids[-1])
            x = keras.layers.LeakyReLU(0.2)(_norm("logits_bn")(x))
            x = keras.layers.SpectralNormalization(keras.layers.Conv2D(
                1 if num_classes is None else cmap_dim, min(4, side), use_bias=False),
                name="logits_conv")(x)
            labels = None
            if num_classes is not None:
                labels = keras.Input((), dtype="int32", name="labels")
                x = projection.project(x, labels, num_classes, cmap_dim)
            logits = keras.layers.Flatten(name="flat", dtype="float32")(x)
            logits = Reconstruction(max(width, 16), image_shape[-1], recon_weight,
                                    name="reconstruction")([logits, images, grids[-1], grids[-2]])
        super().__init__(inputs=images if labels is None else [images, labels],
                         outputs=logits, **kwargs)
        self.keep_config(image_shape=image_shape, width=width, num_classes=num_classes,
                         cmap_dim=cmap_dim, recon_weight=recon_weight,
                         dtype_policy=dtype_policy)
