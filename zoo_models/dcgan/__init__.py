"""DCGAN family: unconditional and class-conditional, any loss of the engine."""
from zoo_models.dcgan.discriminator import Discriminator
from zoo_models.dcgan.generator import Generator
from zoo_models.dcgan.presets import PRESETS


def build(image_shape, num_classes=None, latent_dim=100, width=64,
          spectral_norm=False, dropout=0.0):
    """Returns (generator, discriminator) for images of `image_shape`."""
    return (Generator(image_shape, latent_dim=latent_dim, width=width,
                      num_classes=num_classes, name="generator"),
            Discriminator(image_shape, width=width, num_classes=num_classes,
                          spectral_norm=spectral_norm, dropout=dropout,
                          name="discriminator"))


__all__ = ["Discriminator", "Generator", "PRESETS", "build"]
