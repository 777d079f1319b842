"""GAN.train_step against a hand-written GradientTape reference, and its checks."""
import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_zoo
from tfgan_zoo.callbacks import StopOnNaN
import oracle

tfgan = oracle.losses_impl()

# The reference uses TF-GAN's losses (mean reduction), not ours.
REFERENCE_LOSSES = {
    "non_saturating": (tfgan.modified_generator_loss,
                       lambda r, f: tfgan.modified_discriminator_loss(r, f, label_smoothing=0.0)),
    "minimax": (tfgan.minimax_generator_loss,
                lambda r, f: tfgan.minimax_discriminator_loss(r, f, label_smoothing=0.0)),
    "least_squares": (tfgan.least_squares_generator_loss,
                      tfgan.least_squares_discriminator_loss),
    "wgan_gp": (tfgan.wasserstein_generator_loss, tfgan.wasserstein_discriminator_loss),
    "hinge": (tfgan.wasserstein_hinge_generator_loss,
              tfgan.wasserstein_hinge_discriminator_loss),
}


def clone(model):
    copy = type(model).from_config(model.get_config())
    copy.set_weights(model.get_weights())
    return copy


def dense(gradients):
    """Adam's update is of the whole gradient: an embedding's sparse one summed first."""
    return [tf.convert_to_tensor(g) for g in gradients]


def softplus(x):
    return tf.math.log1p(tf.exp(x))


# Relativistic pairing (R3GAN's eq. 2), written from the paper: D minimizes
# softplus(D(fake) - D(real)) and G softplus(D(real) - D(fake)), pair by pair.
RELATIVISTIC = {"rpgan": (lambda r, f: tf.reduce_mean(softplus(r - f)),
                          lambda r, f: tf.reduce_mean(softplus(f - r)))}


def grad_squares(D, x):
    with tf.GradientTape() as inner:
        inner.watch(x)
        out = D(x)
    return tf.reduce_sum(tf.square(inner.gradient(out, x)), axis=[1, 2, 3])


def reference_step(gan, real, loss, d_steps, gp_weight=10.0, r1_weight=0.0, labels=None,
                   r2_weight=0.0, adam=None):
    """One GAN step written out the plain way: what train_step must equal."""
    g, d = clone(gan.generator), clone(gan.discriminator)
    adam = adam or {"learning_rate": 2e-4, "beta_1": 0.5}
    g_opt, d_opt = keras.optimizers.Adam(**adam), keras.optimizers.Adam(**adam)
    seeds = keras.random.SeedGenerator(gan.seed)
    relativistic = loss in RELATIVISTIC
    g_loss_fn, d_loss_fn = {**REFERENCE_LOSSES, **RELATIVISTIC}[loss]
    batch = real.shape[0]
    G = (lambda z: g([z, labels], training=True)) if labels is not None else (
        lambda z: g(z, training=True))
    D = (lambda x: d([x, labels], training=True)) if labels is not None else (
        lambda x: d(x, training=True))
    for _ in range(d_steps):
        fake = G(keras.random.normal((batch, gan.latent_dim), seed=seeds))
        with tf.GradientTape() as tape:
            d_loss = d_loss_fn(D(real), D(fake))
            if loss == "wgan_gp":
                alpha = keras.random.uniform((batch, 1, 1, 1), seed=seeds)
                x_hat = real + alpha * (fake - real)
                with tf.GradientTape() as inner:
                    inner.watch(x_hat)
                    out = D(x_hat)
                norms = tf.sqrt(tf.reduce_sum(tf.square(inner.gradient(out, x_hat)),
                                              axis=[1, 2, 3]) + 1e-10)
                d_loss += gp_weight * tf.reduce_mean(tf.square(norms - 1.0))
            if r1_weight:
                d_loss += 0.5 * r1_weight * tf.reduce_mean(grad_squares(D, real))
            if r2_weight:
                d_loss += 0.5 * r2_weight * tf.reduce_mean(grad_squares(D, fake))
        d_opt.apply_gradients(zip(dense(tape.gradient(d_loss, d.trainable_variables)),
                                  d.trainable_variables))
    with tf.GradientTape() as tape:
        fake_out = D(G(keras.random.normal((batch, gan.latent_dim), seed=seeds)))
        g_loss = g_loss_fn(D(real), fake_out) if relativistic else g_loss_fn(fake_out)
    g_opt.apply_gradients(zip(dense(tape.gradient(g_loss, g.trainable_variables)),
                              g.trainable_variables))
    return g, d, float(g_loss), float(d_loss)


def assert_same_weights(a, b):
    for x, y in zip(a.weights, b.weights, strict=True):
        np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=1e-5, atol=1e-6, err_msg=x.path)


