"""FID, KID and IS against TF-GAN 2.1.0's classifier_metrics (the oracle);
streaming statistics, precision/recall/density/coverage and errors against
hand-written references."""
import math

import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo.metrics import (StreamingStats, frechet_distance, frechet_distance_from_stats,
                               inception_score, kernel_distance, precision_recall)
import oracle

tfgan = oracle.classifier_metrics()


def activations(n, dim=16, shift=0.0, seed=0):
    """Correlated features, so that the covariances are far from diagonal."""
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(dim, dim)) / np.sqrt(dim)
    return rng.normal(size=(n, dim)) @ mixing + shift


A = activations(600, seed=1)
B = activations(500, shift=0.3, seed=2)


def tensor(x):
    return tf.constant(x, tf.float64)


def test_fid_matches_tfgan():
    expected = tfgan.frechet_classifier_distance_from_activations(tensor(A), tensor(B))
    np.testing.assert_allclose(frechet_distance(A, B), expected.numpy(), rtol=1e-4)


def test_fid_of_fewer_samples_than_features_matches_tfgan():
    # 12 and 9 rows of 40 features: the traced product comes from the 9 x 9 Gram of
    # B's centred rows, not a 40 x 40 square root; either order, and from the stats.
    a, b = activations(12, dim=40, seed=3), activations(9, dim=40, shift=0.2, seed=4)
    expected = tfgan.frechet_classifier_distance_from_activations(tensor(a), tensor(b))
    np.testing.assert_allclose(frechet_distance(a, b), expected.numpy(), rtol=1e-6)
    np.testing.assert_allclose(frechet_distance(b, a), expected.numpy(), rtol=1e-6)
    sa, sb = StreamingStats().update(a), StreamingStats().update(b)
    full = frechet_distance_from_stats(sa.mean, sa.covariance(), sb.mean, sb.covariance())
    np.testing.assert_allclose(full, expected.numpy(), rtol=1e-6)


@pytest.mark.parametrize("n_a, n_b, max_subset_size", [
    (600, 500, 1024),  # one subset: std is NaN
    (2500, 2100, 1024),  # 3 subsets of 833, 833 and 834 rows of act_a
    (37, 29, 10),  # 4 subsets, both sets uneven
])
def test_kid_matches_tfgan(n_a, n_b, max_subset_size):
    a, b = activations(n_a, seed=3), activations(n_b, shift=0.2, seed=4)
    mean, std = kernel_distance(a, b, max_subset_size=max_subset_size)
    expected = tfgan.kernel_classifier_distance_and_std_from_activations(
        tensor(a), tensor(b), max_block_size=max_subset_size)
    np.testing.assert_allclose(mean, expected[0].numpy(), rtol=1e-4)
    np.testing.assert_allclose(std, expected[1].numpy(), rtol=1e-4, equal_nan=True)
    assert math.isnan(std) == (n_a <= max_subset_size and n_b <= max_subset_size)


def test_inception_score_matches_tfgan():
    logits = np.random.default_rng(5).normal(size=(500, 10)) * 3
    mean, std = inception_score(logits)
    expected = tfgan.classifier_score_from_logits(tensor(logits))
    np.testing.assert_allclose(mean, expected.numpy(), rtol=1e-4)
    assert std == 0.0


def test_inception_score_splits_match_reference():
    logits = np.random.default_rng(6).normal(size=(103, 7)) * 2
    scores = []
    for part in np.array_split(logits, 5):
        p = np.exp(part) / np.exp(part).sum(axis=1, keepdims=True)
        p_y = p.mean(axis=0)
        scores.append(np.exp(np.mean(np.sum(p * np.log(p / p_y), axis=1))))
    np.testing.assert_allclose(inception_score(logits, splits=5),
                               (np.mean(scores), np.std(scores)), rtol=1e-12)


