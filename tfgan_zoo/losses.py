"""GAN losses and penalties, named and reduced as TF-GAN's `losses_impl.py`.

Every function takes discriminator logits (`discriminator_real_outputs`,
`discriminator_gen_outputs`), optional `weights` broadcastable to them, and a
`reduction`:

- `"sum_by_nonzero_weights"` (default, TF-GAN's): `sum(loss * w) / count(w != 0)`;
  with no weights this is the mean.
- `"none"`: the weighted loss per element, same shape as the logits. `GAN`
  uses this and divides by the *global* batch itself, so that a loss means the
  same under any `tf.distribute` strategy.

One deliberate difference from TF-GAN: `label_smoothing` defaults to 0.0 (the
losses of the papers), where TF-GAN's discriminator losses default to 0.25.
"""
import keras
import tensorflow as tf

REDUCTIONS = ("sum_by_nonzero_weights", "none")


def _reduce(losses, weights, reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"Unknown reduction {reduction!r}; use one of {REDUCTIONS}.")
    weights = tf.cast(weights, losses.dtype)
    weighted = losses * weights
    if reduction == "none":
        return weighted
    nonzero = tf.math.count_nonzero(
        tf.broadcast_to(weights, tf.shape(weighted)), dtype=losses.dtype)
    return tf.math.divide_no_nan(tf.reduce_sum(weighted), nonzero)


def _float(x):
    return tf.cast(tf.convert_to_tensor(x), tf.float32)


def _sigmoid_cross_entropy(labels, logits, label_smoothing):
    # As tf.compat.v1.losses.sigmoid_cross_entropy: smooth towards 1/2.
    labels = labels * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)


# Goodfellow et al. 2014, "Generative Adversarial Nets" (arXiv:1406.2661).

def minimax_discriminator_loss(discriminator_real_outputs, discriminator_gen_outputs,
                               label_smoothing=0.0, real_weights=1.0,
                               generated_weights=1.0,
                               reduction="sum_by_nonzero_weights"):
    """L = -log(sigmoid(D(x))) - log(1 - sigmoid(D(G(z)))).

    `label_smoothing` moves the real label from 1 to `1 - label_smoothing / 2`
    (one-sided smoothing, Salimans et al. 2016, arXiv:1606.03498).
    """
    real = _float(discriminator_real_outputs)
    gen = _float(discriminator_gen_outputs)
    on_real = _sigmoid_cross_entropy(tf.ones_like(real), real, label_smoothing)
    on_gen = _sigmoid_cross_entropy(tf.zeros_like(gen), gen, 0.0)
    return (_reduce(on_real, real_weights, reduction)
            + _reduce(on_gen, generated_weights, reduction))


def minimax_generator_loss(discriminator_gen_outputs, label_smoothing=0.0,
                           weights=1.0, reduction="sum_by_nonzero_weights"):
    """L = log(1 - sigmoid(D(G(z)))), the saturating loss of the paper.

    As in TF-GAN this is `-minimax_discriminator_loss(ones, D(G(z)))`, so it
    carries TF-GAN's constant `-log(1 + e^-1)` offset; gradients are unaffected.
    """
    gen = _float(discriminator_gen_outputs)
    return -minimax_discriminator_loss(tf.ones_like(gen), gen, label_smoothing,
                                       weights, weights, reduction)


def modified_discriminator_loss(discriminator_real_outputs, discriminator_gen_outputs,
                                label_smoothing=0.0, real_weights=1.0,
                                generated_weights=1.0,
                                reduction="sum_by_nonzero_weights"):
    """Same as `minimax_discriminator_loss`; pairs with the modified G loss."""
    return minimax_discriminator_loss(discriminator_real_outputs,
                                      discriminator_gen_outputs, label_smoothing,
                                      real_weights, generated_weights, reduction)


def modified_generator_loss(discriminator_gen_outputs, label_smoothing=0.0,
                            weights=1.0, reduction="sum_by_nonzero_weights"):
    """L = -log(sigmoid(D(G(z)))), the non-saturating generator loss."""
    gen = _float(discriminator_gen_outputs)
    return _reduce(_sigmoid_cross_entropy(tf.ones_like(gen), gen, label_smoothing),
                   weights, reduction)


# Mao et al. 2017, "Least Squares Generative Adversarial Networks" (arXiv:1611.04076).

