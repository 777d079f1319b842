"""Inception score from classifier logits.

Salimans et al. 2016, "Improved Techniques for Training GANs" (arXiv:1606.03498):

    IS = exp(E_x KL(p(y|x) || p(y))),  p(y) = E_x p(y|x)

With `splits=1` this is TF-GAN's `classifier_score_from_logits`.
"""
import numpy as np
from scipy import special


def _score(logits):
    log_p = special.log_softmax(logits, axis=1)
    # log p(y) from the logs, so that a class whose probabilities all underflow
    # to 0 gives 0 * finite = 0 instead of 0 * log(0) = NaN.
    log_py = special.logsumexp(log_p, axis=0) - np.log(len(logits))
    kl = np.sum(np.exp(log_p) * (log_p - log_py), axis=1)
    return np.exp(kl.mean())


def inception_score(logits, splits=1):
    """Inception score of [N, classes] logits: (mean, std) over `splits` parts.

    The logits are split into `splits` contiguous parts of near-equal size
    (`np.array_split`); each part is scored with its own p(y). std is the
    population standard deviation of the part scores (0.0 for one part).
    """
    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim != 2:
        raise ValueError(f"logits must be a 2-D [samples, classes] array, got shape "
                         f"{logits.shape}.")
    if splits < 1 or len(logits) < splits:
        raise ValueError(f"Cannot split {len(logits)} rows of logits into {splits} "
                         "parts; pass more samples or fewer splits (at least 1).")
    if not np.isfinite(logits).all():
        raise ValueError("logits contain NaN or infinite values; check the extractor's "
                         "inputs.")
    scores = [_score(part) for part in np.array_split(logits, splits)]
    return float(np.mean(scores)), float(np.std(scores))
