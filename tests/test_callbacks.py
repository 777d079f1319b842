"""DivergenceGuard: stops exploding logits and collapsed generators, and
leaves healthy, untrained and shipped GANs alone."""
import json

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_zoo
from conftest import build, make_tiny_gan
from tfgan_zoo.callbacks import (DivergenceGuard, HistoryFile, StopOnNaN, TrainingDiverged,
                                 sample_diversity)
from tfgan_zoo.gan import GAN

LOGS = {"g_loss": 0.7, "d_loss": 1.3}


def compiled(gan, learning_rate=2e-4):
    gan.compile(g_optimizer=keras.optimizers.Adam(learning_rate, beta_1=0.5),
                d_optimizer=keras.optimizers.Adam(learning_rate, beta_1=0.5))
    return gan


def dataset(images):
    return tf.data.Dataset.from_tensor_slices(images).batch(4).repeat()


def guarded(gan, **options):
    guard = DivergenceGuard(**options)
    guard.set_model(gan)
    gan.stop_training = False  # as fit starts
    guard.on_train_begin()
    guard.on_epoch_begin(0)
    return guard


def constant_gan():
    """A GAN whose generator ignores z: one learned image for every latent."""
    z = keras.Input((4,))
    ones = keras.layers.Lambda(lambda z: keras.ops.ones_like(z[:, :1]))(z)
    image = keras.layers.Reshape((8, 8, 1))(keras.layers.Dense(64, activation="tanh")(ones))
    return GAN(keras.Model(z, image), make_tiny_gan().discriminator)


def test_sample_diversity_is_zero_for_one_image_and_high_for_distinct_ones():
    rng = np.random.default_rng(0)
    one = rng.uniform(-1, 1, (1, 8, 8, 1))
    assert sample_diversity(np.repeat(one, 64, axis=0)) == pytest.approx(0.0, abs=1e-9)
    assert sample_diversity(np.full((64, 8, 8, 1), -1.0)) == 0.0  # blank, not 0 / 0
    # Scale-free: faint but distinct samples (an untrained generator) are diverse.
    distinct = rng.uniform(-1, 1, (64, 8, 8, 1))
    assert sample_diversity(distinct) == pytest.approx(sample_diversity(0.01 * distinct))
    assert sample_diversity(distinct) > 0.9


def test_exploding_logits_stop_at_once_saying_what_to_change(tiny_gan):
    guard = guarded(compiled(tiny_gan(), learning_rate=10.0))
    guard.on_train_batch_end(0, dict(LOGS, d_real=9e3, d_fake=-9e3))  # below 1e4: fine
    with pytest.raises(TrainingDiverged, match=(
            r"epoch 1, batch 3: .*d_real=2e\+04, d_fake=-0.5 .*Lower the learning rate "
            r"\(--learning-rate, now 10\), or train with --loss wgan_gp, or with a family "
            r"option that regularizes D")):
        guard.on_train_batch_end(3, dict(LOGS, d_real=2e4, d_fake=-0.5))


def test_a_huge_learning_rate_stops_fit_within_two_steps(tiny_gan, images):
    # Without the guard this run finishes: d_real/d_fake reach 1e5 at its
    # second step, finite, so StopOnNaN never fires.
    gan = compiled(tiny_gan(), learning_rate=100.0)
    with pytest.raises(TrainingDiverged, match="epoch 1, batch 1: the mean discriminator logits"):
        gan.fit(dataset(images), epochs=5, steps_per_epoch=4, verbose=0, shuffle=False,
                callbacks=[StopOnNaN(), DivergenceGuard()])
    assert int(gan.g_optimizer.iterations) == 2


def test_a_collapsed_generator_stops_fit_after_its_epoch_is_written(images, tmp_path):
    gan = compiled(constant_gan())
    history = tmp_path / "history.json"
    with pytest.raises(TrainingDiverged, match=(
            r"collapsed by epoch 1: its 64 samples from fixed latents are nearly one image "
            r"\(diversity 0.000, below 0.25.*Lower the learning rate")):
        gan.fit(dataset(images), epochs=3, steps_per_epoch=2, verbose=0, shuffle=False,
                callbacks=[DivergenceGuard(min_steps=0), HistoryFile(str(history))])
    assert int(gan.g_optimizer.iterations) == 2  # one epoch, not three
    # The callbacks after the guard still wrote that epoch.
    assert len(json.loads(history.read_text())["g_loss"]) == 1


def test_collapse_is_judged_only_from_min_steps_generator_steps_on(images):
    gan = compiled(constant_gan())
    with pytest.raises(TrainingDiverged, match=r"collapsed by epoch 2: "):
        gan.fit(dataset(images), epochs=4, steps_per_epoch=2, verbose=0, shuffle=False,
                callbacks=[DivergenceGuard(min_steps=3)])
    assert int(gan.g_optimizer.iterations) == 4  # epoch 1 (2 steps) was not judged


def test_warn_mode_warns_once_per_kind_and_trains_on(images):
    gan = compiled(constant_gan())
    guard = DivergenceGuard(action="warn", min_steps=0)
    with pytest.warns(RuntimeWarning) as caught:
        gan.fit(dataset(images), epochs=3, steps_per_epoch=2, verbose=0, shuffle=False,
                callbacks=[guard])
        guard.on_train_batch_end(0, dict(LOGS, d_real=1e5, d_fake=0.0))
        guard.on_train_batch_end(1, dict(LOGS, d_real=1e5, d_fake=0.0))
    messages = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert [m.split(":")[0] for m in messages] == [
        "The generator collapsed by epoch 1", "Training diverged in epoch 3, batch 0"]
    assert int(gan.g_optimizer.iterations) == 6


def test_an_unknown_action_is_refused():
    with pytest.raises(ValueError, match="action must be 'stop' or 'warn', got 'raise'"):
        DivergenceGuard(action="raise")


def test_the_shipped_dcgan_preset_passes():
    gan = tfgan_zoo.from_preset("dcgan_fashion_mnist")
    guard = guarded(gan, min_steps=0)
    guard.on_epoch_end(0)
    assert not gan.stop_training
    assert sample_diversity(gan.generate(64, seed=0)) > 0.7  # measured 0.76


@pytest.mark.parametrize("shape, width", [((28, 28, 1), 32), ((28, 28, 1), 64),
                                          ((64, 64, 3), 16)])
def test_untrained_generators_pass_though_their_samples_are_faint(shape, width):
    keras.utils.set_random_seed(0)
    gan = build("dcgan", shape, width=width)
    samples = gan.generate(64, seed=0)
    assert samples.std(axis=0).mean() < 0.05  # faint: a plain std would call this collapse
    guard = guarded(gan, min_steps=0)
    guard.on_epoch_end(0)
    assert not gan.stop_training


def test_the_first_epoch_of_normal_training_passes(tiny_gan, images):
    gan = compiled(tiny_gan())
    gan.fit(dataset(images), epochs=2, steps_per_epoch=4, verbose=0, shuffle=False,
            callbacks=[StopOnNaN(), DivergenceGuard(min_steps=0)])
    assert int(gan.g_optimizer.iterations) == 8