def test_streaming_stats_equal_one_shot_and_numpy():
    stats = StreamingStats()
    bounds = [0, 1, 8, 108, 109, 359, len(A)]  # chunks of 1, 7, 100, 1, 250, 241 rows
    for start, stop in zip(bounds, bounds[1:]):
        stats.update(A[start:stop])
    assert (stats.count, stats.dim) == (len(A), A.shape[1])
    np.testing.assert_allclose(stats.mean, np.mean(A, axis=0), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(stats.covariance(), np.cov(A, rowvar=False),
                               rtol=1e-12, atol=1e-14)
    b = StreamingStats().update(B)
    streamed = frechet_distance_from_stats(stats.mean, stats.covariance(),
                                           b.mean, b.covariance())
    np.testing.assert_allclose(streamed, frechet_distance(A, B), rtol=1e-10)


def test_fid_of_a_set_with_itself_is_zero_and_fid_is_symmetric():
    assert abs(frechet_distance(A, A)) < 1e-6
    np.testing.assert_allclose(frechet_distance(A, B), frechet_distance(B, A), rtol=1e-10)


def brute_force_prdc(real, fake, k):
    """Precision, recall, density and coverage with one distance at a time."""
    def dist(x, y):
        return float(np.sqrt(np.sum((x - y) ** 2)))

    def radii(x):
        return [sorted(dist(x[i], x[j]) for j in range(len(x)) if j != i)[k - 1]
                for i in range(len(x))]

    real_r, fake_r = radii(real), radii(fake)
    balls = [[dist(r, f) <= real_r[i] for i, r in enumerate(real)] for f in fake]
    return {
        "precision": np.mean([any(row) for row in balls]),
        "recall": np.mean([any(dist(r, f) <= fake_r[j] for j, f in enumerate(fake))
                           for r in real]),
        "density": sum(sum(row) for row in balls) / (k * len(fake)),
        "coverage": np.mean([any(row[i] for row in balls) for i in range(len(real))]),
    }


@pytest.mark.parametrize("k", [1, 3, 5])
def test_precision_recall_match_brute_force(k):
    rng = np.random.default_rng(7)
    real, fake = rng.normal(size=(40, 5)), rng.normal(size=(30, 5)) * 1.3 + 0.4
    ours = precision_recall(real, fake, k=k, batch_size=7)
    expected = brute_force_prdc(real, fake, k)
    assert ours.keys() == expected.keys()
    for name in ours:
        np.testing.assert_allclose(ours[name], expected[name], rtol=1e-12, err_msg=name)


def test_precision_recall_by_hand():
    # k=1 radii: real 0, 1, 3, 7 -> 1, 1, 2, 4; fake 0.5, 10, 20 -> 9.5, 9.5, 10.
    real = np.array([[0.0], [1.0], [3.0], [7.0]])
    fake = np.array([[0.5], [10.0], [20.0]])
    assert precision_recall(real, fake, k=1, batch_size=3) == {
        "precision": 2 / 3,  # 20 is in no real ball
        "recall": 1.0,
        "density": 1.0,  # 0.5 in the balls of 0 and 1, 10 in the ball of 7
        "coverage": 0.75,  # the ball of 3 holds no fake
    }


def test_fake_equal_to_real_is_perfect():
    real = np.random.default_rng(8).normal(size=(50, 4))
    result = precision_recall(real, real.copy(), k=3, batch_size=16)
    assert result["precision"] == result["recall"] == result["coverage"] == 1.0


@pytest.mark.parametrize("call, match", [
    (lambda: frechet_distance(A, A[:, :8]), "act_a has 16 columns, act_b has 8"),
    (lambda: kernel_distance(A, A[:, :8]), "KID needs features of the same width"),
    (lambda: precision_recall(A, A[:, :8]), "real has 16 columns, fake has 8"),
    (lambda: StreamingStats().update(A).update(A[:, :8]), "batch has 8 columns"),
    (lambda: kernel_distance(A[:8], A[:3], max_subset_size=4),
     "at least 2 samples of each set per subset: act_b has 3 rows, so 2 subsets"),
    (lambda: precision_recall(A[:10], A[:5], k=5), "k=5 needs 1 <= k <.*fake has 5"),
    (lambda: frechet_distance(np.full((4, 16), np.nan), A), "act_a contains NaN"),
    (lambda: kernel_distance(A, np.where(A > 2, np.nan, A)), "act_b contains NaN"),
    (lambda: precision_recall(A, np.where(A > 2, np.inf, A)), "fake contains NaN or inf"),
    (lambda: inception_score(np.full((4, 3), np.nan)), "logits contain NaN"),
    (lambda: frechet_distance(A[:1], A), "act_a has 1 rows; at least 2"),
    (lambda: frechet_distance(A[0], A), "2-D"),
    (lambda: inception_score(A[0]), "2-D"),
    (lambda: inception_score(A[:3], splits=4), "Cannot split 3 rows"),
])
def test_bad_inputs_raise(call, match):
    with pytest.raises(ValueError, match=match):
        call()
