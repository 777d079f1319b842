"""Losses against TF-GAN 2.1.0's losses_impl (the oracle) and their formulas."""
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo import losses
import oracle

tfgan = oracle.losses_impl()
rng = np.random.default_rng(0)
REAL = tf.constant(rng.normal(size=(16, 1)) * 3, tf.float32)
GEN = tf.constant(rng.normal(size=(16, 1)) * 3, tf.float32)
# Zeros included: TF-GAN divides by the count of non-zero weights.
WEIGHTS = tf.constant(rng.choice([0.0, 0.5, 2.0], size=(16, 1)), tf.float32)
GEN_WEIGHTS = tf.constant(rng.choice([0.0, 1.0, 3.0], size=(16, 1)), tf.float32)


def close(ours, theirs):
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
@pytest.mark.parametrize("name", ["minimax", "modified"])
def test_cross_entropy_losses_match_tfgan(name, smoothing, weighted):
    w = {"real_weights": WEIGHTS, "generated_weights": GEN_WEIGHTS} if weighted else {}
    gw = {"weights": GEN_WEIGHTS} if weighted else {}
    d = f"{name}_discriminator_loss"
    g = f"{name}_generator_loss"
    close(getattr(losses, d)(REAL, GEN, label_smoothing=smoothing, **w),
          getattr(tfgan, d)(REAL, GEN, label_smoothing=smoothing, **w))
    close(getattr(losses, g)(GEN, label_smoothing=smoothing, **gw),
          getattr(tfgan, g)(GEN, label_smoothing=smoothing, **gw))


@pytest.mark.parametrize("weighted", [False, True])
def test_least_squares_and_wasserstein_match_tfgan(weighted):
    w = {"real_weights": WEIGHTS, "generated_weights": GEN_WEIGHTS} if weighted else {}
    gw = {"weights": GEN_WEIGHTS} if weighted else {}
    close(losses.least_squares_discriminator_loss(REAL, GEN, real_label=0.9, fake_label=-0.2, **w),
          tfgan.least_squares_discriminator_loss(REAL, GEN, real_label=0.9, fake_label=-0.2, **w))
    close(losses.least_squares_generator_loss(GEN, real_label=0.9, **gw),
          tfgan.least_squares_generator_loss(GEN, real_label=0.9, **gw))
    close(losses.wasserstein_discriminator_loss(REAL, GEN, **w),
          tfgan.wasserstein_discriminator_loss(REAL, GEN, **w))
    close(losses.wasserstein_generator_loss(GEN, **gw),
          tfgan.wasserstein_generator_loss(GEN, **gw))


def test_hinge_matches_formula_and_tfgan_wasserstein_hinge():
    r, f = REAL.numpy(), GEN.numpy()
    expected = np.mean(np.maximum(0, 1 - r)) + np.mean(np.maximum(0, 1 + f))
    np.testing.assert_allclose(losses.hinge_discriminator_loss(REAL, GEN).numpy(),
                               expected, rtol=1e-6)
    np.testing.assert_allclose(losses.hinge_generator_loss(GEN).numpy(), -f.mean(), rtol=1e-6)
    close(losses.hinge_discriminator_loss(REAL, GEN, WEIGHTS, GEN_WEIGHTS),
          tfgan.wasserstein_hinge_discriminator_loss(REAL, GEN, real_weights=WEIGHTS,
                                                     generated_weights=GEN_WEIGHTS))


def test_reduction_none_gives_the_weighted_loss_per_example():
    per_example = losses.modified_discriminator_loss(
        REAL, GEN, real_weights=WEIGHTS, generated_weights=GEN_WEIGHTS, reduction="none")
    assert per_example.shape == REAL.shape
    expected = (WEIGHTS * tf.math.softplus(-REAL) + GEN_WEIGHTS * tf.math.softplus(GEN))
    np.testing.assert_allclose(per_example.numpy(), expected.numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="Unknown reduction 'mean'.*sum_by_nonzero_weights"):
        losses.modified_generator_loss(GEN, reduction="mean")


# A discriminator with a non-constant gradient, so alpha matters.
KERNEL = tf.constant(rng.normal(size=(4 * 4 * 2, 1)), tf.float32)


def critic(images):
    flat = tf.reshape(images, [tf.shape(images)[0], -1])
    return tf.matmul(tf.tanh(flat), KERNEL)


X = tf.constant(rng.normal(size=(6, 4, 4, 2)), tf.float32)
GX = tf.constant(rng.normal(size=(6, 4, 4, 2)), tf.float32)
ALPHA = tf.constant(rng.uniform(size=(6, 1, 1, 1)), tf.float32)


@pytest.mark.parametrize("options", [{}, {"one_sided": True, "target": 2.0},
                                     {"weights": tf.constant([0.0, 1.0, 2.0, 1.0, 0.0, 4.0])},
                                     {"epsilon": 1e-3}])
def test_gradient_penalty_matches_tfgan(options, monkeypatch):
    ours = losses.wasserstein_gradient_penalty(X, GX, critic, alpha=ALPHA, **options)
    # TF-GAN draws alpha with tf.random.uniform in graph mode: hand it ours.
    monkeypatch.setattr(tf.random, "uniform", lambda shape, **kw: ALPHA)
    theirs = tf.function(lambda: tfgan.wasserstein_gradient_penalty(
        X, GX, None, lambda x, _: critic(x), "critic", **options))()
    close(ours, theirs)


def test_gradient_penalty_draws_one_uniform_alpha_per_example():
    seen = []

    def recording_critic(images):
        seen.append(images)
        return critic(images)

    losses.wasserstein_gradient_penalty(X, GX, recording_critic, seed=3)
    alpha = ((seen[0] - X) / (GX - X)).numpy().reshape(6, -1)
    np.testing.assert_allclose(alpha, alpha[:, :1] * np.ones_like(alpha), rtol=1e-3)
    assert np.all((alpha >= 0) & (alpha < 1)) and np.ptp(alpha[:, 0]) > 0.05


