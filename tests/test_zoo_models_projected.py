"""The projected family: its feature network against timm's own outputs
(tests/fixtures/efficientnet_lite0.json, written by tools/efficientnet_fixture.py
with torch and timm), its networks' shapes, frozen parts and round trips,
and train / resume / finetune / export through the engine."""
import json
import os

import keras
import numpy as np
import pytest
from conftest import assert_equals_torch
from export_checks import check_serving, check_tflite

import tfgan_zoo
from tfgan_zoo import export
from zoo_models import projected
from zoo_models.projected import features

import efficientnet_fixture  # tools/ (conftest)

FIXTURE = "efficientnet_lite0.json"
# Feature values reach 54; 16 blocks of float32 convolutions, summed in other
# orders by TF and torch, differ by up to 8.3e-5 (measured 2026-12-06), i.e.
# 1.6e-6 of the largest value. A wrong padding, layout or folding moves them by 1e-1.
FLOAT32_NOISE = 3e-4


def test_keras_efficientnet_lite0_equals_timm_at_the_four_taps():
    net = features.load_network()
    taps = net(efficientnet_fixture.images().astype(np.float32) / 127.5 - 1)
    assert [t.shape[-1] for t in taps] == list(features.CHANNELS)
    for i, tap in enumerate(taps):
        assert_equals_torch(FIXTURE, f"tap{i}", tap.numpy(), FLOAT32_NOISE)


def test_networks_shapes_classes_and_frozen_features():
    gan = projected.build_model({"image_shape": (32, 32, 3), "num_classes": 3}, width=8,
                                head_width=4)
    z = np.random.default_rng(0).normal(size=(3, 64)).astype("float32")
    labels = np.array([0, 1, 2])
    made = gan.generator([z, labels]).numpy()
    assert made.shape == (3, 32, 32, 3) and np.abs(made).max() <= 1.0
    # class weights: one-hot rows give the class ids' images (latent walks)
    np.testing.assert_allclose(gan.generator([z, np.eye(3, dtype="float32")]).numpy(), made,
                               atol=1e-5)
    logits = gan.discriminator([made, labels])
    # heads on the CSM outputs at 16, 8, 4 and 2 px (twice the taps' 8, 4, 2, 1):
    # 16 -> 8 then a 4x4 valid conv: 5x5; 8: 5x5; 4: 1x1; 2: a 2x2 conv, 1x1
    assert logits.shape == (3, 25 + 25 + 1 + 1)
    net = gan.discriminator.get_layer("efficientnet_lite0_features")
    assert not net.trainable and not net.trainable_weights
    for reference, loaded in zip(features.load_network().get_weights(), net.get_weights()):
        np.testing.assert_array_equal(reference, loaded)  # the ImageNet weights
    frozen = {w.path for w in gan.discriminator.non_trainable_weights}
    assert any("ccm0" in p for p in frozen) and any("csm3" in p for p in frozen)
    for shape in ((28, 28, 1), (64, 64, 3)):
        built = projected.build_model({"image_shape": shape, "num_classes": None}, width=4,
                                      head_width=4)
        assert built.generator(z).shape[1:] == shape
        assert built.discriminator(built.generator(z)).shape[0] == 3
    with pytest.raises(ValueError, match="halves to a grid of 3 to 8"):
        projected.build_model({"image_shape": (30, 30, 3), "num_classes": None})
    with pytest.raises(ValueError, match="feature_size must be a multiple of 32"):
        projected.build_model({"image_shape": (32, 32, 3), "num_classes": None},
                              feature_size=48)