@pytest.mark.parametrize("loss", list(REFERENCE_LOSSES))
def test_train_step_equals_a_hand_written_tape(tiny_gan, images, loss):
    gan = tiny_gan(seed=7)
    ref_g, ref_d, ref_g_loss, ref_d_loss = reference_step(gan, tf.constant(images), loss, 1)
    gan.compile(loss=loss)
    logs = gan.train_on_batch(images, return_dict=True)
    assert_same_weights(gan.generator, ref_g)
    assert_same_weights(gan.discriminator, ref_d)
    np.testing.assert_allclose(logs["g_loss"], ref_g_loss, rtol=1e-5)
    np.testing.assert_allclose(logs["d_loss"], ref_d_loss, rtol=1e-5)
    # Every update really moved the weights (so the comparison means something).
    untouched = tiny_gan(seed=7)
    assert not np.allclose(untouched.generator.weights[0].numpy(),
                           gan.generator.weights[0].numpy())


def test_rpgan_with_r1_and_r2_equals_a_hand_written_tape(tiny_gan, images):
    gan = tiny_gan(num_classes=3, seed=5)
    labels = tf.constant([0, 1, 2, 0, 1, 2, 0, 1])
    adam = {"learning_rate": 2e-4, "beta_1": 0.0, "beta_2": 0.99}
    ref_g, ref_d, ref_g_loss, ref_d_loss = reference_step(
        gan, tf.constant(images), "rpgan", 1, r1_weight=0.3, r2_weight=0.7, labels=labels,
        adam=adam)
    gan.compile(keras.optimizers.Adam(**adam), keras.optimizers.Adam(**adam), loss="rpgan",
                r1_weight=0.3, r2_weight=0.7)
    logs = gan.train_on_batch(images, labels, return_dict=True)
    assert_same_weights(gan.generator, ref_g)
    assert_same_weights(gan.discriminator, ref_d)
    np.testing.assert_allclose([logs["g_loss"], logs["d_loss"]], [ref_g_loss, ref_d_loss],
                               rtol=1e-5)
    assert {"g_loss", "d_loss", "r1", "r2", "d_real", "d_fake"} == set(logs)


def test_a_penalty_weight_may_follow_a_keras_schedule_of_the_d_step(tiny_gan, images):
    # gamma 0.8 at D step 0, then 0.2: R3GAN decays gamma along training.
    schedule = keras.optimizers.schedules.PiecewiseConstantDecay([0], [0.8, 0.2])
    gan = tiny_gan(seed=2)
    _, ref_d, _, ref_d_loss = reference_step(gan, tf.constant(images), "rpgan", 1,
                                             r1_weight=0.8, r2_weight=0.8)
    gan.compile(loss="rpgan", r1_weight=schedule, r2_weight=schedule)
    logs = gan.train_on_batch(images, return_dict=True)
    np.testing.assert_allclose(logs["d_loss"], ref_d_loss, rtol=1e-5)
    assert_same_weights(gan.discriminator, ref_d)
    assert float(gan._gamma(gan.r1_weight)) == pytest.approx(0.2)  # D's step is now 1
    config = gan.get_compile_config()
    assert config["r1_weight"]["class_name"] == "PiecewiseConstantDecay"
    again = tiny_gan()
    again.compile(**{**config, "g_optimizer": "adam", "d_optimizer": "adam"})
    assert float(again._gamma(again.r2_weight)) == pytest.approx(0.8)


def tutorial_step(gan, real):
    """The TF DCGAN tutorial's train_step: one generator forward, two tapes."""
    g, d = clone(gan.generator), clone(gan.discriminator)
    g_opt, d_opt = keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4,
                                                                                   beta_1=0.5)
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    noise = keras.random.normal((real.shape[0], gan.latent_dim),
                                seed=keras.random.SeedGenerator(gan.seed))
    with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
        generated = g(noise, training=True)
        real_output, fake_output = d(real, training=True), d(generated, training=True)
        gen_loss = bce(tf.ones_like(fake_output), fake_output)
        disc_loss = (bce(tf.ones_like(real_output), real_output)
                     + bce(tf.zeros_like(fake_output), fake_output))
    g_opt.apply_gradients(zip(gen_tape.gradient(gen_loss, g.trainable_variables),
                              g.trainable_variables))
    d_opt.apply_gradients(zip(disc_tape.gradient(disc_loss, d.trainable_variables),
                              d.trainable_variables))
    return g, d, float(gen_loss), float(disc_loss)


