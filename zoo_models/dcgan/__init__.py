"""DCGAN family: unconditional and class-conditional, any loss of the engine."""
from tfgan_zoo import GAN
from tfgan_zoo.families import Option
from zoo_models.common.network import dtype_policy_option
from zoo_models.dcgan.discriminator import Discriminator
from zoo_models.dcgan.generator import Generator
from zoo_models.dcgan.presets import PRESETS
from zoo_models.dcgan.tutorial import TutorialGenerator

TASK = "generation"
ARCHITECTURES = ("dcgan", "tutorial")
OPTIONS = (
    Option("latent_dim", int, 100, "size of z", rule="count"),
    Option("width", int, 64, "channels of D's first and G's last block", rule="count"),
    Option("spectral_norm", bool, False, "spectral normalization in D"),
    Option("dropout", float, 0.0, "dropout rate in D", rule="fraction"),
    Option("architecture", str, "dcgan",
           "dcgan, or tutorial: the TF DCGAN tutorial's networks", choices=ARCHITECTURES),
    dtype_policy_option(),
)


def build_model(info, seed=0, latent_dim=100, width=64, spectral_norm=False, dropout=0.0,
                architecture="dcgan", dtype_policy=None):
    """An uncompiled `GAN` of a `Generator` and `Discriminator` for images of
    `info["image_shape"]`, class-conditional when `info["num_classes"]` is set.

    `architecture="tutorial"` gives exactly the TF DCGAN tutorial's networks
    (`TutorialGenerator`; discriminator Conv 64 -> Conv 128, LeakyReLU 0.3,
    Dropout 0.3, Dense 1); it is unconditional and ignores `width` and
    `dropout`. `dtype_policy="mixed_bfloat16"` computes in bfloat16 with
    float32 weights and outputs (stored in the networks' configs).
    """
    image_shape, num_classes = info["image_shape"], info["num_classes"]
    if architecture == "tutorial":
        if num_classes is not None or spectral_norm:
            raise ValueError("architecture='tutorial' is the tutorial's unconditional "
                             "DCGAN: no classes or spectral_norm.")
        generator = TutorialGenerator(image_shape, latent_dim=latent_dim,
                                      dtype_policy=dtype_policy, name="generator")
        discriminator = Discriminator(image_shape, width=64, dropout=0.3, negative_slope=0.3,
                                      dtype_policy=dtype_policy, name="discriminator")
    elif architecture == "dcgan":
        generator = Generator(image_shape, latent_dim=latent_dim, width=width,
                              num_classes=num_classes, dtype_policy=dtype_policy,
                              name="generator")
        discriminator = Discriminator(image_shape, width=width, num_classes=num_classes,
                                      spectral_norm=spectral_norm, dropout=dropout,
                                      dtype_policy=dtype_policy, name="discriminator")
    else:
        raise ValueError(f"Unknown architecture {architecture!r}: use one of "
                         f"{', '.join(ARCHITECTURES)}.")
    return GAN(generator, discriminator, seed=seed, name="dcgan_gan")


__all__ = ["ARCHITECTURES", "Discriminator", "Generator", "OPTIONS", "PRESETS", "TASK",
           "TutorialGenerator", "build_model"]
