"""k-NN precision, recall, density and coverage of generated samples.

Each sample's ball has as radius the distance to its k-th nearest other sample
of its own set.

- Kynkaanniemi et al. 2019, "Improved Precision and Recall Metric for Assessing
  Generative Models" (arXiv:1904.06991): precision is the fraction of fake
  samples inside at least one real ball; recall the fraction of real samples
  inside at least one fake ball.
- Naeem et al. 2020, "Reliable Fidelity and Diversity Metrics for Generative
  Models" (arXiv:2002.09797): density = sum_j #{real balls containing fake j}
  / (k M) for M fake samples; coverage is the fraction of real balls that
  contain at least one fake sample.

Distances are Euclidean, "inside" is distance <= radius, and they are computed
`batch_size` rows at a time, so memory is O(batch_size * N), not O(N^2).
"""
import numpy as np

from tfgan_zoo.metrics.fid import activations, same_width


def _distances(x, y):
    """[len(x), len(y)] Euclidean distances via |x|^2 + |y|^2 - 2 x.y."""
    squared = (np.sum(x**2, axis=1)[:, None] + np.sum(y**2, axis=1)[None, :]
               - 2 * x @ y.T)
    return np.sqrt(np.clip(squared, 0, None))


def _knn_radii(x, k, batch_size):
    """Distance of each row of x to its k-th nearest other row."""
    radii = np.empty(len(x))
    for start in range(0, len(x), batch_size):
        rows = np.arange(start, min(start + batch_size, len(x)))
        d = _distances(x[rows], x)
        # A sample is not its own neighbour (round-off may put it just above 0).
        d[np.arange(len(rows)), rows] = np.inf
        radii[rows] = np.partition(d, k - 1, axis=1)[:, k - 1]
    return radii


def precision_recall(real, fake, k=3, batch_size=1000):
    """Precision, recall, density and coverage of `fake` [M, D] against `real` [N, D].

    Returns a dict of floats with keys "precision", "recall", "density" and
    "coverage". k must be smaller than both N and M.
    """
    real = activations(real, "real", min_rows=1)
    fake = activations(fake, "fake", min_rows=1)
    same_width(real, fake, ("real", "fake"), "precision_recall")
    if not 1 <= k < min(len(real), len(fake)):
        raise ValueError(f"k={k} needs 1 <= k < the samples of each set: real has "
                         f"{len(real)}, fake has {len(fake)}; pass more samples or "
                         "a smaller k.")
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size}.")
    real_radii = _knn_radii(real, k, batch_size)
    fake_radii = _knn_radii(fake, k, batch_size)
    real_balls_per_fake = np.zeros(len(fake), dtype=np.int64)
    real_ball_covers = np.empty(len(real), dtype=bool)
    real_in_fake_ball = np.empty(len(real), dtype=bool)
    for start in range(0, len(real), batch_size):
        block = slice(start, start + batch_size)
        d = _distances(real[block], fake)
        in_real_ball = d <= real_radii[block, None]
        real_balls_per_fake += in_real_ball.sum(axis=0)
        real_ball_covers[block] = in_real_ball.any(axis=1)
        real_in_fake_ball[block] = (d <= fake_radii[None, :]).any(axis=1)
    return {
        "precision": float(np.mean(real_balls_per_fake > 0)),
        "recall": float(np.mean(real_in_fake_ball)),
        "density": float(real_balls_per_fake.sum() / (k * len(fake))),
        "coverage": float(np.mean(real_ball_covers)),
    }
