"""Classifier family: feature extractors whose features score generated images."""
from tfgan_zoo.families import Option
from zoo_models.classifier.network import Classifier
from zoo_models.classifier.presets import PRESETS

TASK = "extraction"
OPTIONS = (
    Option("width", int, 32, "channels of the first block", rule="count"),
    Option("feature_dim", int, 128, "size of the features layer", rule="count"),
    Option("dropout", float, 0.3, "dropout before the logits (half of it after each block)",
           rule="fraction"),
    Option("fill", str, "black", "what the training translations bring in: black (-1) or "
           "the nearest edge pixels", choices=("black", "nearest")),
)


def build_model(info, seed=0, width=32, feature_dim=128, dropout=0.3, fill="black"):
    """An uncompiled `Classifier` of `info["num_classes"]` classes for images
    of `info["image_shape"]` (its weights are seeded by `keras.utils.set_random_seed`,
    which `train` calls with the run's seed)."""
    return Classifier(info["image_shape"], num_classes=info["num_classes"], width=width,
                      feature_dim=feature_dim, dropout=dropout, fill=fill, name="classifier")


__all__ = ["Classifier", "OPTIONS", "PRESETS", "TASK", "build_model"]
