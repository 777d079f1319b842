"""The R3GAN family's networks against numpy references and the paper's code's
numbers (resampling, blocks, initialization, parameter counts)."""
import json
import math

import keras
import numpy as np
import pytest
import tensorflow as tf
from export_checks import check_serving, check_tflite

from tfgan_zoo import export

from zoo_models import r3gan
from zoo_models.r3gan.layers import GAIN, ResidualBlock, Resample, downsample_axis, upsample_axis
from zoo_models.r3gan.networks import Discriminator, Generator


def leaky(x):
    return np.where(x > 0, x, 0.2 * x)


def test_resampling_is_the_papers_bilinear_filter_with_zero_borders():
    row = tf.constant([[1.0, 2.0, 3.0, 4.0]])
    np.testing.assert_allclose(upsample_axis(row, 1).numpy(),
                               [[0.75, 1.25, 1.75, 2.25, 2.75, 3.25, 3.75, 3.0]])
    np.testing.assert_allclose(downsample_axis(row, 1).numpy(), [[1.5, 2.875]])
    up = Resample("up")(tf.ones((1, 4, 4, 2)))[0, ..., 0].numpy()
    assert up.shape == (8, 8)
    np.testing.assert_allclose(up[[0, 0, 7], [0, 3, 7]], [0.5625, 0.75, 0.5625])
    np.testing.assert_allclose(up[1:7, 1:7], 1.0)
    np.testing.assert_allclose(Resample("down")(tf.ones((1, 4, 4, 1))).numpy(), 49 / 64)
    # Up then down keeps a constant away from the borders; both are linear.
    both = Resample("down")(Resample("up")(np.ones((1, 6, 6, 1), "float32"))).numpy()
    np.testing.assert_allclose(both[0, 1:5, 1:5, 0], 1.0)
    assert both[0, 0, 0, 0] < 1.0
    x = np.random.default_rng(0).normal(size=(2, 6, 6, 3)).astype("float32")
    np.testing.assert_allclose(Resample("up")(2.0 * x).numpy(), 2.0 * Resample("up")(x).numpy(),
                               rtol=1e-6)


def test_a_residual_block_equals_its_numpy_reference():
    rng = np.random.default_rng(1)
    block = ResidualBlock(channels=4, cardinality=2, expansion=2, kernel_size=3,
                          total_blocks=3)
    x = rng.normal(size=(2, 5, 5, 4)).astype("float32")
    block(x)
    np.testing.assert_array_equal(block(x).numpy(), x)  # fix-up: the identity at init
    for weight in block.weights:  # nonzero everywhere, so every term shows
        weight.assign(rng.normal(scale=0.5, size=weight.shape).astype("float32"))
    expand, bias1, grouped, bias2, project = (w.numpy() for w in (
        block.expand.kernel, block.act1.bias, block.grouped.kernel, block.act2.bias,
        block.project.kernel))
    h = leaky(np.einsum("nhwc,cd->nhwd", x, expand[0, 0]) + bias1)
    padded = np.pad(h, [(0, 0), (1, 1), (1, 1), (0, 0)])
    out = np.zeros_like(h)
    for g in range(2):  # 8 channels in 2 groups of 4
        cols = slice(4 * g, 4 * g + 4)
        for i in range(3):
            for j in range(3):
                out[..., cols] += np.einsum("nhwc,cd->nhwd", padded[:, i:i + 5, j:j + 5, cols],
                                            grouped[i, j, :, cols])
    h = leaky(out + bias2)
    expected = x + np.einsum("nhwc,cd->nhwd", h, project[0, 0])
    np.testing.assert_allclose(block(x).numpy(), expected, rtol=1e-4, atol=1e-5)


def test_initialization_is_msr_with_fixup_and_the_networks_start_linear():
    keras.utils.set_random_seed(0)
    g = Generator((28, 28, 1), widths=(128, 128, 64), blocks=(2, 2, 2),
                  cardinalities=(16, 16, 8))
    block = g.get_layer("stage1_block0")
    a = GAIN * 6 ** -0.25  # six blocks in all
    np.testing.assert_allclose(np.std(block.expand.kernel.numpy()), a / math.sqrt(128),
                               rtol=0.05)
    np.testing.assert_allclose(np.std(block.grouped.kernel.numpy()),
                               a / math.sqrt(256 / 16 * 9), rtol=0.05)
    assert not np.any(block.project.kernel.numpy()) and not np.any(block.act1.bias.numpy())
    z = np.random.default_rng(0).normal(size=(3, 64)).astype("float32")
    np.testing.assert_allclose(g(2.5 * z).numpy(), 2.5 * g(z).numpy(), rtol=1e-4, atol=1e-6)
    d = Discriminator((28, 28, 1), widths=(64, 128, 128), blocks=(2, 2, 2),
                      cardinalities=(8, 16, 16))
    images = np.random.default_rng(1).normal(size=(3, 28, 28, 1)).astype("float32")
    np.testing.assert_allclose(d(-3.0 * images).numpy(), -3.0 * d(images).numpy(), rtol=1e-4,
                               atol=1e-6)
    assert not np.any(d(np.zeros_like(images)).numpy())


