"""CycleGAN presets, each reproduced by `tfgan-zoo reproduce NAME`
from its `recipe` (the `task` builds the two domains from `data`)."""
import os

from zoo_models.common import licenses
from zoo_models.cyclegan.tasks import sneaker2boot

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "presets")

PRESETS = {
    "cyclegan_sneaker2boot": {
        "description": "CycleGAN, Fashion-MNIST sneakers (A) <-> ankle boots (B), unpaired, "
                       "28x28x1 (ResNet G, PatchGAN D; metrics in its card)",
        "path": os.path.join(HERE, "cyclegan_sneaker2boot"),
        "recipe": {
            "data": "fashion_mnist.npz", "task": sneaker2boot,
            "extractor": "classifier_fashion_mnist",
            "data_license": licenses.FASHION_MNIST,
            "train": {"family": "cyclegan", "epochs": 20, "batch_size": 32, "width": 16,
                      "num_blocks": 6},
            "limits": "Seen in its grid: boots and sneakers of the right outline, but "
                      "with speckled texture where the shape changes (CycleGAN is known to "
                      "handle geometric changes poorly); boot -> sneaker outputs are the "
                      "noisier. 8 epochs gave FID 34.2 / 36.8, 20 epochs 20.4 / 19.6."},
    },
}