def least_squares_discriminator_loss(discriminator_real_outputs,
                                     discriminator_gen_outputs, real_label=1,
                                     fake_label=0, real_weights=1.0,
                                     generated_weights=1.0,
                                     reduction="sum_by_nonzero_weights"):
    """L = 1/2 (D(x) - real_label)^2 + 1/2 (D(G(z)) - fake_label)^2."""
    real = _float(discriminator_real_outputs)
    gen = _float(discriminator_gen_outputs)
    on_real = tf.math.squared_difference(real, float(real_label)) / 2.0
    on_gen = tf.math.squared_difference(gen, float(fake_label)) / 2.0
    return (_reduce(on_real, real_weights, reduction)
            + _reduce(on_gen, generated_weights, reduction))


def least_squares_generator_loss(discriminator_gen_outputs, real_label=1,
                                 weights=1.0, reduction="sum_by_nonzero_weights"):
    """L = 1/2 (D(G(z)) - real_label)^2."""
    gen = _float(discriminator_gen_outputs)
    return _reduce(tf.math.squared_difference(gen, float(real_label)) / 2.0,
                   weights, reduction)


# Arjovsky et al. 2017, "Wasserstein GAN" (arXiv:1701.07875).

def wasserstein_discriminator_loss(discriminator_real_outputs,
                                   discriminator_gen_outputs, real_weights=1.0,
                                   generated_weights=1.0,
                                   reduction="sum_by_nonzero_weights"):
    """L = D(G(z)) - D(x)."""
    real = _float(discriminator_real_outputs)
    gen = _float(discriminator_gen_outputs)
    return (_reduce(gen, generated_weights, reduction)
            - _reduce(real, real_weights, reduction))


def wasserstein_generator_loss(discriminator_gen_outputs, weights=1.0,
                               reduction="sum_by_nonzero_weights"):
    """L = -D(G(z))."""
    return -_reduce(_float(discriminator_gen_outputs), weights, reduction)


# Lim & Ye 2017, "Geometric GAN" (arXiv:1705.02894); used by SAGAN and BigGAN.

def hinge_discriminator_loss(discriminator_real_outputs, discriminator_gen_outputs,
                             real_weights=1.0, generated_weights=1.0,
                             reduction="sum_by_nonzero_weights"):
    """L = max(0, 1 - D(x)) + max(0, 1 + D(G(z))).

    Equals TF-GAN's `wasserstein_hinge_discriminator_loss` with both hinges 1.
    """
    real = _float(discriminator_real_outputs)
    gen = _float(discriminator_gen_outputs)
    return (_reduce(tf.nn.relu(1.0 - real), real_weights, reduction)
            + _reduce(tf.nn.relu(1.0 + gen), generated_weights, reduction))


def hinge_generator_loss(discriminator_gen_outputs, weights=1.0,
                         reduction="sum_by_nonzero_weights"):
    """L = -D(G(z)) (the generator side of the hinge loss is the Wasserstein one)."""
    return wasserstein_generator_loss(discriminator_gen_outputs, weights, reduction)


# Jolicoeur-Martineau 2019, "The relativistic discriminator: a key element
# missing from standard GAN" (arXiv:1807.00734), the pairing form (RpGAN) that
# R3GAN (Huang et al. 2024, arXiv:2501.05441, eq. 2) trains with R1 and R2.
# Reals and fakes are paired by their index in the batch.

def relativistic_pairing_discriminator_loss(discriminator_real_outputs,
                                            discriminator_gen_outputs, weights=1.0,
                                            reduction="sum_by_nonzero_weights"):
    """L = softplus(-(D(x) - D(G(z)))) = -log(sigmoid(D(x) - D(G(z)))), per pair."""
    real = _float(discriminator_real_outputs)
    gen = _float(discriminator_gen_outputs)
    return _reduce(tf.nn.softplus(gen - real), weights, reduction)


def relativistic_pairing_generator_loss(discriminator_real_outputs,
                                        discriminator_gen_outputs, weights=1.0,
                                        reduction="sum_by_nonzero_weights"):
    """L = softplus(-(D(G(z)) - D(x))), per pair: the discriminator's loss
    with the roles of real and fake swapped."""
    return relativistic_pairing_discriminator_loss(
        discriminator_gen_outputs, discriminator_real_outputs, weights, reduction)