@pytest.mark.parametrize("shape, classes, widths, blocks, groups, counts", [
    ((28, 28, 1), None, (128, 128, 64), (1, 1, 1), (16, 16, 8), (263_616, 255_552)),
    ((28, 28, 1), None, (128, 128, 64), (2, 2, 2), (16, 16, 8), (504_512, 496_448)),
    ((32, 32, 3), None, (128, 128, 128, 64), (1,) * 4, (16, 16, 16, 8), (362_432, 354_368)),
    # The paper's CIFAR-10 networks (class-conditional), counted by its code.
    ((32, 32, 3), 10, (768,) * 4, (2,) * 4, (96,) * 4, (20_781_952, 21_280_512)),
])
def test_parameter_counts_equal_the_papers_layer_bookkeeping(shape, classes, widths, blocks,
                                                            groups, counts):
    g = Generator(shape, widths=widths, blocks=blocks, cardinalities=groups,
                  num_classes=classes)
    d = Discriminator(shape, widths=widths[::-1], blocks=blocks[::-1],
                      cardinalities=groups[::-1], num_classes=classes,
                      embedding_dim=widths[0])
    assert (g.count_params(), d.count_params()) == counts


def test_the_family_builds_every_size_conditional_and_round_trips(tmp_path):
    assert r3gan.stage_widths(64, 128) == (128, 128, 128, 64, 32)
    gan = r3gan.build_model({"image_shape": (32, 32, 3), "num_classes": 4}, width=32)
    labels = np.array([0, 1, 2, 3])
    z = np.random.default_rng(0).normal(size=(4, 64)).astype("float32")
    images = gan.generator([z, labels]).numpy()
    assert images.shape == (4, 32, 32, 3)
    assert gan.discriminator([images, labels]).shape == (4, 1)
    # Class weights: one-hot rows give the class ids' images (latent walks).
    np.testing.assert_allclose(gan.generator([z, np.eye(4, dtype="float32")]).numpy(),
                               images, atol=1e-5)
    config = json.loads(json.dumps(keras.saving.serialize_keras_object(gan.generator)))
    rebuilt = keras.saving.deserialize_keras_object(config)
    rebuilt.set_weights(gan.generator.get_weights())
    np.testing.assert_array_equal(rebuilt([z, labels]).numpy(), images)
    for shape in ((28, 28, 1), (64, 64, 3)):
        built = r3gan.build_model({"image_shape": shape, "num_classes": None}, width=16,
                                  group_size=8)
        assert built.generator(z).shape[1:] == shape


@pytest.mark.parametrize("options, message", [
    ({"group_size": 7}, r"group_size 7 does not divide the 256 expanded channels"),
    ({"shape": (30, 30, 1)}, r"stages cannot reach 30x30"),
    ({"shape": (28, 32, 1)}, r"needs square"),
])
def test_bad_sizes_are_clear_errors(options, message):
    shape = options.pop("shape", (28, 28, 1))
    with pytest.raises(ValueError, match=message):
        r3gan.build_model({"image_shape": shape, "num_classes": None}, **options)


def test_train_decays_lr_and_gamma_along_one_cosine_over_decay_epochs(tmp_path):
    import tfgan_zoo

    x = np.random.default_rng(0).integers(0, 256, (32, 8, 8, 1)).astype(np.uint8)
    options = dict(family="r3gan", batch_size=8, width=8, group_size=8,
                   latent_dim=8, decay_epochs=4, verbose=0)
    gan = tfgan_zoo.train(x, str(tmp_path), epochs=1, **options)
    # 4 steps of 8 done, of a 16-step schedule: R3GAN's half-cosine from 2e-4 to 5e-5.
    expected = 5e-5 + (2e-4 - 5e-5) * 0.5 * (1 + math.cos(math.pi * 4 / 16))
    np.testing.assert_allclose(float(gan.g_optimizer.learning_rate), expected, rtol=1e-5)
    gamma = 0.005 + (0.05 - 0.005) * 0.5 * (1 + math.cos(math.pi * 4 / 16))
    np.testing.assert_allclose(float(gan._gamma(gan.r2_weight)), gamma, rtol=1e-5)
    resumed = tfgan_zoo.train(x, str(tmp_path), epochs=2, **options)  # the same schedule
    expected = 5e-5 + (2e-4 - 5e-5) * 0.5 * (1 + math.cos(math.pi * 8 / 16))
    np.testing.assert_allclose(float(resumed.d_optimizer.learning_rate), expected, rtol=1e-5)
    run = json.load(open(tmp_path / "run.json"))
    assert run["decay_epochs"] == 4 and run["loss"] == "rpgan"  # the family's LOSS
    assert gan.loss_name == "rpgan"


def test_a_conditional_r3gan_exports_to_savedmodel_and_float32_and_dynamic_tflite(tmp_path):
    """The grouped convolutions (one per group, then concatenated) and the
    bilinear resampling convert to LiteRT and run there; the SavedModel's
    signatures equal Keras."""
    gan = r3gan.build_model({"image_shape": (32, 32, 3), "num_classes": 3}, width=16,
                            group_size=8)
    gan.compile(ema_decay=0.9)
    # The fix-up initialization zeroes each block's last layer: perturb every
    # weight so that the residual branches (the grouped convolutions) carry signal.
    rng = np.random.default_rng(0)
    for network, scale in ((gan.generator, 1.0), (gan.ema_generator, 0.5)):
        network.set_weights([w * scale + rng.normal(0, 0.05, w.shape).astype(w.dtype)
                             for w in network.get_weights()])
    check_serving(gan, export.export_serving(gan, tmp_path / "models", name="r3gan"),
                  str(tmp_path))
    # float16 and int8: the preset r3gan_fashion_mnist's (test_presets.py)
    for quantize in sorted(set(export.QUANTIZATIONS) - {"float16", "int8"}):
        path = export.export_tflite(gan, str(tmp_path / f"{quantize}.tflite"),
                                    quantize=quantize)
        check_tflite(gan, path, quantize)
