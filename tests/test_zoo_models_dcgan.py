"""Configs and .keras files round-trip for the GAN and for every network."""
import keras
import numpy as np
import pytest

import tfgan_zoo  # noqa: F401  (registers the families with Keras)
from tfgan_zoo import GAN
from conftest import networks
from zoo_models import dcgan

NETWORKS = {
    "generator": lambda: dcgan.Generator((28, 28, 1), latent_dim=8, width=4),
    "generator_32x32x3_conditional": lambda: dcgan.Generator(
        (32, 32, 3), latent_dim=8, width=4, num_classes=10),
    "discriminator_spectral_norm_dropout": lambda: dcgan.Discriminator(
        (28, 28, 1), width=4, spectral_norm=True, dropout=0.3),
    "discriminator_32x32x3_conditional": lambda: dcgan.Discriminator(
        (32, 32, 3), width=4, num_classes=10),
    "tutorial_generator": lambda: dcgan.TutorialGenerator((28, 28, 1), latent_dim=8),
    "tutorial_discriminator": lambda: networks("dcgan", (28, 28, 1),
                                              architecture="tutorial")[1],
}


def test_the_tutorial_architecture_is_the_tutorials():
    """Parameter counts of the TF DCGAN tutorial's model.summary() (28x28x1, z 100)."""
    g, d = networks("dcgan", (28, 28, 1), architecture="tutorial")
    assert (g.count_params(), d.count_params()) == (2_330_944, 212_865)
    assert [type(layer).__name__ for layer in d.layers] == [
        "InputLayer", "Conv2D", "LeakyReLU", "Dropout", "Conv2D", "LeakyReLU", "Dropout",
        "Flatten", "Dense", "Activation"]
    assert d.get_layer("down0_act").negative_slope == 0.3
    assert d.get_layer("down0_dropout").rate == 0.3
    with pytest.raises(ValueError, match="Unknown architecture 'resnet'"):
        networks("dcgan", (28, 28, 1), architecture="resnet")
    with pytest.raises(ValueError, match="unconditional"):
        networks("dcgan", (28, 28, 1), num_classes=10, architecture="tutorial")


def inputs_for(model, n=3):
    rng = np.random.default_rng(0)
    out = [rng.normal(size=(n,) + tuple(model.inputs[0].shape[1:])).astype("float32")]
    if len(model.inputs) == 2:
        out.append(np.arange(n, dtype="int32"))
    return out if len(out) == 2 else out[0]


@pytest.mark.parametrize("name", list(NETWORKS))
def test_network_config_and_keras_file_round_trip(name, tmp_path):
    model = NETWORKS[name]()
    config = model.get_config()
    assert type(model).from_config(config).get_config() == config
    path = str(tmp_path / "net.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is type(model) and loaded.get_config() == config
    x = inputs_for(model)
    np.testing.assert_allclose(loaded(x), model(x), atol=1e-6)


@pytest.mark.parametrize("shape", [(28, 28, 1), (32, 32, 3), (64, 64, 3)])
def test_generator_makes_the_shape_the_discriminator_takes(shape):
    g, d = networks("dcgan", shape, latent_dim=8, width=4)
    images = g(np.zeros((2, 8), "float32"))
    assert images.shape == (2,) + shape
    assert d(images).shape == (2, 1)


def test_unreachable_image_shapes_are_refused():
    with pytest.raises(ValueError, match="square images"):
        dcgan.Generator((28, 32, 1))
    with pytest.raises(ValueError, match="use a side such as 28, 32 or 64"):
        dcgan.Generator((7, 7, 1))


@pytest.mark.parametrize("num_classes", [None, 10])
def test_gan_keras_file_round_trip(num_classes, tmp_path):
    g, d = networks("dcgan", (28, 28, 1), num_classes=num_classes, latent_dim=8, width=4)
    gan = GAN(g, d, seed=5)
    gan.compile(loss="hinge", d_steps=2, ema_decay=0.5,
                g_optimizer=keras.optimizers.Adam(1e-3), d_optimizer=keras.optimizers.SGD(0.1))
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (4, 28, 28, 1)).astype("float32")
    y = np.arange(4) % 10 if num_classes else None
    gan.train_on_batch(x, y)  # so the file holds optimizer state and moved EMA weights
    assert GAN.from_config(gan.get_config()).get_config() == gan.get_config()

    path = str(tmp_path / "gan.keras")
    gan.save(path)
    loaded = keras.models.load_model(path)
    labels = 7 if num_classes else None
    for use_ema in (True, False):
        np.testing.assert_array_equal(loaded.generate(6, seed=11, labels=labels, use_ema=use_ema),
                                      gan.generate(6, seed=11, labels=labels, use_ema=use_ema))
    assert loaded.get_compile_config() == gan.get_compile_config()
    assert isinstance(loaded.d_optimizer, keras.optimizers.SGD)
    assert int(loaded.d_optimizer.iterations) == 2
    for a, b in zip(loaded.g_optimizer.variables, gan.g_optimizer.variables, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    # It trains on from where it was.
    loaded.train_on_batch(x, y)
    assert int(loaded.g_optimizer.iterations) == 2


@pytest.mark.parametrize("architecture", ["dcgan", "tutorial"])
def test_mixed_precision_survives_save_and_load(architecture, tmp_path):
    """A resumed run must compute in the precision it was started in."""
    g, d = networks("dcgan", (28, 28, 1), latent_dim=8, width=4, architecture=architecture,
                       dtype_policy="mixed_bfloat16")
    assert keras.config.dtype_policy().name == "float32"  # the global policy is restored
    gan = GAN(g, d, seed=0)
    gan.compile()
    history = gan.fit(np.random.default_rng(0).uniform(-1, 1, (16, 28, 28, 1)).astype("float32"),
                      batch_size=8, epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][0])
    gan.save(tmp_path / "gan.keras")
    loaded = keras.models.load_model(tmp_path / "gan.keras")
    for original, reloaded in ((g, loaded.generator), (d, loaded.discriminator)):
        policies = [layer.dtype_policy.name for layer in reloaded.layers]
        assert policies == [layer.dtype_policy.name for layer in original.layers]
        assert policies.count("mixed_bfloat16") > len(policies) // 2
        assert policies[-1] == "float32"  # images and logits stay float32
        assert all(w.dtype == "float32" for w in reloaded.weights)
    z = np.random.default_rng(1).normal(size=(2, 8)).astype("float32")
    np.testing.assert_array_equal(g(z), loaded.generator(z))


def test_unknown_dtype_policy_is_refused():
    with pytest.raises(ValueError, match="Unknown dtype_policy 'bf16': use one of"):
        networks("dcgan", (28, 28, 1), width=4, dtype_policy="bf16")
