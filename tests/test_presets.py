"""Registry-wide checks: every preset of every family, with no per-preset code."""
import json
import os
import shutil
import warnings

import keras
import numpy as np
import pytest

from tfgan_zoo import GAN, presets, publishing
from tfgan_zoo import Translator

REQUIRED_CARD_FIELDS = ("command", "epochs", "wall time", "data", "Intended use", "license")


@pytest.mark.parametrize("name", presets.list_presets())
def test_every_preset_verifies_loads_and_has_a_complete_card(name):
    entry = presets.registry()[name]
    assert entry["description"] and "params" not in entry  # counted by publish
    directory = presets.resolve(name)  # checksums verified here
    card = open(os.path.join(directory, "card.md")).read()
    for field in REQUIRED_CARD_FIELDS:
        assert field in card, f"{name}: card has no {field!r}"
    network = presets.load(name)
    if isinstance(network, GAN):
        params = network.generator.count_params() + network.discriminator.count_params()
    elif isinstance(network, Translator):  # every network's (not the CycleGAN image pools)
        params = sum(layer.count_params() for layer in network.layers)
    else:
        params = network.count_params()
    assert params == presets.params(entry)
    if "| family | `" in card:  # publish's card format (older cards spell it out)
        assert f"), {params:,} parameters |" in card
    config = json.load(open(os.path.join(directory, "config.json")))
    rebuilt = keras.saving.deserialize_keras_object(config)
    # "module" says where a class was defined when the preset was written; the
    # registered name is what loads it, so a class may move (tfgan_zoo/families.py).
    assert (without_modules(json.loads(json.dumps(rebuilt.get_config())))
            == without_modules(config["config"]))
    if isinstance(network, GAN):
        labels = np.arange(4) % network.num_classes if network.conditional else None
        outputs = network.generate(4, seed=0, labels=labels)
        assert outputs.min() >= -1 and outputs.max() <= 1
        assert os.path.exists(os.path.join(directory, "samples.png"))
        for field in ("FID", "KID", "blurred", "loss"):
            assert field in card, f"{name}: card has no {field!r}"
        # the floor: "real test images" in the older hand-made tables, "real floor" in
        # publish's report
        assert "real test images" in card or "real floor" in card, f"{name}: no floor"
        # the standard FID Inception's scores, in metrics.json and as the card's section
        standard = json.load(open(os.path.join(directory, "metrics.json"))).get("inception")
        assert standard and standard["extractor"] == "inception", f"{name}: no Inception FID"
        assert publishing.STANDARD in card and f"{standard['fid']:.3f}" in card, name
        if network.conditional:  # classes by name: in the config and the card
            assert network.class_names and publishing.classes_row(network.class_names) in card, name
    elif isinstance(network, Translator):
        outputs = network.translate(np.zeros((2,) + network.generator.inputs[0].shape[1:],
                                             "float32"))
        assert outputs.min() >= -1 and outputs.max() <= 1
        assert os.path.exists(os.path.join(directory, "samples.png"))
        for field in ("FID", "identity", "L1"):
            assert field in card, f"{name}: card has no {field!r}"
    else:
        outputs = network(np.zeros((2,) + tuple(network.inputs[0].shape[1:]), "float32"))
    assert np.isfinite(np.asarray(outputs)).all()


def _outputs(model):
    if isinstance(model, GAN):
        return model.generate(4, seed=0, labels=model.class_cycle(4))
    if isinstance(model, Translator):
        x = np.random.default_rng(0).uniform(-1, 1, (3,) + model.generator.inputs[0].shape[1:])
        return model.translate(x.astype("float32"))
    x = np.random.default_rng(0).uniform(-1, 1, (2,) + tuple(model.inputs[0].shape[1:]))
    # training=False: Keras's RandomTranslation (the classifiers' augmentation) defaults to on
    return np.asarray(model(x.astype("float32"), training=False))


