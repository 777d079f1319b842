"""CycleGAN family: unpaired image-to-image translation (Zhu et al. 2017)."""
from tfgan_zoo.image_to_image import CycleGAN
from zoo_models.cyclegan.generator import ResnetGenerator
from zoo_models.cyclegan.layers import ReflectionPad2D
from zoo_models.cyclegan.presets import PRESETS
from zoo_models.pix2pix.discriminator import PatchDiscriminator

PAIRED = False  # trains on tfgan_zoo.data.load_unpaired batches


def build(shape_a, shape_b=None, width=64, num_blocks=9, num_down=None, dtype_policy=None):
    """Returns (generator_ab, generator_ba, discriminator_a, discriminator_b)
    for domains of images of `shape_a` and `shape_b` (None: the same shape).

    The generators are `ResnetGenerator`s with `num_blocks` residual blocks
    (two downsamplings, as the paper); the discriminators unconditional
    InstanceNorm `PatchDiscriminator`s of `num_down` stride-2 blocks (None:
    a patch of 70/256 of the side).
    """
    shape_a = tuple(int(s) for s in shape_a)
    shape_b = shape_a if shape_b is None else tuple(int(s) for s in shape_b)
    if shape_a[:2] != shape_b[:2]:
        raise ValueError(f"CycleGAN translates between images of one size, got {shape_a} "
                         f"and {shape_b}; resize one domain.")

    def generator(source, target, name):
        return ResnetGenerator(source, out_channels=target[-1], width=width,
                               num_blocks=num_blocks, dtype_policy=dtype_policy, name=name)

    def discriminator(shape, name):
        return PatchDiscriminator(shape, width=width, num_down=num_down, conditional=False,
                                  norm="instance", dtype_policy=dtype_policy, name=name)

    return (generator(shape_a, shape_b, "generator_ab"),
            generator(shape_b, shape_a, "generator_ba"),
            discriminator(shape_a, "discriminator_a"),
            discriminator(shape_b, "discriminator_b"))


def build_model(info, cycle_weight=10.0, identity_weight=0.5, pool_size=50, seed=0,
                **options):
    """An uncompiled `CycleGAN` for data described by `info` (from
    `tfgan_zoo.data.load_unpaired`); `options` go to `build`."""
    return CycleGAN(*build(info["shape_a"], info["shape_b"], **options),
                    cycle_weight=cycle_weight, identity_weight=identity_weight,
                    pool_size=pool_size, seed=seed, name="cyclegan")


__all__ = ["PAIRED", "PRESETS", "build_model", "PatchDiscriminator", "ReflectionPad2D", "ResnetGenerator", "build"]
