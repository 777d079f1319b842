"""Kernel distance between activations (KID).

Binkowski et al. 2018, "Demystifying MMD GANs" (arXiv:1801.01401): the unbiased
estimate of the squared MMD with the cubic polynomial kernel

    k(x, y) = (x . y / D + 1)^3

    MMD^2 = -2 mean(k(a, b)) + sum_{i != j} k(a_i, a_j) / (m (m - 1))
                             + sum_{i != j} k(b_i, b_j) / (n (n - 1))

averaged over subsets, exactly as TF-GAN 2.1.0's
`kernel_classifier_distance_and_std_from_activations`, in float64.
"""
import numpy as np

from tfgan_zoo.metrics.fid import activations, same_width


def _block_bounds(n, n_blocks):
    """TF-GAN's contiguous blocks: sizes n // n_blocks, the last ones one larger."""
    small = n // n_blocks
    larger = n - small * n_blocks
    sizes = [small] * (n_blocks - larger) + [small + 1] * larger
    return np.concatenate([[0], np.cumsum(sizes)])


def _kernel(x, y):
    return (x @ y.T / x.shape[1] + 1) ** 3


def _mmd2(a, b):
    m, n = len(a), len(b)
    k_aa, k_bb = _kernel(a, a), _kernel(b, b)
    return (-2 * _kernel(a, b).mean()
            + (k_aa.sum() - np.trace(k_aa)) / (m * (m - 1))
            + (k_bb.sum() - np.trace(k_bb)) / (n * (n - 1)))


def kernel_distance(act_a, act_b, max_subset_size=1024):
    """KID between two [N, D] activation arrays: (mean, std) as floats.

    The samples are split into n_subsets = ceil(max(N_a, N_b) / max_subset_size)
    subsets and the MMD^2 estimate is averaged over them; std is the standard
    error of that mean, sqrt(var / n_subsets) with the Bessel-corrected variance
    of the subset estimates (NaN with a single subset).

    The subsets are TF-GAN's contiguous blocks, not random draws: shuffle the
    inputs first if their order is not random (e.g. sorted by class).
    """
    act_a = activations(act_a, "act_a")
    act_b = activations(act_b, "act_b")
    same_width(act_a, act_b, ("act_a", "act_b"), "KID")
    if max_subset_size < 1:
        raise ValueError(f"max_subset_size must be positive, got {max_subset_size}.")
    n_blocks = -(-max(len(act_a), len(act_b)) // max_subset_size)
    for name, act in (("act_a", act_a), ("act_b", act_b)):
        if len(act) // n_blocks < 2:
            raise ValueError(
                "KID needs at least 2 samples of each set per subset: "
                f"{name} has {len(act)} rows, so {n_blocks} subsets "
                f"(max_subset_size={max_subset_size}) would hold {len(act) // n_blocks}; "
                "pass more samples or a larger max_subset_size.")
    bounds_a = _block_bounds(len(act_a), n_blocks)
    bounds_b = _block_bounds(len(act_b), n_blocks)
    estimates = np.array([
        _mmd2(act_a[bounds_a[i]:bounds_a[i + 1]], act_b[bounds_b[i]:bounds_b[i + 1]])
        for i in range(n_blocks)])
    mean = estimates.mean()
    std = np.sqrt(estimates.var(ddof=1) / n_blocks) if n_blocks > 1 else np.nan
    return float(mean), float(std)
