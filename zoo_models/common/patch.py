"""PatchGAN discriminator (Isola et al. 2017, arXiv:1611.07004), used by
pix2pix (conditional, BatchNorm) and CycleGAN (unconditional, InstanceNorm)."""
import keras

from zoo_models.common.network import Network, layers_in
from zoo_models.common.norms import NORMS, normalization


def receptive_field(num_down):
    """Side in pixels of the patch each output logit sees.

    The two stride-1 4x4 convolutions see 7 pixels; each stride-2 4x4 block
    before them maps r -> 2r + 2: 16, 34, 70 for num_down 1, 2, 3.
    """
    r = 7
    for _ in range(num_down):
        r = 2 * r + 2
    return r


def default_num_down(image_shape):
    """The fewest stride-2 blocks whose patch covers 70/256 of the longer side,
    pix2pix's ratio (a 70x70 patch on 256x256): 28 -> 1 (16 px), 256 -> 3 (70 px)."""
    target = max(image_shape[:2]) * 70 / 256
    num_down = 1
    while receptive_field(num_down) < target:
        num_down += 1
    return num_down


# Registered as "zoo_models.pix2pix>PatchDiscriminator", the name in the
# shipped presets' configs (it lived in the pix2pix family first).
@keras.saving.register_keras_serializable(package="zoo_models.pix2pix")
class PatchDiscriminator(Network):
    """(condition image and) image -> a map of logits, one per overlapping patch.

    `num_down` Conv2D 4x4 stride-2 blocks (the first without norm) doubling
    the channels from `width` (capped at 8 * width), one stride-1 Conv2D 4x4
    block with the channels doubled again (capped), then a stride-1 Conv2D
    4x4 to one channel; padding 'same', LeakyReLU(0.2), no bias before a
    norm. Each logit judges a square patch of `receptive_field` pixels
    (attribute): 70x70 with num_down=3 (pix2pix's 256x256 choice); the
    default scales it to the image, 16x16 for 28x28 or 32x32 images.

    Args:
      image_shape: (height, width, channels) of the condition image (with
        `conditional`) or of the judged image's side and default channels.
      target_channels: channels of the judged image (None: image_shape's).
      width: channels of the first block.
      num_down: stride-2 blocks (None: `default_num_down(image_shape)`).
      conditional: True (pix2pix): the model takes `[inputs, images]`,
        condition and judged image, concatenated on channels; False
        (CycleGAN): it takes `images` alone.
      norm: "batch" (BatchNormalization, synchronized across replicas;
        pix2pix) or "instance" (GroupNormalization with one group per
        channel; CycleGAN).
      dtype_policy: e.g. "mixed_bfloat16" (None: the global policy); the
        logits stay float32.
    """

    def __init__(self, image_shape=(28, 28, 1), target_channels=None, width=64, num_down=None,
                 conditional=True, norm="batch", dtype_policy=None, **kwargs):
        image_shape = tuple(int(s) for s in image_shape)
        if len(image_shape) != 3:
            raise ValueError(f"image_shape must be (height, width, channels), got {image_shape}.")
        if norm not in NORMS:
            raise ValueError(f"Unknown norm {norm!r}: use one of {', '.join(NORMS)}.")
        num_down = default_num_down(image_shape) if num_down is None else int(num_down)
        if num_down < 1:
            raise ValueError(f"num_down must be at least 1, got {num_down}.")
        target_channels = image_shape[-1] if target_channels is None else int(target_channels)
        target_shape = image_shape[:2] + (target_channels,)

        with layers_in(dtype_policy):
            images = keras.Input(target_shape, name="images")
            if conditional:
                condition = keras.Input(image_shape, name="inputs")
                inputs = [condition, images]
                x = keras.layers.Concatenate(name="pair")(inputs)
            else:
                inputs, x = images, images
            for i in range(num_down):
                x = keras.layers.Conv2D(min(width * 2 ** i, 8 * width), 4, strides=2,
                                        padding="same", use_bias=i == 0, name=f"down{i}")(x)
                if i > 0:
                    x = normalization(norm, f"down{i}_norm")(x)
                x = keras.layers.LeakyReLU(0.2, name=f"down{i}_act")(x)
            x = keras.layers.Conv2D(min(width * 2 ** num_down, 8 * width), 4, padding="same",
                                    use_bias=False, name="features")(x)
            x = normalization(norm, "features_norm")(x)
            x = keras.layers.LeakyReLU(0.2, name="features_act")(x)
            logits = keras.layers.Conv2D(1, 4, padding="same", dtype="float32",
                                         name="logits")(x)
        super().__init__(inputs=inputs, outputs=logits, **kwargs)
        self.keep_config(image_shape=image_shape, target_channels=target_channels, width=width,
                         num_down=num_down, conditional=conditional, norm=norm,
                         dtype_policy=dtype_policy)
        self.receptive_field = receptive_field(num_down)
