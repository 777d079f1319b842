"""Pix2Pix and CycleGAN: train steps against hand-written tape references, the
CycleGAN history pool, .keras round trips, and their error messages."""
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_zoo
from conftest import networks
from zoo_models.cyclegan import CycleGAN
from zoo_models.pix2pix import Pix2Pix

SHAPE = (8, 8, 3)


def uniform(shape, seed):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype("float32")


X, Y = uniform((2,) + SHAPE, 1), uniform((2,) + SHAPE, 2)


def one_batch(a, b):
    return tf.data.Dataset.from_tensors((a, b))


def make_pix2pix(seed=0, dropout=0.0):
    return Pix2Pix(*networks("pix2pix", SHAPE, width=4, dropout=dropout), seed=seed)


def make_cyclegan(pool_size=0, seed=0, **options):
    return CycleGAN(*networks("cyclegan", SHAPE, width=4, num_blocks=1), pool_size=pool_size,
                    seed=seed, **options)


def clone(network):
    copy = type(network).from_config(network.get_config())
    copy.set_weights(network.get_weights())
    return copy


def adam():
    return keras.optimizers.Adam(2e-4, beta_1=0.5)


def assert_same_weights(ours, theirs, rtol=1e-5, atol=2e-5):
    """Weights after one Adam step (lr 2e-4) against a reference's. Adam's
    first step moves each weight by about lr * sign(gradient): a gradient
    near 0, summed in another order, moves a weight by a few 1e-6 (seen: one
    of 588 CycleGAN weights by 5e-6 on a host without AVX-512; two of 2,048
    Pix2Pix kernel weights by 3e-6 under a loaded pytest -n 2), hence atol
    at a tenth of lr."""
    for x, y in zip(ours.weights, theirs.weights, strict=True):
        np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=rtol, atol=atol, err_msg=x.path)


def assert_moved(before, after):
    """The step changed every network (so that matching weights means something)."""
    assert not np.allclose(before.weights[0].numpy(), after.weights[0].numpy())


def logs_of(history):
    return {name: values[-1] for name, values in history.history.items()}


# ------------------------------------------------------------------ Pix2Pix
def pix2pix_tutorial_step(model, x, y, l1_weight=100.0):
    """The TF pix2pix tutorial's train_step: one generator forward, two tapes."""
    g, d = clone(model.generator), clone(model.discriminator)
    g_opt, d_opt = adam(), adam()
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
        gen_output = g(x, training=True)
        disc_real_output = d([x, y], training=True)
        disc_generated_output = d([x, gen_output], training=True)
        gan_loss = bce(tf.ones_like(disc_generated_output), disc_generated_output)
        l1_loss = tf.reduce_mean(tf.abs(y - gen_output))
        gen_loss = gan_loss + l1_weight * l1_loss
        disc_loss = (bce(tf.ones_like(disc_real_output), disc_real_output)
                     + bce(tf.zeros_like(disc_generated_output), disc_generated_output))
    g_opt.apply_gradients(zip(gen_tape.gradient(gen_loss, g.trainable_variables),
                              g.trainable_variables))
    d_opt.apply_gradients(zip(disc_tape.gradient(disc_loss, d.trainable_variables),
                              d.trainable_variables))
    return g, d, {"g_loss": float(gen_loss), "g_adversarial": float(gan_loss),
                  "l1": float(l1_loss), "d_loss": float(disc_loss)}


def test_pix2pix_step_equals_the_tutorial_step():
    model = make_pix2pix(seed=5)
    untouched_g = clone(model.generator)
    ref_g, ref_d, ref_logs = pix2pix_tutorial_step(model, tf.constant(X), tf.constant(Y))
    model.compile()
    logs = logs_of(model.fit(one_batch(X, Y), epochs=1, verbose=0))
    assert set(logs) == {"g_loss", "g_adversarial", "l1", "d_loss"}
    for name, value in ref_logs.items():
        np.testing.assert_allclose(logs[name], value, rtol=1e-5, err_msg=name)
    # All weights, BatchNorm moving statistics included.
    assert_same_weights(model.generator, ref_g)
    assert_same_weights(model.discriminator, ref_d)
    assert_moved(untouched_g, model.generator)
    assert int(model.g_optimizer.iterations) == int(model.d_optimizer.iterations) == 1


