"""DCGAN presets. Each is reproduced by `python tools/train_preset.py NAME`:
its `recipe` trains it (`tfgan_zoo.train(DATA, OUT, **recipe["train"])`)
and `tfgan_zoo.presets.publish` writes its folder."""
import os

from zoo_models.common import licenses

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "presets")


def _recipe(data, data_license, **train):
    return {"data": data, "data_license": data_license,
            "train": {"family": "dcgan", "batch_size": 64, "width": 32, "ema_decay": 0.999,
                      **train}}


PRESETS = {
    "dcgan_fashion_mnist": {
        "description": "DCGAN, non-saturating loss, Fashion-MNIST 28x28x1 (FID 11.7 by "
                       "classifier_fashion_mnist; blurred images 51.7)",
        "params": 378_273 + 55_233,
        "path": os.path.join(HERE, "dcgan_fashion_mnist"),
        "recipe": _recipe("fashion_mnist.npz", licenses.FASHION_MNIST, loss="non_saturating",
                          epochs=30),
    },
    "lsgan_mnist": {
        "description": "DCGAN, least-squares loss, MNIST 28x28x1 (FID 12.9 by "
                       "classifier_mnist; blurred images 215)",
        "params": 378_273 + 55_233,
        "path": os.path.join(HERE, "lsgan_mnist"),
        "recipe": _recipe("mnist.npz", licenses.MNIST, loss="least_squares", epochs=40),
    },
    "cdcgan_fashion_mnist": {
        "description": "Class-conditional DCGAN (projection D), non-saturating loss, "
                       "Fashion-MNIST 28x28x1, sampled by label (FID 5.8; blurred 51.7)",
        "params": 535_573 + 86_593,
        "path": os.path.join(HERE, "cdcgan_fashion_mnist"),
        "recipe": _recipe("fashion_mnist.npz", licenses.FASHION_MNIST, loss="non_saturating",
                          conditional=True, epochs=20),
    },
    "wgan_gp_fashion_mnist": {
        "description": "DCGAN critic and generator, WGAN-GP loss (5 critic steps), "
                       "Fashion-MNIST 28x28x1 (FID 14.0; blurred 51.7)",
        "params": 378_273 + 55_233,
        "path": os.path.join(HERE, "wgan_gp_fashion_mnist"),
        "recipe": _recipe("fashion_mnist.npz", licenses.FASHION_MNIST, loss="wgan_gp", epochs=25),
    },
}
