"""R3GAN family (Huang et al. 2024, arXiv:2501.05441): the relativistic
pairing loss with R1 and R2 (`loss="rpgan"`) on a modernized ResNet
generator and discriminator; unconditional and class-conditional.
`tfgan-zoo train --family r3gan` uses the rpgan loss unless told otherwise."""
from tfgan_zoo import GAN
from tfgan_zoo.families import Option
from zoo_models.common.network import dtype_policy_option
from zoo_models.r3gan.networks import Discriminator, Generator, base_side
from zoo_models.r3gan.presets import PRESETS

TASK = "generation"
LOSS = "rpgan"  # `train`'s default for this family: RpGAN with R1 and R2 and its recipe
OPTIONS = (
    Option("latent_dim", int, 64, "size of z", rule="count"),
    Option("width", int, 128, "channels of the stages up to 16x16; each later stage has half "
                              "the channels of the one before", rule="count"),
    Option("blocks", int, 1, "residual blocks per stage", rule="count"),
    Option("group_size", int, 16, "channels per group of the grouped convolutions",
           rule="count"),
    Option("expansion", int, 2, "widening of the inverted bottlenecks", rule="count"),
    dtype_policy_option(),
)


def stage_widths(image_side, width):
    """Channels per stage, low to high resolution: `width` while the side is
    at most 16, halved at each doubling after that (28: 128, 128, 64;
    32: 128, 128, 128, 64; 64: 128, 128, 128, 64, 32)."""
    side = image_side
    sides = [side]
    while side % 2 == 0 and side // 2 >= 4:
        side //= 2
        sides.append(side)
    widths = [width]
    for side in reversed(sides[:-1]):
        widths.append(width if side <= 16 else max(widths[-1] // 2, 1))
    return tuple(widths)


def build_model(info, seed=0, latent_dim=64, width=128, blocks=1, group_size=16, expansion=2,
                dtype_policy=None):
    """An uncompiled `GAN` of a `Generator` and `Discriminator` for images of
    `info["image_shape"]` (class-conditional when `info["num_classes"]` is
    set), with `stage_widths` channels, `blocks` residual blocks per stage
    and cardinality (expanded channels) / `group_size`; the discriminator
    mirrors the generator, and its class projection has its last width."""
    image_shape, num_classes = info["image_shape"], info["num_classes"]
    widths = stage_widths(image_shape[0], width)
    base_side(image_shape, len(widths))  # a clear error for an unreachable size
    groups = []
    for channels in widths:
        if channels * expansion % group_size:
            raise ValueError(f"group_size {group_size} does not divide the {channels * expansion}"
                             f" expanded channels of a {channels}-channel stage: choose a "
                             "divisor (e.g. 16 or 8).")
        groups.append(channels * expansion // group_size)
    stages = dict(blocks=(blocks,) * len(widths), expansion=expansion, num_classes=num_classes,
                  dtype_policy=dtype_policy)
    generator = Generator(image_shape, latent_dim=latent_dim, widths=widths,
                          cardinalities=groups, embedding_dim=latent_dim, name="generator",
                          **stages)
    discriminator = Discriminator(image_shape, widths=widths[::-1], cardinalities=groups[::-1],
                                  embedding_dim=widths[0], name="discriminator", **stages)
    return GAN(generator, discriminator, seed=seed, name="r3gan_gan")


__all__ = ["Discriminator", "Generator", "LOSS", "OPTIONS", "PRESETS", "TASK", "build_model",
           "stage_widths"]