def test_pix2pix_least_squares_logs_the_lsgan_losses():
    model = make_pix2pix(seed=2)
    # D's outputs as the step sees them: pre-step weights, BatchNorm in training mode.
    g, d = clone(model.generator), clone(model.discriminator)
    x, y = tf.constant(X), tf.constant(Y)
    fake = g(x, training=True)
    real_out = d([x, y], training=True).numpy()
    fake_out = d([x, fake], training=True).numpy()
    l1 = np.abs(Y - fake.numpy()).mean()
    model.compile(loss="least_squares")
    logs = logs_of(model.fit(one_batch(X, Y), epochs=1, verbose=0))
    d_loss = np.mean(0.5 * (real_out - 1) ** 2) + np.mean(0.5 * fake_out ** 2)
    g_adversarial = np.mean(0.5 * (fake_out - 1) ** 2)
    np.testing.assert_allclose(logs["d_loss"], d_loss, rtol=1e-5)
    np.testing.assert_allclose(logs["g_adversarial"], g_adversarial, rtol=1e-5)
    np.testing.assert_allclose(logs["l1"], l1, rtol=1e-5)
    np.testing.assert_allclose(logs["g_loss"], g_adversarial + 100 * l1, rtol=1e-5)


def test_pix2pix_train_on_batch_takes_inputs_and_targets():
    # Keras passes train_on_batch(x, y) to train_step as (x, y, None)
    model = make_pix2pix()
    model.compile()
    logs = model.train_on_batch(X, Y, return_dict=True)
    assert set(logs) == {"g_loss", "g_adversarial", "l1", "d_loss"}
    assert model.g_optimizer.iterations.numpy() == 1


# ----------------------------------------------------------------- CycleGAN
def mse(outputs, target):
    return tf.reduce_mean(tf.square(outputs - target))


def l1(x, y):
    return tf.reduce_mean(tf.abs(x - y))


def cyclegan_paper_step(model, a, b, cycle_weight=10.0, identity_weight=0.5):
    """The objective of CycleGAN's docstring (the paper's, its code's weights)."""
    g, f, d_a, d_b = (clone(n) for n in (model.generator, model.generator_ba,
                                         model.discriminator_a, model.discriminator_b))
    g_opt, d_opt = adam(), adam()
    with tf.GradientTape() as g_tape:
        fake_b, fake_a = g(a, training=True), f(b, training=True)
        adversarial = mse(d_b(fake_b, training=True), 1.0) + mse(d_a(fake_a, training=True), 1.0)
        cycle = l1(a, f(fake_b, training=True)) + l1(b, g(fake_a, training=True))
        identity = l1(b, g(b, training=True)) + l1(a, f(a, training=True))
        g_loss = adversarial + cycle_weight * cycle + identity_weight * cycle_weight * identity
    with tf.GradientTape() as d_tape:
        d_loss = ((mse(d_a(a, training=True), 1.0) + mse(d_a(fake_a, training=True), 0.0)) / 2
                  + (mse(d_b(b, training=True), 1.0) + mse(d_b(fake_b, training=True), 0.0)) / 2)
    g_vars = g.trainable_variables + f.trainable_variables
    d_vars = d_a.trainable_variables + d_b.trainable_variables
    g_opt.apply_gradients(zip(g_tape.gradient(g_loss, g_vars), g_vars))
    d_opt.apply_gradients(zip(d_tape.gradient(d_loss, d_vars), d_vars))
    logs = {"g_loss": g_loss, "g_adversarial": adversarial, "cycle": cycle,
            "identity": identity, "d_loss": d_loss}
    return (g, f, d_a, d_b), {name: float(value) for name, value in logs.items()}


def test_cyclegan_step_equals_the_papers_objective():
    model = make_cyclegan(pool_size=0, seed=4)
    untouched = clone(model.generator_ba), clone(model.discriminator_a)
    ref_networks, ref_logs = cyclegan_paper_step(model, tf.constant(X), tf.constant(Y))
    model.compile()
    logs = logs_of(model.fit(one_batch(X, Y), epochs=1, verbose=0))
    assert set(logs) == set(ref_logs)
    for name, value in ref_logs.items():
        np.testing.assert_allclose(logs[name], value, rtol=1e-5, err_msg=name)
    for ours, theirs in zip((model.generator, model.generator_ba, model.discriminator_a,
                             model.discriminator_b), ref_networks):
        assert_same_weights(ours, theirs)
    assert_moved(untouched[0], model.generator_ba)
    assert_moved(untouched[1], model.discriminator_a)
    assert int(model.g_optimizer.iterations) == int(model.d_optimizer.iterations) == 1


# Images that are told apart by their value: image k is filled with k / 512.
def tagged(first, count):
    return np.stack([np.full(SHAPE, k / 512, "float32") for k in range(first, first + count)])


def tag(image):
    values = np.unique(np.asarray(image))
    assert values.size == 1, "an image came back mixed"
    return int(round(values[0] * 512))


