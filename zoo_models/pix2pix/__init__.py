"""pix2pix family: paired image-to-image translation (Isola et al. 2017)."""
from tfgan_zoo.families import Option
from zoo_models.common.network import dtype_policy_option
from zoo_models.common.patch import PatchDiscriminator
from zoo_models.pix2pix.generator import UNet
from zoo_models.pix2pix.model import Pix2Pix
from zoo_models.pix2pix.presets import PRESETS

TASK = "paired_translation"
OPTIONS = (
    Option("width", int, 64, "channels of the first block of G and D", rule="count"),
    Option("depth", int, None, "U-Net halvings (default: as deep as the side allows, "
           "at most 8)", rule="count"),
    Option("num_down", int, None, "stride-2 blocks of the PatchGAN (default: a patch of "
           "70/256 of the side)", rule="count"),
    Option("dropout", float, 0.5, "dropout in the first decoder blocks", rule="fraction"),
    Option("l1_weight", float, 100.0, "weight of the L1 term", rule="weight"),
    dtype_policy_option(),
)


def build_model(info, seed=0, width=64, depth=None, num_down=None, dropout=0.5,
                l1_weight=100.0, dtype_policy=None):
    """An uncompiled `Pix2Pix` translating `info["input_shape"]` images to
    `info["image_shape"]` ones.

    The generator is a `UNet` of `depth` halvings with `dropout` in its first
    decoder blocks (Keras Dropout: under a strategy each replica draws its
    own masks, so only `dropout=0` trains exactly as on one device); the
    discriminator a conditional BatchNorm `PatchDiscriminator` of `num_down`
    stride-2 blocks that takes `[inputs, images]`.
    """
    input_shape, target_shape = info["input_shape"], info["image_shape"]
    if tuple(target_shape[:2]) != tuple(input_shape[:2]):
        raise ValueError(f"pix2pix translates between images of one size, got inputs "
                         f"{tuple(input_shape)} and targets {tuple(target_shape)}; resize "
                         "one of them.")
    generator = UNet(input_shape, out_channels=target_shape[-1], width=width, depth=depth,
                     dropout=dropout, dtype_policy=dtype_policy, name="generator")
    discriminator = PatchDiscriminator(input_shape, target_channels=target_shape[-1],
                                       width=width, num_down=num_down, conditional=True,
                                       norm="batch", dtype_policy=dtype_policy,
                                       name="discriminator")
    return Pix2Pix(generator, discriminator, l1_weight=l1_weight, seed=seed, name="pix2pix")


__all__ = ["OPTIONS", "PRESETS", "Pix2Pix", "TASK", "UNet", "build_model"]
