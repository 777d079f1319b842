"""pix2pix family: paired image-to-image translation (Isola et al. 2017)."""
from tfgan_zoo.image_to_image import Pix2Pix
from zoo_models.pix2pix.discriminator import PatchDiscriminator, receptive_field
from zoo_models.pix2pix.generator import UNet
from zoo_models.pix2pix.presets import PRESETS

PAIRED = True  # trains on tfgan_zoo.data.load_paired batches


def build(input_shape, target_shape=None, width=64, depth=None, num_down=None,
          dropout=0.5, dtype_policy=None):
    """Returns (generator, discriminator) translating `input_shape` images to
    `target_shape` ones (None: the same shape).

    The generator is a `UNet` of `depth` halvings (None: as deep as the side
    allows, at most 8) with `dropout` in its first decoder blocks (Keras
    Dropout: under a strategy each replica draws its own masks, so only
    `dropout=0` trains exactly as on one device); the discriminator a
    conditional BatchNorm `PatchDiscriminator` of `num_down` stride-2 blocks
    (None: a patch of 70/256 of the side) that takes `[inputs, images]`.
    """
    input_shape = tuple(int(s) for s in input_shape)
    target_shape = input_shape if target_shape is None else tuple(int(s) for s in target_shape)
    if target_shape[:2] != input_shape[:2]:
        raise ValueError(f"pix2pix translates between images of one size, got inputs "
                         f"{input_shape} and targets {target_shape}; resize one of them.")
    return (UNet(input_shape, out_channels=target_shape[-1], width=width, depth=depth,
                 dropout=dropout, dtype_policy=dtype_policy, name="generator"),
            PatchDiscriminator(input_shape, target_channels=target_shape[-1], width=width,
                               num_down=num_down, conditional=True, norm="batch",
                               dtype_policy=dtype_policy, name="discriminator"))


def build_model(info, l1_weight=100.0, seed=0, **options):
    """An uncompiled `Pix2Pix` for data described by `info` (from
    `tfgan_zoo.data.load_paired`); `options` go to `build`."""
    generator, discriminator = build(info["input_shape"], info["target_shape"], **options)
    return Pix2Pix(generator, discriminator, l1_weight=l1_weight, seed=seed, name="pix2pix")


__all__ = ["PAIRED", "PRESETS", "build_model", "PatchDiscriminator", "UNet", "build", "receptive_field"]