def pool_state(model, domain="a"):
    pool, count = model.pools[domain]
    return [tag(image) for image in pool.numpy()[:int(count.numpy())]], int(count.numpy())


def test_cyclegan_history_pool(tmp_path):
    model = make_cyclegan(pool_size=3, seed=11)
    # Filling: the first 3 fakes are stored in order and come back unchanged.
    out = model._from_pool("a", tf.constant(tagged(1, 2)))
    assert [tag(i) for i in out.numpy()] == [1, 2]
    assert pool_state(model) == ([1, 2], 2)
    out = model._from_pool("a", tf.constant(tagged(3, 2)))
    assert tag(out[0]) == 3  # the third fills the pool
    assert pool_state(model)[1] == 3
    stored = [1, 2, 3]
    if tag(out[1]) != 4:  # the fourth was already swapped for a stored one
        slot = stored.index(tag(out[1]))
        stored[slot] = 4
    assert pool_state(model) == (stored, 3)
    assert pool_state(model, "b") == ([], 0)  # each domain has its own pool

    # Full: each fake comes back either as itself (pool unchanged) or swapped
    # for a stored one, which it replaces in that slot.
    swaps, slots, draws = 0, [0, 0, 0], 0
    for first in range(5, 205, 2):
        out = model._from_pool("a", tf.constant(tagged(first, 2)))
        for new, got in zip((first, first + 1), (tag(i) for i in out.numpy())):
            draws += 1
            if got != new:
                assert got in stored, f"fake {new} came back as {got}, not in the pool {stored}"
                slot = stored.index(got)
                stored[slot], swaps = new, swaps + 1
                slots[slot] += 1
        assert pool_state(model) == (stored, 3)
    assert draws == 200
    assert 0.35 <= swaps / draws <= 0.65, swaps
    assert min(slots) >= 0.2 * swaps, slots  # a random slot, not always the same one

    # The pools and the draws that come next survive a .keras round trip.
    path = str(tmp_path / "pool.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    for domain in "ab":
        for ours, theirs in zip(model.pools[domain], loaded.pools[domain]):
            np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    new = tf.constant(tagged(300, 2))
    np.testing.assert_array_equal(model._from_pool("a", new).numpy(),
                                  loaded._from_pool("a", new).numpy())
    assert pool_state(model) == pool_state(loaded)


# -------------------------------------------------------------- save / load
def round_trip(model, path):
    model.save(path)
    return keras.models.load_model(path)


@pytest.mark.parametrize("family", ["pix2pix", "cyclegan"])
def test_keras_round_trip_resumes_the_same_training(family, tmp_path):
    if family == "pix2pix":
        # Dropout on, so the step depends on the saved RNG state.
        model = make_pix2pix(seed=3, dropout=0.5)
        model.compile(loss="least_squares",
                      g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.4),
                      d_optimizer=keras.optimizers.Adam(3e-4, beta_1=0.5))
    else:
        # A full pool, so the step depends on the pool and the saved draws.
        model = make_cyclegan(pool_size=3, seed=3)
        model.compile()
    model.fit(tf.data.Dataset.from_tensor_slices((uniform((4,) + SHAPE, 5),
                                                  uniform((4,) + SHAPE, 6))).batch(2),
              epochs=1, verbose=0)
    if family == "cyclegan":  # 4 fakes per domain went through pools of 3
        for domain in "ab":
            pool, count = model.pools[domain]
            assert int(count.numpy()) == 3 and np.abs(pool.numpy()).min() > 0
    loaded = round_trip(model, str(tmp_path / f"{family}.keras"))
    assert type(loaded) is type(model)
    assert loaded.get_compile_config() == model.get_compile_config()
    assert loaded.get_compile_config() is not None
    images = uniform((3,) + SHAPE, 7)
    np.testing.assert_array_equal(loaded.translate(images), model.translate(images))
    if family == "cyclegan":
        np.testing.assert_array_equal(loaded.translate(images, reverse=True),
                                      model.translate(images, reverse=True))

    before = [w.numpy() for w in model.weights]
    for m in (model, loaded):
        m.fit(one_batch(X, Y), epochs=1, verbose=0)
    assert not np.allclose(before[0], model.weights[0].numpy())
    assert_same_weights(loaded, model, rtol=1e-6, atol=1e-6)
    for ours, theirs in ((model.g_optimizer, loaded.g_optimizer),
                         (model.d_optimizer, loaded.d_optimizer)):
        assert int(ours.iterations) == int(theirs.iterations) == 3
        for x, y in zip(ours.variables, theirs.variables, strict=True):
            np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=1e-6, atol=1e-6)


