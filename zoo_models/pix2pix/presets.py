"""pix2pix presets, each reproduced by `tfgan-zoo reproduce NAME`
from its `recipe` (the `task` builds the training pairs from `data`)."""
import os

from zoo_models.common import licenses
from zoo_models.pix2pix.tasks import edges2fashion

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "presets")

PRESETS = {
    "pix2pix_edges2fashion": {
        "description": "Pix2Pix, Sobel edge maps of Fashion-MNIST -> garments, 28x28x1 "
                       "(U-Net + conditional PatchGAN; metrics in its card)",
        "path": os.path.join(HERE, "pix2pix_edges2fashion"),
        "recipe": {
            "data": "fashion_mnist.npz", "task": edges2fashion,
            "extractor": "classifier_fashion_mnist",
            "data_license": licenses.FASHION_MNIST,
            "train": {"family": "pix2pix", "loss": "non_saturating", "epochs": 10,
                      "batch_size": 64, "width": 32},
            "limits": "Seen in its grid: shapes follow the edges closely; brightness and "
                      "print patterns, which edge maps barely carry, are guessed."},
    },
}
