"""tfgan-zoo: GANs for Keras 3 / TensorFlow that train with `fit` and serve."""
from tfgan_zoo import families, losses, metrics, presets
from tfgan_zoo.data import load as load_data
from tfgan_zoo.gan import GAN, LOSSES
from tfgan_zoo.presets import from_preset, list_presets
from tfgan_zoo.sampling import load, sample
from tfgan_zoo.training import finetune, train

# Register every installed family's network classes with Keras, so that
# `keras.models.load_model` reads their `.keras` files after `import tfgan_zoo`.
families.load_all()

__all__ = ["GAN", "LOSSES", "families", "finetune", "from_preset", "list_presets", "load",
           "load_data", "losses", "metrics", "presets", "sample", "train"]
