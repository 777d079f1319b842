"""FastGAN family (Liu et al., ICLR 2021): the FastGAN-lite generator
(skip-layer excitation; `zoo_models.common.fastgan_lite`, shared with the
projected family) against FastGAN's discriminator, which learns features by
reconstructing the real images (`networks.Reconstruction`) instead of
borrowing a pretrained network's; hinge loss and DiffAugment by default,
unconditional and class-conditional.
"""
from tfgan_zoo import GAN
from tfgan_zoo.families import Option
from zoo_models.common.fastgan_lite import Generator, generator_options, stage_sides
from zoo_models.common.network import dtype_policy_option
from zoo_models.fastgan.networks import Discriminator

TASK = "generation"
LOSS = "hinge"  # FastGAN's (with a random margin there)
AUGMENT = "diffaugment"  # lightweight-gan's colour, translation and cutout
PRESETS = {}
OPTIONS = (
    *generator_options(),
    Option("d_width", int, 32, "discriminator channels at the image's side; doubled per "
                               "halving of the side", rule="count"),
    Option("recon_weight", float, 1.0, "weight of the discriminator's reconstruction loss",
           rule="weight"),
    dtype_policy_option(),
)


def build_model(info, seed=0, latent_dim=64, width=32, d_width=32, recon_weight=1.0,
                dtype_policy=None):
    """An uncompiled `GAN` of a FastGAN-lite `Generator` and FastGAN's
    `Discriminator` for images of `info["image_shape"]` (class-conditional
    when `info["num_classes"]` is set)."""
    image_shape, num_classes = info["image_shape"], info["num_classes"]
    stage_sides(image_shape[0])  # a clear error for a size G cannot make
    generator = Generator(image_shape, latent_dim=latent_dim, width=width,
                          num_classes=num_classes, dtype_policy=dtype_policy, name="generator")
    discriminator = Discriminator(image_shape, width=d_width, num_classes=num_classes,
                                  recon_weight=recon_weight, dtype_policy=dtype_policy,
                                  name="discriminator")
    return GAN(generator, discriminator, seed=seed, name="fastgan")


__all__ = ["AUGMENT", "Discriminator", "Generator", "LOSS", "OPTIONS", "PRESETS", "TASK",
           "build_model"]