def test_simultaneous_step_equals_the_tutorial_loop(tiny_gan, images):
    gan = tiny_gan(seed=3)
    ref_g, ref_d, ref_g_loss, ref_d_loss = tutorial_step(gan, tf.constant(images))
    gan.compile(simultaneous=True)
    logs = gan.train_on_batch(images, return_dict=True)
    assert_same_weights(gan.generator, ref_g)
    assert_same_weights(gan.discriminator, ref_d)
    np.testing.assert_allclose([logs["g_loss"], logs["d_loss"]], [ref_g_loss, ref_d_loss],
                               rtol=1e-5)
    alternating = tiny_gan(seed=3)
    alternating.compile()
    alternating.train_on_batch(images)
    assert not np.allclose(alternating.generator.weights[0].numpy(),
                           gan.generator.weights[0].numpy())
    with pytest.raises(ValueError, match="use d_steps=1"):
        tiny_gan().compile(simultaneous=True, d_steps=2)


def test_d_steps_and_r1_on_a_conditional_gan(tiny_gan, images):
    gan = tiny_gan(num_classes=3, seed=1)
    labels = tf.constant([0, 1, 2, 0, 1, 2, 0, 1])
    ref_g, ref_d, *_ = reference_step(gan, tf.constant(images), "non_saturating", 3,
                                      r1_weight=2.0, labels=labels)
    gan.compile(loss="non_saturating", d_steps=3, r1_weight=2.0)
    logs = gan.train_on_batch(images, labels, return_dict=True)
    assert_same_weights(gan.generator, ref_g)
    assert_same_weights(gan.discriminator, ref_d)
    assert int(gan.d_optimizer.iterations) == 3 and int(gan.g_optimizer.iterations) == 1
    assert {"g_loss", "d_loss", "r1", "d_real", "d_fake"} == set(logs)


def test_class_embeddings_take_adams_update_of_the_summed_gradient(tiny_gan):
    # Class 0 twice in a batch: its embedding row's gradient is the sum of
    # two slices (1 and 2). Adam(lr 1, beta_1 0) moves it by 3 / sqrt(3^2) = 1;
    # Keras' sparse path would take 3 / sqrt(1^2 + 2^2) = 1.34.
    gan = tiny_gan()
    table = keras.Variable(tf.zeros([3, 1]))
    with tf.GradientTape(persistent=True) as tape:
        loss = tf.reduce_sum(tf.gather(table, [0, 0]) * tf.constant([[1.0], [2.0]]))
    assert isinstance(tape.gradient(loss, table), tf.IndexedSlices)  # as an embedding's
    gan._apply(keras.optimizers.Adam(1.0, beta_1=0.0, beta_2=0.5, epsilon=1e-12), loss, tape,
               [table])
    np.testing.assert_allclose(table.numpy().ravel(), [-1.0, 0.0, 0.0], rtol=1e-6)


def test_wgan_gp_reports_the_penalty_and_d_steps_count(tiny_gan, images):
    gan = tiny_gan()
    gan.compile(loss="wgan_gp", d_steps=3)
    history = gan.fit(tf.data.Dataset.from_tensor_slices(images).batch(4), epochs=1, verbose=0,
                      shuffle=False)
    assert {"g_loss", "d_loss", "gp", "d_real", "d_fake"} == set(history.history)
    assert int(gan.d_optimizer.iterations) == 3 * int(gan.g_optimizer.iterations) == 6


def test_ema_averages_weights_and_copies_batchnorm_statistics(tiny_gan, images):
    gan = tiny_gan()
    gan.compile(ema_decay=0.9)
    before = [w.numpy() for w in gan.generator.weights]
    gan.train_on_batch(images)
    trainable = {id(w) for w in gan.generator.trainable_weights}
    for ema, live, old in zip(gan.ema_generator.weights, gan.generator.weights, before):
        expected = (0.9 * old + 0.1 * live.numpy()) if id(live) in trainable else live.numpy()
        np.testing.assert_allclose(ema.numpy(), expected, rtol=1e-5, atol=1e-7, err_msg=live.path)
    assert any("moving" in w.path for w in gan.generator.non_trainable_weights)
    assert not gan.ema_generator.trainable_weights


def test_conditional_labels_change_images_and_reach_the_discriminator(tiny_gan):
    gan = tiny_gan(num_classes=5)
    a = gan.generate(4, seed=3, labels=0)
    b = gan.generate(4, seed=3, labels=4)
    assert np.abs(a - b).max() > 1e-4
    np.testing.assert_array_equal(a, gan.generate(4, seed=3, labels=0))
    d = gan.discriminator
    # Give the class projection weights so that the label matters to D.
    d.get_layer("class_projection").embeddings.assign(
        np.random.default_rng(0).normal(size=d.get_layer("class_projection").embeddings.shape))
    a = tf.constant(a)
    out0 = d([a, tf.zeros(4, tf.int32)]).numpy()
    out4 = d([a, tf.fill([4], 4)]).numpy()
    assert np.abs(out0 - out4).max() > 1e-4