def test_matching_loss_is_the_cross_entropy_of_every_class_projection_score(tmp_path):
    info = {"image_shape": (32, 32, 3), "num_classes": 3}
    plain = projected.build_model(info, width=4, head_width=4).discriminator
    matching = projected.build_model(info, width=4, head_width=4,
                                     matching_weight=2.0).discriminator
    matching.set_weights(plain.get_weights())  # the same variables, in the same order
    rng = np.random.default_rng(2)
    x = rng.uniform(-1, 1, (4, 32, 32, 3)).astype("float32")
    labels = np.array([0, 2, 1, 2])
    np.testing.assert_allclose(matching([x, labels]).numpy(), plain([x, labels]).numpy(),
                               atol=1e-6)  # the logits are the projection's
    assert not plain.losses
    places = keras.Model(plain.inputs, [plain.get_layer(f"head{i}_project").input[0]
                                        for i in range(4)])([x, labels])
    expected = 0.0
    for i, p in enumerate(places):  # [N, P, 64]
        scores = p.numpy() @ plain.get_layer(f"head{i}_embed").get_weights()[0].T / 8.0
        shifted = scores - scores.max(-1, keepdims=True)
        log_softmax = shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))
        expected += 2.0 / 4 * -np.take_along_axis(
            log_softmax, labels[:, None, None], -1).mean()  # the mean over the 4 heads
    np.testing.assert_allclose(float(sum(matching.losses)), expected, rtol=1e-5)
    with pytest.raises(ValueError, match="matching_weight must be a finite number >= 0"):
        tfgan_zoo.train(np.zeros((8, 32, 32, 3), np.uint8), str(tmp_path / "run"),
                        family="projected", matching_weight=-1.0, verbose=0)
    assert not os.path.exists(tmp_path / "run")


def test_config_and_keras_file_round_trip(tmp_path):
    gan = projected.build_model({"image_shape": (32, 32, 3), "num_classes": 2}, width=4,
                                head_width=4, feature_size=64, matching_weight=1.0)
    gan.compile(loss="hinge", augment="diffaugment", ema_decay=0.9)
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, (2, 32, 32, 3)).astype("float32")
    z = rng.normal(size=(2, 64)).astype("float32")
    labels = np.array([1, 0])
    for network, inputs in ((gan.generator, [z, labels]),
                            (gan.discriminator, [x, labels])):
        config = json.loads(json.dumps(keras.saving.serialize_keras_object(network)))
        rebuilt = keras.saving.deserialize_keras_object(config)
        rebuilt.set_weights(network.get_weights())
        np.testing.assert_allclose(rebuilt(inputs).numpy(), network(inputs).numpy(), atol=1e-5)
    path = tmp_path / "gan.keras"
    gan.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.generate(4, seed=3, labels=1), gan.generate(4, seed=3, labels=1),
                               atol=1e-6)
    np.testing.assert_allclose(loaded.discriminator([x, labels]), gan.discriminator([x, labels]),
                               atol=1e-5)


def test_train_uses_hinge_and_diffaugment_resumes_exactly_and_finetunes(tmp_path):
    x = np.random.default_rng(0).integers(0, 256, (16, 32, 32, 3)).astype(np.uint8)
    options = dict(family="projected", batch_size=8, width=4, head_width=4, latent_dim=8,
                   verbose=0)
    straight = tfgan_zoo.train(x, str(tmp_path / "straight"), epochs=2, **options)
    run = json.load(open(tmp_path / "straight" / "run.json"))
    assert run["loss"] == "hinge" and run["augment"] == "diffaugment"  # LOSS, AUGMENT
    tfgan_zoo.train(x, str(tmp_path / "resumed"), epochs=1, **options)
    resumed = tfgan_zoo.train(x, str(tmp_path / "resumed"), epochs=2, **options)
    for a, b in zip(straight.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(a, b)
    net = straight.discriminator.get_layer("efficientnet_lite0_features")
    for reference, trained in zip(features.load_network().get_weights(), net.get_weights()):
        np.testing.assert_array_equal(reference, trained)  # frozen through training
    tfgan_zoo.finetune(str(tmp_path / "straight" / "model.keras"), x, str(tmp_path / "tuned"),
                       epochs=1, batch_size=8)
    assert os.path.exists(tmp_path / "tuned" / "model.keras")


def test_a_conditional_generator_exports_to_savedmodel_and_tflite(tmp_path):
    gan = projected.build_model({"image_shape": (32, 32, 3), "num_classes": 3}, width=4,
                                head_width=4)
    gan.compile(ema_decay=0.9)
    check_serving(gan, export.export_serving(gan, tmp_path / "models", name="projected"),
                  str(tmp_path))
    for quantize in ("none", "float16", "dynamic"):  # int8: with a preset (test_presets.py)
        path = export.export_tflite(gan, str(tmp_path / f"{quantize}.tflite"),
                                    quantize=quantize)
        check_tflite(gan, path, quantize)
