"""Classifier family: the zoo's feature extractors for evaluation."""
from zoo_models.classifier.network import Classifier
from zoo_models.classifier.presets import PRESETS

__all__ = ["Classifier", "PRESETS"]
