"""DCGAN presets, each reproduced by `python tools/train_preset.py NAME`."""
import os

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "presets")

PRESETS = {
    "dcgan_fashion_mnist": {
        "description": "DCGAN, non-saturating loss, Fashion-MNIST 28x28x1 (FID 11.7 by "
                       "classifier_fashion_mnist; blurred images 51.7)",
        "params": 378_273 + 55_233,
        "path": os.path.join(HERE, "dcgan_fashion_mnist"),
    },
    "lsgan_mnist": {
        "description": "DCGAN, least-squares loss, MNIST 28x28x1 (FID 12.9 by "
                       "classifier_mnist; blurred images 215)",
        "params": 378_273 + 55_233,
        "path": os.path.join(HERE, "lsgan_mnist"),
    },
    "cdcgan_fashion_mnist": {
        "description": "Class-conditional DCGAN (projection D), non-saturating loss, "
                       "Fashion-MNIST 28x28x1, sampled by label (FID 5.8; blurred 51.7)",
        "params": 535_573 + 86_593,
        "path": os.path.join(HERE, "cdcgan_fashion_mnist"),
    },
    "wgan_gp_fashion_mnist": {
        "description": "DCGAN critic and generator, WGAN-GP loss (5 critic steps), "
                       "Fashion-MNIST 28x28x1 (FID 14.0; blurred 51.7)",
        "params": 378_273 + 55_233,
        "path": os.path.join(HERE, "wgan_gp_fashion_mnist"),
    },
}