# Penalties. `discriminator_fn` maps images to logits; close over labels for a
# conditional discriminator.

def _gradient_squares(images, discriminator_fn):
    with tf.GradientTape() as tape:
        tape.watch(images)
        outputs = discriminator_fn(images)
        if isinstance(outputs, (tuple, list)):  # auxiliary heads: use the first
            outputs = outputs[0]
    return squared_norms(tape.gradient(outputs, images))


def squared_norms(gradients):
    """||g||^2 per example of input gradients [batch, ...] (R1, R2, WGAN-GP)."""
    return tf.reduce_sum(tf.square(gradients), axis=list(range(1, gradients.shape.rank)))


def wasserstein_gradient_penalty(real_data, generated_data, discriminator_fn,
                                 seed=None, alpha=None, epsilon=1e-10, target=1.0,
                                 one_sided=False, weights=1.0,
                                 reduction="sum_by_nonzero_weights"):
    """Gulrajani et al. 2017, "Improved Training of Wasserstein GANs" (arXiv:1704.00028).

    x_hat = x + alpha (G(z) - x), with one alpha ~ U[0, 1) per example;
    L = (sqrt(||grad D(x_hat)||^2 + epsilon) / target - 1)^2.
    `epsilon` sits inside the sqrt so the gradient of the norm is finite at 0;
    `one_sided=True` penalizes only norms above `target` (arXiv:1709.08894).

    Args:
      seed: int or `keras.random.SeedGenerator` for alpha.
      alpha: explicit interpolation weights of shape [batch, 1, ..., 1]; for
        tests and reproductions (overrides `seed`).
    Returns the penalty per example when `reduction="none"` (shape [batch]).
    """
    real = _float(real_data)
    gen = _float(generated_data)
    differences = gen - real
    if alpha is None:
        alpha_shape = [tf.shape(real)[0]] + [1] * (real.shape.rank - 1)
        alpha = keras.random.uniform(alpha_shape, seed=seed)
    interpolates = real + alpha * differences
    slopes = tf.sqrt(_gradient_squares(interpolates, discriminator_fn) + epsilon)
    penalties = slopes / target - 1.0
    if one_sided:
        penalties = tf.maximum(0.0, penalties)
    return _reduce(tf.square(penalties), weights, reduction)


def r1_penalty(real_data, discriminator_fn, weights=1.0,
               reduction="sum_by_nonzero_weights"):
    """Mescheder et al. 2018, "Which Training Methods for GANs do actually Converge?"

    L = ||grad_x D(x)||^2 on real data. The paper's regularizer is
    gamma / 2 * L; `GAN.compile(r1_weight=gamma)` applies the 1/2.
    """
    return _reduce(_gradient_squares(_float(real_data), discriminator_fn),
                   weights, reduction)


def r2_penalty(generated_data, discriminator_fn, weights=1.0,
               reduction="sum_by_nonzero_weights"):
    """R1 on generated data (Roth et al. 2017, arXiv:1705.09367; R3GAN
    applies both): L = ||grad_x D(x)||^2 at x = G(z), G held fixed.
    `GAN.compile(r2_weight=gamma)` adds gamma / 2 * L."""
    return r1_penalty(tf.stop_gradient(_float(generated_data)), discriminator_fn, weights,
                      reduction)


# Zhu et al. 2017, "Unpaired Image-to-Image Translation using Cycle-Consistent
# Adversarial Networks" (arXiv:1703.10593).

def cycle_consistency_loss(data_x, reconstructed_data_x, data_y, reconstructed_data_y,
                           reduction="sum_by_nonzero_weights"):
    """L = (mean|x - G(F(x))| + mean|y - F(G(y))|) / 2, the L1 means taken over
    each example's pixels, as TF-GAN's (the paper's lambda * (L1_x + L1_y) is
    2 * lambda times this). `reduction="none"` gives it per example [batch]."""
    def l1(data, reconstructed):
        difference = tf.abs(_float(data) - _float(reconstructed))
        return tf.reduce_mean(tf.reshape(difference, [tf.shape(difference)[0], -1]), axis=1)

    return _reduce((l1(data_x, reconstructed_data_x) + l1(data_y, reconstructed_data_y)) / 2.0,
                   1.0, reduction)
