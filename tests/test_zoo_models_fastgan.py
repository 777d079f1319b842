"""The fastgan family: FastGAN's discriminator and its reconstruction loss
(checked against numpy), the loss reaching D's objective through Keras's
add_loss, and train / resume / finetune through the engine."""
import json
import os

import keras
import numpy as np
import pytest

import tfgan_zoo
from zoo_models import fastgan
from zoo_models.fastgan import networks


def test_quarters_follow_the_place_in_the_batch():
    x = np.arange(5 * 4 * 4 * 1, dtype="float32").reshape(5, 4, 4, 1)
    picked = networks._quarter(x, keras.ops.one_hot(np.arange(5) % 4, 4)).numpy()
    expected = [x[0, :2, :2], x[1, :2, 2:], x[2, 2:, :2], x[3, 2:, 2:], x[4, :2, :2]]
    np.testing.assert_array_equal(picked, np.stack(expected))


def test_reconstruction_loss_equals_numpy_and_passes_logits_through():
    layer = networks.Reconstruction(8, 3, weight=0.5)
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(4, 25)).astype("float32")
    images = rng.uniform(-1, 1, (4, 32, 32, 3)).astype("float32")
    last = rng.normal(size=(4, 8, 8, 16)).astype("float32")
    before = rng.normal(size=(4, 16, 16, 8)).astype("float32")
    out = layer([logits, images, last, before], training=False)
    np.testing.assert_array_equal(out.numpy(), logits)
    whole = layer.whole(last, training=False).numpy()
    part = layer.part(networks._quarter(before, np.eye(4, dtype="float32")),
                      training=False).numpy()
    assert whole.shape == part.shape == (4, 32, 32, 3)
    quarters = np.stack([images[0, :16, :16], images[1, :16, 16:], images[2, 16:, :16],
                         images[3, 16:, 16:]])
    # a 16x16 quarter upsampled 2x, bilinear: the decoders see the quarter at 32x32
    upsampled = keras.ops.image.resize(quarters, (32, 32), antialias=True).numpy()
    expected = 0.5 * (np.mean((whole - images) ** 2) + np.mean((part - upsampled) ** 2)) / 4
    np.testing.assert_allclose(float(layer.losses[0]), expected, rtol=1e-5)


def test_shapes_classes_and_a_clear_error():
    gan = fastgan.build_model({"image_shape": (32, 32, 3), "num_classes": 3}, width=4, d_width=4)
    z = np.random.default_rng(0).normal(size=(3, 64)).astype("float32")
    made = gan.generator([z, np.array([0, 1, 2])]).numpy()
    assert made.shape == (3, 32, 32, 3)
    assert gan.discriminator([made, np.array([0, 1, 2])]).shape == (3, 25)  # 8x8 -> 5x5
    grey = fastgan.build_model({"image_shape": (28, 28, 1), "num_classes": None}, width=4,
                               d_width=4)
    assert grey.discriminator(grey.generator(z)).shape == (3, 16)  # 7x7 -> 4x4
    with pytest.raises(ValueError, match="square images of a side of at least 16"):
        networks.Discriminator((30, 30, 3))


def test_the_reconstruction_of_the_reals_joins_d_loss():
    """D's loss with the reconstruction exceeds the same networks' loss
    without it by the reconstruction of the reals (the fakes' is ignored)."""
    rng = np.random.default_rng(0)
    real, fake = (keras.ops.convert_to_tensor(rng.uniform(-1, 1, (8, 16, 16, 1)), "float32")
                  for _ in range(2))
    gan = fastgan.build_model({"image_shape": (16, 16, 1), "num_classes": None}, width=4,
                              d_width=4)
    gan.compile(loss="hinge")
    layer = gan.discriminator.get_layer("reconstruction")
    losses = {}
    for weight in (0.0, 1.0):
        layer.weight = weight
        losses[weight] = float(np.mean(gan._d_objective(real, None, 8, False, fake=fake)[0]))
    gan.discriminator(real, training=False)
    recon = float(gan.discriminator.losses[0])
    assert recon > 0
    np.testing.assert_allclose(losses[1.0] - losses[0.0], recon, rtol=1e-4)


def test_train_resumes_exactly_and_finetunes(tmp_path):
    x = np.random.default_rng(0).integers(0, 256, (16, 16, 16, 3)).astype(np.uint8)
    options = dict(family="fastgan", batch_size=8, width=4, d_width=4, latent_dim=8,
                   verbose=0)
    straight = tfgan_zoo.train(x, str(tmp_path / "straight"), epochs=2, **options)
    run = json.load(open(tmp_path / "straight" / "run.json"))
    assert run["loss"] == "hinge" and run["augment"] == "diffaugment"
    tfgan_zoo.train(x, str(tmp_path / "resumed"), epochs=1, **options)
    resumed = tfgan_zoo.train(x, str(tmp_path / "resumed"), epochs=2, **options)
    for a, b in zip(straight.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)
    decoder = straight.discriminator.get_layer("reconstruction").whole
    assert all(np.abs(w).sum() > 0 for w in decoder.get_weights())
    tfgan_zoo.finetune(str(tmp_path / "straight" / "model.keras"), x, str(tmp_path / "tuned"),
                       epochs=1, batch_size=8)
    assert os.path.exists(tmp_path / "tuned" / "model.keras")
    # (G is the projected family's FastGAN-lite, whose export test_zoo_models_projected checks)
