"""Fréchet distance between Gaussians fitted to activations (FID).

Heusel et al. 2017, "GANs Trained by a Two Time-Scale Update Rule Converge to a
Local Nash Equilibrium" (arXiv:1706.08500):

    FID = ||mu_a - mu_b||^2 + Tr(C_a + C_b - 2 (C_a C_b)^(1/2))

computed as TF-GAN's `frechet_classifier_distance_from_activations` does, in
float64. The statistics are accumulated by `StreamingStats`, so activations can
be fed in batches and never need to be held at once.
"""
import numpy as np
from scipy import linalg


def activations(x, name, min_rows=2):
    """`x` as a finite float64 [N, D] array with at least `min_rows` rows."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"{name} must be a 2-D [samples, features] array, "
                         f"got shape {x.shape}; flatten or pool the features first.")
    if len(x) < min_rows:
        raise ValueError(f"{name} has {len(x)} rows; at least {min_rows} are needed.")
    if not np.isfinite(x).all():
        raise ValueError(f"{name} contains NaN or infinite values; check the "
                         "extractor's inputs and outputs.")
    return x


def same_width(a, b, names, metric):
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"{metric} needs features of the same width: {names[0]} has "
                         f"{a.shape[1]} columns, {names[1]} has {b.shape[1]}; extract "
                         "both sets with the same model and layer.")


class StreamingStats:
    """Running mean and unbiased covariance of [N, D] activations, in float64.

    Batches are merged with the parallel update of Chan, Golub and LeVeque
    (1979): with counts n_a, n_b, means mu_a, mu_b, M2 = sum of outer products
    of deviations from the mean, and delta = mu_b - mu_a,

        mu = mu_a + delta * n_b / n
        M2 = M2_a + M2_b + outer(delta, delta) * n_a * n_b / n

    which is exact and avoids the cancellation of sum(x x^T) - n mu mu^T.
    The state is O(D^2) whatever the number of updates.
    """

    def __init__(self):
        self._count = 0
        self._mean = None
        self._m2 = None

    @property
    def count(self):
        return self._count

    @property
    def dim(self):
        """Feature width, or None before the first update."""
        return None if self._mean is None else len(self._mean)

    @property
    def mean(self):
        """Mean of the samples so far, or None before the first update."""
        return None if self._mean is None else self._mean.copy()

    def covariance(self):
        """Unbiased covariance, M2 / (count - 1)."""
        if self._count < 2:
            raise ValueError(f"A covariance needs at least 2 samples, got {self._count}.")
        return self._m2 / (self._count - 1)

    def update(self, batch):
        """Merges a [n, D] batch (n >= 1) into the statistics; returns self."""
        batch = activations(batch, "batch", min_rows=1)
        if self._mean is None:
            self._mean = np.zeros(batch.shape[1])
            self._m2 = np.zeros((batch.shape[1], batch.shape[1]))
        elif batch.shape[1] != self.dim:
            raise ValueError(f"batch has {batch.shape[1]} columns but the statistics "
                             f"have {self.dim}; feed features of one model and layer.")
        n = len(batch)
        batch_mean = batch.mean(axis=0)
        deviations = batch - batch_mean
        total = self._count + n
        delta = batch_mean - self._mean
        self._mean += delta * (n / total)
        self._m2 += deviations.T @ deviations + np.outer(delta, delta) * (self._count * n / total)
        self._count = total
        return self


def _psd_sqrt(mat):
    """Symmetric PSD square root; negative (round-off) eigenvalues count as 0."""
    eigenvalues, eigenvectors = linalg.eigh(mat)
    return (eigenvectors * np.sqrt(np.clip(eigenvalues, 0, None))) @ eigenvectors.T


def frechet_distance_from_stats(mean_a, cov_a, mean_b, cov_b, rows_b=None):
    """||mu_a - mu_b||^2 + Tr(C_a + C_b - 2 (C_a C_b)^(1/2)), as a float.

    C_a C_b is not symmetric, so as TF-GAN's `trace_sqrt_product` this uses
    Tr((C_a C_b)^(1/2)) = Tr((A C_b A)^(1/2)) with A = C_a^(1/2), whose
    argument is symmetric PSD: the sum of the square roots of its eigenvalues.

    `rows_b`, optional: the n centred feature rows behind C_b (C_b = R^T R /
    (n - 1)). With fewer rows than features, A C_b A = (A R^T)(R A) / (n - 1)
    has the nonzero eigenvalues of R C_a R^T / (n - 1), an n x n matrix: the
    same trace without a D x D square root (FID of 1,000 Inception samples:
    1000 x 1000 instead of two 2048 x 2048 eigendecompositions).
    """
    mean_a, mean_b = (np.asarray(m, dtype=np.float64) for m in (mean_a, mean_b))
    cov_a, cov_b = (np.asarray(c, dtype=np.float64) for c in (cov_a, cov_b))
    d = mean_a.shape[0]
    if mean_a.shape != (d,) or mean_b.shape != (d,) or cov_a.shape != (d, d) \
            or cov_b.shape != (d, d):
        raise ValueError(f"Expected means of shape ({d},) and covariances ({d}, {d}); "
                         f"got {mean_a.shape}, {cov_a.shape}, {mean_b.shape}, "
                         f"{cov_b.shape}.")
    if rows_b is not None and 1 < len(rows_b) < d:
        rows_b = np.asarray(rows_b, dtype=np.float64)
        if rows_b.shape[1:] != (d,):
            raise ValueError(f"rows_b must have shape (n, {d}), got {rows_b.shape}.")
        eigenvalues = linalg.eigvalsh(rows_b @ cov_a @ rows_b.T / (len(rows_b) - 1))
    else:
        sqrt_a = _psd_sqrt(cov_a)
        eigenvalues = linalg.eigvalsh(sqrt_a @ cov_b @ sqrt_a)
    trace_sqrt = np.sqrt(np.clip(eigenvalues, 0, None)).sum()
    mean_term = np.sum((mean_a - mean_b) ** 2)
    return float(mean_term + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_sqrt)


def frechet_distance(act_a, act_b):
    """FID between two [N, D] activation arrays (N >= 2 each), as a float."""
    act_a = activations(act_a, "act_a")
    act_b = activations(act_b, "act_b")
    same_width(act_a, act_b, ("act_a", "act_b"), "FID")
    a = StreamingStats().update(act_a)
    b = StreamingStats().update(act_b)
    return frechet_distance_from_stats(a.mean, a.covariance(), b.mean, b.covariance(),
                                       rows_b=act_b - b.mean)
