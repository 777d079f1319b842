"""GAN evaluation: metrics on features (numpy/scipy, float64), feature
extractors, and `evaluate` for a whole model."""
from tfgan_zoo.metrics import extractors
from tfgan_zoo.metrics.evaluate import blurred, evaluate, format_report
from tfgan_zoo.metrics.fid import StreamingStats, frechet_distance, frechet_distance_from_stats
from tfgan_zoo.metrics.inception_score import inception_score
from tfgan_zoo.metrics.kid import kernel_distance
from tfgan_zoo.metrics.precision_recall import precision_recall

__all__ = [
    "StreamingStats",
    "blurred",
    "evaluate",
    "extractors",
    "format_report",
    "frechet_distance",
    "frechet_distance_from_stats",
    "inception_score",
    "kernel_distance",
    "precision_recall",
]
