"""pix2pix U-Net generator (Isola et al. 2017, arXiv:1611.07004)."""
import keras

from zoo_models.common.network import Network, layers_in

MAX_DEPTH = 8  # pix2pix's 256x256 U-Net halves eight times, down to 1x1


def valid_depths(image_shape):
    """The depths d <= 8 for which both sides of `image_shape` divide by 2**d."""
    height, width = image_shape[:2]
    return [d for d in range(1, MAX_DEPTH + 1)
            if height % 2 ** d == 0 and width % 2 ** d == 0]


def default_depth(image_shape):
    """The deepest valid U-Net: 28 -> 2 (7x7 bottleneck), 32 -> 5, 256 -> 8 (1x1)."""
    depths = valid_depths(image_shape)
    if not depths:
        raise ValueError(f"A U-Net needs even image sides, got {image_shape[0]}x"
                         f"{image_shape[1]}; crop or pad the images to e.g. 28x28 or 32x32.")
    return depths[-1]


@keras.saving.register_keras_serializable(package="zoo_models.pix2pix")
class UNet(Network):
    """image in [-1, 1] -> image in [-1, 1] of the same side (pix2pix's generator).

    Encoder: `depth` blocks Conv2D 4x4 stride 2 'same' -> BatchNorm (none on
    the first block) -> LeakyReLU(0.2), with width, 2w, 4w... channels capped
    at `max_width` (pix2pix's C64-C128-C256-C512-C512-C512-C512-C512).
    Bottleneck: one more Conv2D 4x4 at stride 1 with ReLU, an addition to the
    paper that widens the receptive field of the smallest grid (a 7x7 grid
    for 28x28 images, where pix2pix reaches 1x1); like the reference code's
    innermost layer it has no norm, which on a 1x1 grid would zero it.
    Decoder: the encoder mirrored, Conv2DTranspose 4x4 stride 2 -> BatchNorm
    -> Dropout(`dropout`) in the first min(3, depth - 1) blocks (the paper's
    only noise) -> ReLU, each concatenated with the encoder output of the same
    side (skip connections); then Conv2DTranspose 4x4 stride 2 to
    `out_channels` with tanh. The Dropout is Keras's: active in training
    only, where the paper keeps it at test time too.

    Args:
      image_shape: (height, width, channels) of the input images; both sides
        must divide by 2**depth.
      out_channels: channels of the output images (None: the input's).
      width: channels of the first encoder block.
      depth: stride-2 encoder blocks (None: the largest d <= 8 that divides
        both sides: 28 -> 2, 32 -> 5, 256 -> 8).
      max_width: cap on the channels of every block.
      dropout: rate in the first three decoder blocks (0: none).
      dtype_policy: e.g. "mixed_bfloat16" (None: the global policy); the
        output layer stays float32.

    BatchNorm is `synchronized`: under a tf.distribute strategy it normalizes
    with the statistics of the global batch, so a step on N replicas equals
    the step on one device; on one device it is plain BatchNorm.
    """

    def __init__(self, image_shape=(28, 28, 1), out_channels=None, width=64, depth=None,
                 max_width=512, dropout=0.5, dtype_policy=None, **kwargs):
        image_shape = tuple(int(s) for s in image_shape)
        if len(image_shape) != 3:
            raise ValueError(f"image_shape must be (height, width, channels), got {image_shape}.")
        if depth is None:
            depth = default_depth(image_shape)
        elif depth not in valid_depths(image_shape):
            raise ValueError(
                f"depth={depth} does not fit {image_shape[0]}x{image_shape[1]} images: both "
                f"sides must divide by 2**depth; valid depths: {valid_depths(image_shape)}.")
        out_channels = image_shape[-1] if out_channels is None else int(out_channels)
        channels = [min(width * 2 ** i, max_width) for i in range(depth)]

        with layers_in(dtype_policy):
            images = keras.Input(image_shape, name="images")
            x, skips = images, []
            for i, filters in enumerate(channels):
                x = keras.layers.Conv2D(filters, 4, strides=2, padding="same", use_bias=i == 0,
                                        name=f"down{i}")(x)
                if i > 0:
                    x = keras.layers.BatchNormalization(synchronized=True, name=f"down{i}_bn")(x)
                x = keras.layers.LeakyReLU(0.2, name=f"down{i}_act")(x)
                skips.append(x)
            x = keras.layers.Conv2D(channels[-1], 4, padding="same", activation="relu",
                                    name="bottleneck")(x)
            for j, i in enumerate(reversed(range(depth - 1))):
                x = keras.layers.Conv2DTranspose(channels[i], 4, strides=2, padding="same",
                                                 use_bias=False, name=f"up{i}")(x)
                x = keras.layers.BatchNormalization(synchronized=True, name=f"up{i}_bn")(x)
                if dropout and j < 3:
                    x = keras.layers.Dropout(dropout, name=f"up{i}_dropout")(x)
                x = keras.layers.ReLU(name=f"up{i}_act")(x)
                x = keras.layers.Concatenate(name=f"up{i}_skip")([x, skips[i]])
            outputs = keras.layers.Conv2DTranspose(
                out_channels, 4, strides=2, padding="same", activation="tanh",
                dtype="float32", name="to_image")(x)
        super().__init__(inputs=images, outputs=outputs, **kwargs)
        self.keep_config(image_shape=image_shape, out_channels=out_channels, width=width,
                         depth=depth, max_width=max_width, dropout=dropout,
                         dtype_policy=dtype_policy)