@pytest.mark.parametrize("name", presets.list_presets())
def test_every_preset_round_trips_through_a_keras_file(name, tmp_path):
    model = presets.load(name)
    model.save(tmp_path / "model.keras")
    loaded = keras.models.load_model(tmp_path / "model.keras")
    assert type(loaded) is type(model)
    assert len(loaded.weights) == len(model.weights)
    for a, b in zip(loaded.weights, model.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    np.testing.assert_array_equal(_outputs(loaded), _outputs(model))


def test_a_changed_file_fails_verification(tmp_path):
    from zoo_models.classifier import Classifier

    directory = tmp_path / "p"
    presets.save(Classifier((8, 8, 1), num_classes=2, width=2, feature_dim=2),
                         str(directory), card="# card\n")
    presets.verify(str(directory))
    with open(directory / "card.md", "a") as f:
        f.write("tampered")
    with pytest.raises(ValueError, match="Checksum mismatch for .*card.md"):
        presets.verify(str(directory))
    with pytest.raises(ValueError, match="Unknown preset 'classifier_fashion'. Did you mean "
                                         "classifier_fashion_mnist"):
        presets.resolve("classifier_fashion")


@pytest.fixture(scope="module")
def good_preset(tmp_path_factory):
    from zoo_models.classifier import Classifier

    directory = tmp_path_factory.mktemp("good") / "p"
    presets.save(Classifier((8, 8, 1), num_classes=2, width=2, feature_dim=2),
                         str(directory), card="# card\n")
    return directory


def _sums_without(name):
    def change(directory):
        sums = directory / "SHA256SUMS"
        lines = sums.read_text().splitlines(keepends=True)
        sums.write_text("".join(l for l in lines if not l.endswith(f"  {name}\n")))
    return change


def _append_to_sums(text):
    def change(directory):
        with open(directory / "SHA256SUMS", "a") as f:
            f.write(text(directory))
    return change


@pytest.mark.parametrize("change, message", [
    pytest.param(_sums_without("model.weights.h5"),
                 "holds 'model.weights.h5', which SHA256SUMS does not list: refused",
                 id="weights-unlisted"),
    pytest.param(lambda d: (d / "SHA256SUMS").write_text(""),
                 "SHA256SUMS is empty, so it vouches for nothing", id="empty"),
    pytest.param(lambda d: (d / "notes.txt").write_text("x"),
                 "holds 'notes.txt', which SHA256SUMS does not list", id="extra-file"),
    pytest.param(lambda d: (d / "card.md").unlink(),
                 "is missing card.md: fetch the preset again", id="missing-file"),
    pytest.param(_append_to_sums(lambda d: "not a checksum line\n"),
                 "SHA256SUMS line 4 is not `SHA256  FILE`: 'not a checksum line'",
                 id="malformed"),
    pytest.param(_append_to_sums(lambda d: (d / "SHA256SUMS").read_text().splitlines()[0]
                                 + "\n"),
                 "SHA256SUMS lists card.md twice", id="duplicate"),
    pytest.param(lambda d: (d / "extra").mkdir(),
                 "holds a folder 'extra': refused, a preset folder holds only files",
                 id="subfolder"),
])
def test_sha256sums_must_vouch_for_every_file_of_the_folder(good_preset, tmp_path, change,
                                                            message):
    directory = tmp_path / "p"
    shutil.copytree(good_preset, directory)
    presets.verify(str(directory))
    change(directory)
    with pytest.raises(ValueError, match=message):
        presets.verify(str(directory))


# The preset's trained weights through the quantizations that depend on them:
# float16 (the format the gallery's pages run) and int8 (calibrated on its own
# outputs). float32 and dynamic-range conversion of each family are checked in
# test_export.py and test_export_translators.py, and of every preset by
# `tools/bench.py sample` (BENCHMARKS.md).
PRESET_QUANTIZATIONS = ("float16", "int8")


@pytest.mark.parametrize("name", presets.list_presets())
def test_every_preset_exports_to_tf_serving_and_litert(name, tmp_path):
    from export_checks import check_serving, check_tflite
    from tfgan_zoo import export

    if presets.registry()[name]["task"] == "extraction":
        with pytest.raises(ValueError, match="holds a Classifier, not a GAN or Translator: export"):
            export.export_serving(name, tmp_path)
        return
    model = export.as_model(name)
    path = export.export_serving(name, tmp_path)
    assert path == str(tmp_path / name / "1")
    check_serving(model, path, str(tmp_path))
    inputs = (grid_row(presets.resolve(name), model.generator.inputs[0].shape[1:])
              if isinstance(model, Translator) else None)
    for quantize in PRESET_QUANTIZATIONS:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            path = export.export_tflite(model, str(tmp_path / f"{quantize}.tflite"),
                                        quantize=quantize, calibration_images=inputs)
        # A model whose activations do not fit int8 (r3gan_fashion_mnist: int8 FID 56
        # against 27.4, `bench.py sample`) is exported with a warning, and only then
        # misses the tolerance: never a silent wrong result.
        if [w for w in caught if "int8 quantization changes" in str(w.message)]:
            assert quantize == "int8"
            with pytest.raises(AssertionError, match="int8: max"):
                check_tflite(model, path, quantize, inputs)
        else:
            check_tflite(model, path, quantize, inputs)


def grid_row(directory, shape):
    """The input images of a translator preset: the first row of its card's
    before/after grid (cells of `shape`, 1-pixel gaps)."""
    import tensorflow as tf

    grid = tf.io.decode_png(tf.io.read_file(os.path.join(directory, "samples.png"))).numpy()
    height, width, _ = shape
    cells = [grid[:height, c * (width + 1):c * (width + 1) + width]
             for c in range((grid.shape[1] + 1) // (width + 1))]
    return np.stack(cells)


def without_modules(config):
    """A serialized Keras config without its "module" entries."""
    if isinstance(config, dict):
        return {k: without_modules(v) for k, v in config.items() if k != "module"}
    if isinstance(config, list):
        return [without_modules(v) for v in config]
    return config