# ------------------------------------------------------------------- errors
def test_pix2pix_refuses_unpaired_batches_and_wrong_shapes():
    model = make_pix2pix()
    with pytest.raises(ValueError, match=r"Unknown loss 'hinge': use one of non_saturating, "
                                         r"least_squares"):
        model.compile(loss="hinge")
    model.compile()
    with pytest.raises(ValueError, match=r"trains on \(inputs, targets\) batches.*load_paired"):
        model.fit(tf.data.Dataset.from_tensors(X), epochs=1, verbose=0)
    big = uniform((2, 16, 16, 3), 0)
    with pytest.raises(ValueError, match=r"The input has images of shape \(16, 16, 3\) but "
                                         r"the network takes \(8, 8, 3\)"):
        model.fit(one_batch(big, big), epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"The targets have shape \(8, 8, 1\) but the "
                                         r"generator makes \(8, 8, 3\)"):
        model.fit(one_batch(X, X[..., :1]), epochs=1, verbose=0)


@pytest.mark.parametrize("shape", [(2, 16, 16, 3), (2, 8, 8, 1), (8, 8, 1), (8, 3)])
def test_translate_names_the_shape_it_takes(shape):
    model = make_pix2pix()
    with pytest.raises(ValueError, match=rf"Cannot translate images of shape "
                                         rf"\({', '.join(map(str, shape))},?\): the "
                                         rf"generator takes \[N, 8, 8, 3\] "
                                         rf"\(or one \(8, 8, 3\) image\)"):
        model.translate(np.zeros(shape, "float32"))
    # The right shapes translate, one image or a batch.
    assert model.translate(np.zeros(SHAPE, "uint8")).shape == SHAPE


def test_cyclegan_refusals():
    model = make_cyclegan()
    model.compile()
    with pytest.raises(ValueError, match=r"CycleGAN trains on \(images_a, images_b\) batches"
                                         r".*load_unpaired"):
        model.fit(tf.data.Dataset.from_tensors(X), epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"Domain B has images of shape \(8, 8, 1\) but the "
                                         r"network takes \(8, 8, 3\)"):
        model.fit(one_batch(X, X[..., :1]), epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"Cannot translate .* the generator takes "
                                         r"\[N, 8, 8, 3\]"):
        model.translate(np.zeros((2, 8, 8, 1), "float32"), reverse=True)
    nets = networks("cyclegan", (8, 8, 3), (8, 8, 1), width=4, num_blocks=1,
                    identity_weight=0.0)
    with pytest.raises(ValueError, match=r"identity loss needs domains with the same channels "
                                         r"\(A \(8, 8, 1\), B \(8, 8, 3\)\): set "
                                         r"identity_weight=0"):
        CycleGAN(*nets, identity_weight=0.5)
    assert CycleGAN(*nets, identity_weight=0.0).identity_weight == 0.0


PAIRS = (np.zeros((4,) + SHAPE, "uint8"), np.zeros((4,) + SHAPE, "uint8"))


@pytest.mark.parametrize("options, named", [
    ({"ema_decay": 0.9}, "ema_decay"),
    ({"conditional": True}, "conditional"),
    ({"d_steps": 2, "simultaneous": True}, "d_steps"),
])
def test_train_refuses_gan_options_for_pix2pix(options, named, tmp_path):
    out = tmp_path / "run"
    with pytest.raises(ValueError, match=f"{named} does not apply to family 'pix2pix' "
                                         r"\(paired_translation\): it applies to generation"):
        tfgan_zoo.train(PAIRS, str(out), family="pix2pix", batch_size=2, width=4, **options)
    assert not os.path.exists(out)


def test_train_refuses_other_losses_for_cyclegan(tmp_path):
    with pytest.raises(ValueError, match="CycleGAN trains with its least-squares loss, "
                                         "not 'hinge'"):
        tfgan_zoo.train(PAIRS, str(tmp_path / "run"), family="cyclegan", loss="hinge",
                        batch_size=2, width=4, num_blocks=1)
    assert not os.path.exists(tmp_path / "run")  # refused before anything was written


def test_a_subclassed_network_tells_its_input_shape_by_an_attribute():
    from tfgan_zoo import images

    class Lazy(keras.Model):
        def call(self, x):
            return x

    assert images.input_shape(keras.Sequential([keras.Input((4, 5, 3)),
                                                keras.layers.Identity()])) == (4, 5, 3)
    with pytest.raises(ValueError, match="Lazy has no functional inputs: give it an "
                                         "`input_image_shape` attribute"):
        images.input_shape(Lazy())
    lazy = Lazy()
    lazy.input_image_shape = (8, 8, 1)
    assert images.input_shape(lazy) == (8, 8, 1)
