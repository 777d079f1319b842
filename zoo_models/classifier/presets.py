"""Classifier presets: feature extractors for FID, KID, IS and precision/recall.
Each is reproduced by `tfgan-zoo reproduce NAME` from its recipe."""
import os

from zoo_models.common import licenses

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "presets")

PRESETS = {
    "classifier_fashion_mnist": {
        "description": "Fashion-MNIST CNN classifier; 128-d features and logits for "
                       "evaluating 28x28x1 GANs",
        "path": os.path.join(HERE, "classifier_fashion_mnist"),
        "recipe": {"data": "fashion_mnist.npz", "data_license": licenses.FASHION_MNIST,
                   "train": {"family": "classifier", "epochs": 15, "batch_size": 128,
                             "learning_rate": 2e-3}},
    },
    "classifier_mnist": {
        "description": "MNIST CNN classifier; 128-d features and logits for "
                       "evaluating 28x28x1 GANs",
        "path": os.path.join(HERE, "classifier_mnist"),
        "recipe": {"data": "mnist.npz", "data_license": licenses.MNIST,
                   "train": {"family": "classifier", "epochs": 30, "batch_size": 128,
                             "learning_rate": 2e-3}},
    },
    **{f"classifier_emoji{size}": {
        "description": f"Emoji CNN classifier of the 9 Unicode groups; 128-d features and "
                       f"logits for evaluating {size}x{size}x3 GANs on tfds:emoji/{size}",
        "path": os.path.join(HERE, f"classifier_emoji{size}"),
        "recipe": {"data": f"tfds:emoji/{size}", "data_license": licenses.EMOJI,
                   "train": {"family": "classifier", "epochs": epochs, "batch_size": 64,
                             "learning_rate": 2e-3, "fill": "nearest"},
                   "limits": "Trained on 3,274 emoji, about half of them people with five "
                             "skin tones: its features know emoji groups, not natural "
                             "images."},
    } for size, epochs in ((32, 60), (64, 30))},
}
