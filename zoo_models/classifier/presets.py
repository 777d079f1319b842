"""Classifier presets: feature extractors for FID, KID, IS and precision/recall."""
import os

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "presets")

PRESETS = {
    "classifier_fashion_mnist": {
        "description": "Fashion-MNIST CNN classifier; 128-d features and logits for "
                       "evaluating 28x28x1 GANs",
        "params": 468_778,
        "kind": "extractor",
        "path": os.path.join(HERE, "classifier_fashion_mnist"),
    },
    "classifier_mnist": {
        "description": "MNIST CNN classifier; 128-d features and logits for "
                       "evaluating 28x28x1 GANs",
        "params": 468_778,
        "kind": "extractor",
        "path": os.path.join(HERE, "classifier_mnist"),
    },
}
