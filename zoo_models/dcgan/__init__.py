"""DCGAN family: unconditional and class-conditional, any loss of the engine."""
from zoo_models.dcgan.discriminator import Discriminator
from zoo_models.dcgan.generator import Generator
from zoo_models.dcgan.presets import PRESETS
from zoo_models.dcgan.tutorial import TutorialGenerator

ARCHITECTURES = ("dcgan", "tutorial")


def build(image_shape, num_classes=None, latent_dim=100, width=64,
          spectral_norm=False, dropout=0.0, architecture="dcgan", dtype_policy=None):
    """Returns (generator, discriminator) for images of `image_shape`.

    `architecture="tutorial"` gives exactly the TF DCGAN tutorial's networks
    (`TutorialGenerator`; discriminator Conv 64 -> Conv 128, LeakyReLU 0.3,
    Dropout 0.3, Dense 1); it is unconditional and ignores `width` and
    `dropout`. `dtype_policy="mixed_bfloat16"` computes in bfloat16 with
    float32 weights and outputs (stored in the networks' configs).
    """
    if architecture == "tutorial":
        if num_classes is not None or spectral_norm:
            raise ValueError("architecture='tutorial' is the tutorial's unconditional "
                             "DCGAN: no num_classes or spectral_norm.")
        return (TutorialGenerator(image_shape, latent_dim=latent_dim, dtype_policy=dtype_policy,
                                  name="generator"),
                Discriminator(image_shape, width=64, dropout=0.3, negative_slope=0.3,
                              dtype_policy=dtype_policy, name="discriminator"))
    if architecture != "dcgan":
        raise ValueError(f"Unknown architecture {architecture!r}: use one of "
                         f"{', '.join(ARCHITECTURES)}.")
    return (Generator(image_shape, latent_dim=latent_dim, width=width,
                      num_classes=num_classes, dtype_policy=dtype_policy, name="generator"),
            Discriminator(image_shape, width=width, num_classes=num_classes,
                          spectral_norm=spectral_norm, dropout=dropout,
                          dtype_policy=dtype_policy, name="discriminator"))


__all__ = ["ARCHITECTURES", "Discriminator", "Generator", "PRESETS", "TutorialGenerator",
           "build"]