@pytest.mark.parametrize("epsilon, finite", [(1e-10, True), (0.0, False)])
def test_epsilon_inside_the_sqrt_keeps_the_gradient_finite_at_zero(epsilon, finite):
    # A critic whose input gradient is exactly zero: d sqrt(s)/ds is infinite at
    # s = 0 unless epsilon sits inside the sqrt.
    w = tf.Variable(tf.zeros((1, 4, 4, 2)))
    with tf.GradientTape() as tape:
        penalty = losses.wasserstein_gradient_penalty(
            X, GX, lambda x: tf.reduce_sum(w * x, axis=[1, 2, 3]), alpha=ALPHA,
            epsilon=epsilon)
    np.testing.assert_allclose(penalty.numpy(), (np.sqrt(epsilon) - 1) ** 2, rtol=1e-6)
    assert np.all(np.isfinite(tape.gradient(penalty, w).numpy())) == finite


def test_r1_penalty_matches_its_formula():
    # D(x) = sum(c * x^2): grad = 2 c x, so R1 = sum((2 c x)^2) per example.
    c = tf.constant(rng.uniform(0.5, 2.0, size=(1, 4, 4, 2)), tf.float32)
    per_example = losses.r1_penalty(X, lambda x: tf.reduce_sum(c * x * x, axis=[1, 2, 3]),
                                    reduction="none")
    expected = np.sum((2 * c.numpy() * X.numpy()) ** 2, axis=(1, 2, 3))
    np.testing.assert_allclose(per_example.numpy(), expected, rtol=1e-5)


def test_relativistic_pairing_losses_match_the_worked_example():
    real, fake = tf.constant([1.0, 0.0, -1.0]), tf.constant([0.0, 0.0, 1.0])
    d = losses.relativistic_pairing_discriminator_loss(real, fake, reduction="none")
    g = losses.relativistic_pairing_generator_loss(real, fake, reduction="none")
    np.testing.assert_allclose(d.numpy(), [0.3132617, 0.6931472, 2.1269280], rtol=1e-6)
    np.testing.assert_allclose(g.numpy(), [1.3132617, 0.6931472, 0.1269280], rtol=1e-6)
    np.testing.assert_allclose(losses.relativistic_pairing_discriminator_loss(real, fake),
                               1.0444456, rtol=1e-6)
    np.testing.assert_allclose(g.numpy() - d.numpy(), (real - fake).numpy(), atol=1e-6)
    # Large gaps stay finite (softplus, not log(1 + exp)).
    assert np.isfinite(losses.relativistic_pairing_generator_loss(
        tf.constant([500.0]), tf.constant([-500.0])).numpy())


def test_r2_penalty_is_r1_on_generated_data_with_g_held_fixed():
    w = tf.constant(rng.normal(size=(1, 4, 4, 2)), tf.float32)
    linear = lambda x: tf.reduce_sum(w * x, axis=[1, 2, 3]) + 3.0  # noqa: E731
    np.testing.assert_allclose(losses.r2_penalty(X, linear, reduction="none").numpy(),
                               np.full(len(X), np.sum(w.numpy() ** 2)), rtol=1e-5)
    source = tf.Variable(X)
    with tf.GradientTape() as tape:
        penalty = losses.r2_penalty(2.0 * source, lambda x: tf.reduce_sum(x * x, [1, 2, 3]))
    np.testing.assert_allclose(penalty.numpy(), np.mean(np.sum((4 * X.numpy()) ** 2,
                                                               axis=(1, 2, 3))), rtol=1e-5)
    assert tape.gradient(penalty, source) is None  # no gradient reaches the generator


# Cycle-consistency: images of two domains with different shapes, so a mix-up
# of x and y (or of their reductions) shows.
CX = tf.constant(rng.uniform(-1, 1, size=(5, 4, 4, 3)), tf.float32)
CX_REC = tf.constant(rng.uniform(-1, 1, size=(5, 4, 4, 3)), tf.float32)
CY = tf.constant(rng.uniform(-1, 1, size=(5, 6, 2, 1)), tf.float32)
CY_REC = tf.constant(CY.numpy() + rng.normal(scale=0.1, size=(5, 6, 2, 1)), tf.float32)


def test_cycle_consistency_loss_matches_tfgan_and_its_formula():
    close(losses.cycle_consistency_loss(CX, CX_REC, CY, CY_REC),
          tfgan.cycle_consistency_loss(CX, CX_REC, CY, CY_REC))
    # Per example: the mean |x - x'| over that example's pixels, averaged over
    # the two domains.
    x_l1 = np.abs(CX.numpy() - CX_REC.numpy()).reshape(5, -1).mean(axis=1)
    y_l1 = np.abs(CY.numpy() - CY_REC.numpy()).reshape(5, -1).mean(axis=1)
    expected = (x_l1 + y_l1) / 2
    assert np.ptp(expected) > 1e-3  # the examples differ, so "none" is tested per example
    per_example = losses.cycle_consistency_loss(CX, CX_REC, CY, CY_REC, reduction="none")
    assert per_example.shape == (5,)
    np.testing.assert_allclose(per_example.numpy(), expected, rtol=1e-6)
    np.testing.assert_allclose(losses.cycle_consistency_loss(CX, CX_REC, CY, CY_REC).numpy(),
                               expected.mean(), rtol=1e-6)
    np.testing.assert_allclose(losses.cycle_consistency_loss(CX, CX, CY, CY).numpy(), 0.0)
