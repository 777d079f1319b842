"""Classifier presets: feature extractors for FID, KID, IS and precision/recall.
Each is reproduced by `python tools/train_preset.py NAME` from its recipe."""
import os

from zoo_models.common import licenses

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "presets")

PRESETS = {
    "classifier_fashion_mnist": {
        "description": "Fashion-MNIST CNN classifier; 128-d features and logits for "
                       "evaluating 28x28x1 GANs",
        "params": 468_778,
        "path": os.path.join(HERE, "classifier_fashion_mnist"),
        "recipe": {"data": "fashion_mnist.npz", "data_license": licenses.FASHION_MNIST,
                   "train": {"family": "classifier", "epochs": 15, "batch_size": 128,
                             "learning_rate": 2e-3}},
    },
    "classifier_mnist": {
        "description": "MNIST CNN classifier; 128-d features and logits for "
                       "evaluating 28x28x1 GANs",
        "params": 468_778,
        "path": os.path.join(HERE, "classifier_mnist"),
        "recipe": {"data": "mnist.npz", "data_license": licenses.MNIST,
                   "train": {"family": "classifier", "epochs": 30, "batch_size": 128,
                             "learning_rate": 2e-3}},
    },
}
