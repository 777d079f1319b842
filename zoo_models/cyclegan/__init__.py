"""CycleGAN family: unpaired image-to-image translation (Zhu et al. 2017)."""
from tfgan_zoo.families import Option
from zoo_models.common.network import dtype_policy_option
from zoo_models.common.patch import PatchDiscriminator
from zoo_models.cyclegan.generator import ResnetGenerator
from zoo_models.cyclegan.layers import ReflectionPad2D
from zoo_models.cyclegan.model import CycleGAN
from zoo_models.cyclegan.presets import PRESETS

TASK = "unpaired_translation"
OPTIONS = (
    Option("width", int, 64, "channels of the first block of G and D", rule="count"),
    Option("num_blocks", int, 9, "residual blocks of each generator", rule="count"),
    Option("num_down", int, None, "stride-2 blocks of the PatchGANs (default: a patch of "
           "70/256 of the side)", rule="count"),
    Option("cycle_weight", float, 10.0, "weight of the cycle-consistency L1", rule="weight"),
    Option("identity_weight", float, 0.5, "weight of the identity L1, times cycle_weight",
           rule="weight"),
    Option("pool_size", int, 50, "generated images kept per domain for D (0: none)",
           rule="index"),
    dtype_policy_option(),
)


def build_model(info, seed=0, width=64, num_blocks=9, num_down=None, cycle_weight=10.0,
                identity_weight=0.5, pool_size=50, dtype_policy=None):
    """An uncompiled `CycleGAN` between domain A (`info["input_shape"]`) and
    domain B (`info["image_shape"]`).

    The generators are `ResnetGenerator`s with `num_blocks` residual blocks
    (two downsamplings, as the paper); the discriminators unconditional
    InstanceNorm `PatchDiscriminator`s of `num_down` stride-2 blocks.
    """
    shape_a, shape_b = tuple(info["input_shape"]), tuple(info["image_shape"])
    if shape_a[:2] != shape_b[:2]:
        raise ValueError(f"CycleGAN translates between images of one size, got {shape_a} "
                         f"and {shape_b}; resize one domain.")

    def generator(source, target, name):
        return ResnetGenerator(source, out_channels=target[-1], width=width,
                               num_blocks=num_blocks, dtype_policy=dtype_policy, name=name)

    def discriminator(shape, name):
        return PatchDiscriminator(shape, width=width, num_down=num_down, conditional=False,
                                  norm="instance", dtype_policy=dtype_policy, name=name)

    return CycleGAN(generator(shape_a, shape_b, "generator_ab"),
                    generator(shape_b, shape_a, "generator_ba"),
                    discriminator(shape_a, "discriminator_a"),
                    discriminator(shape_b, "discriminator_b"),
                    cycle_weight=cycle_weight, identity_weight=identity_weight,
                    pool_size=pool_size, seed=seed, name="cyclegan")


__all__ = ["CycleGAN", "OPTIONS", "PRESETS", "ReflectionPad2D", "ResnetGenerator", "TASK",
           "build_model"]