def test_generate_is_seeded_and_in_range(tiny_gan):
    gan = tiny_gan()
    a, b = gan.generate(10, seed=1, batch_size=3), gan.generate(10, seed=1)
    np.testing.assert_allclose(a, b, atol=1e-6)
    assert a.shape == (10, 8, 8, 1) and a.dtype == np.float32
    assert -1 <= a.min() and a.max() <= 1
    assert np.abs(a - gan.generate(10, seed=2)).max() > 1e-4


def test_bad_arguments_get_clear_errors(tiny_gan, images):
    gan = tiny_gan()
    with pytest.raises(ValueError, match="Unknown loss 'wgan'. Valid losses: non_saturating, "
                                         "minimax, least_squares, wgan_gp, hinge"):
        gan.compile(loss="wgan")
    # train refuses it before reading (or hashing) any data
    with pytest.raises(ValueError, match="Unknown loss 'wgan'"):
        tfgan_zoo.train("no/such/data.npz", "unused", family="dcgan", loss="wgan")
    with pytest.raises(ValueError, match="two different optimizer instances"):
        opt = keras.optimizers.Adam()
        gan.compile(g_optimizer=opt, d_optimizer=opt)
    with pytest.raises(ValueError, match="d_steps must be an integer >= 1"):
        gan.compile(d_steps=0)
    with pytest.raises(ValueError, match="labels were given but this GAN is unconditional"):
        gan.generate(2, labels=1)
    with pytest.raises(ValueError, match=r"conditional: pass labels=, an int or 2 ints in \[0, 3\)"):
        tiny_gan(num_classes=3).generate(2)
    with pytest.raises(ValueError, match=r"labels must be ints in \[0, 3\)"):
        tiny_gan(num_classes=3).generate(2, labels=[0, 3])


def test_bad_batches_get_clear_errors(tiny_gan, images):
    gan = tiny_gan()
    gan.compile()
    with pytest.raises(ValueError, match=r"images of shape \(28, 28, 1\) but the generator "
                                         r"makes \(8, 8, 1\)"):
        gan.train_on_batch(np.zeros((4, 28, 28, 1), "float32"))
    with pytest.raises(ValueError, match="gives \\(images, labels\\) but this GAN is unconditional"):
        gan.train_on_batch(images, np.zeros(8, "int32"))
    conditional = tiny_gan(num_classes=3)
    conditional.compile()
    with pytest.raises(ValueError, match="conditional \\(num_classes=3\\) but the data has no labels"):
        conditional.train_on_batch(images)


def test_a_nan_loss_stops_training_with_a_message(tiny_gan, images):
    gan = tiny_gan()
    gan.compile()
    poisoned = images.copy()
    poisoned[0, 0, 0, 0] = np.nan  # past the data checks, straight into fit
    dataset = tf.data.Dataset.from_tensor_slices(poisoned).batch(4).repeat()
    with pytest.raises(FloatingPointError, match="Training diverged at batch 0.*d_loss"):
        gan.fit(dataset, epochs=20, steps_per_epoch=5, verbose=0, shuffle=False,
                callbacks=[StopOnNaN()])
    assert int(gan.g_optimizer.iterations) == 1


def check_mixed_float16_training(images, tmp_path):
    """A mixed_float16 GAN trains with loss-scaled optimizers, finite losses
    and a loss scale that survives save and load (also run on a GPU,
    tests/test_gpu.py)."""
    from conftest import make_tiny_gan

    gan = make_tiny_gan(dtype_policy="mixed_float16")
    gan.compile()
    for optimizer in (gan.g_optimizer, gan.d_optimizer):
        assert isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
    before = [w.numpy() for w in gan.generator.weights]
    history = gan.fit(images, batch_size=4, epochs=2, verbose=0, shuffle=False).history
    assert all(np.isfinite(values).all() for values in history.values())
    scale = float(gan.d_optimizer.dynamic_scale.numpy())
    assert 1 <= scale <= 2.0 ** 15  # halved on any overflow, never gone
    assert any(not np.array_equal(b, w.numpy()) for b, w in zip(before, gan.generator.weights))
    gan.save(tmp_path / "mixed.keras")
    loaded = keras.models.load_model(tmp_path / "mixed.keras")
    assert isinstance(loaded.d_optimizer, keras.optimizers.LossScaleOptimizer)
    assert float(loaded.d_optimizer.dynamic_scale.numpy()) == scale


def test_mixed_float16_training_keeps_its_loss_scale_and_finite_losses(images, tmp_path):
    check_mixed_float16_training(images, tmp_path)
