"""tfgan-zoo: GANs for Keras 3 / TensorFlow that train with `fit` and serve."""
from tfgan_zoo import augment, families, losses, metrics, presets, publishing
from tfgan_zoo.data import load_images
from tfgan_zoo.gan import GAN, LOSSES
from tfgan_zoo.presets import from_preset, list_presets, load
from tfgan_zoo.publishing import publish
from tfgan_zoo.sampling import interpolate, sample, translate
from tfgan_zoo.training import finetune, train
from tfgan_zoo.translator import Translator

# Register every installed family's Keras classes, so that `.keras` files and
# preset configs that use them load after `import tfgan_zoo`.
families.load_all()

__all__ = ["GAN", "LOSSES", "Translator", "augment", "families", "finetune", "from_preset",
           "interpolate", "list_presets", "load", "load_images", "losses", "metrics",
           "presets", "publish", "publishing", "sample", "train", "translate"]
