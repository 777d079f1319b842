"""Pix2Pix and CycleGAN end to end: train from the CLI, translate files,
export for TF Serving (TF-only reload) and LiteRT, and the errors on the way."""
import os
import re

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_zoo

from export_checks import check_translator_serving, hide_serving_protos, translator_inputs
from tfgan_zoo import cli, data, export, families, images

TINY = {"pix2pix": {"width": 4}, "cyclegan": {"width": 4, "num_blocks": 1}}
SHAPES = data.describe((8, 8, 1), 8, 8, input_shape=(8, 8, 1))


def tiny(family):
    keras.utils.set_random_seed(0)
    model = families.get(family).build_model(SHAPES, **TINY[family])
    model.compile()
    return model


@pytest.mark.parametrize("family,reverse", [("pix2pix", False), ("cyclegan", False),
                                            ("cyclegan", True)])
def test_savedmodel_and_litert_translate_as_keras_does(family, reverse, tmp_path):
    model = tiny(family)
    path = export.export_serving(model, tmp_path / "models", name="t", reverse=reverse)
    check_translator_serving(model, path, str(tmp_path), reverse=reverse)
    # float32 only: an untrained tiny CycleGAN on noise amplifies float16
    # rounding (max 0.0126 seen); the quantized formats are checked on the
    # trained presets (test_presets.py), on their real inputs.
    tflite = export.export_tflite(model, str(tmp_path / "m.tflite"), reverse=reverse)
    x = images.to_float(translator_inputs(model, 4, 3, reverse))
    expected = model.translate(x, reverse=True) if reverse else model.translate(x)
    np.testing.assert_allclose(export.run_tflite(tflite, images=x), expected, atol=1e-4)


def test_translate_png_refuses_a_png_of_the_wrong_size(tmp_path):
    path = export.export_serving(tiny("pix2pix"), tmp_path, name="t")
    served = tf.saved_model.load(path).signatures["translate_png"]
    wrong = tf.io.encode_png(np.zeros((9, 8, 1), np.uint8))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="translate_png takes 8x8 PNG images with 1 channel"):
        served(png_bytes=tf.stack([wrong]))


def test_export_errors_name_the_fix(tmp_path):
    with pytest.raises(ValueError, match="int8 quantization of a translator needs "
                                         "calibration images"):
        export.export_tflite(tiny("pix2pix"), str(tmp_path / "q.tflite"), quantize="int8")
    with pytest.raises(ValueError, match="reverse=True exports a reversible translator's B -> A generator"):
        export.export_serving(tiny("pix2pix"), tmp_path, name="t", reverse=True)
    assert not (tmp_path / "t" / "1").exists()


def test_translator_signatures_refuse_bad_requests(tmp_path):
    model = tiny("cyclegan")
    served = tf.saved_model.load(export.export_serving(model, tmp_path, name="t",
                                                       warmup=False)).signatures
    png = tf.io.encode_png(np.zeros((8, 8, 1), np.uint8))
    for signature, inputs, message in [
            ("serving_default", np.zeros((2, 9, 8, 1), np.float32),
             r"images must be \[N, 8, 8, 1\]; got shape\] \[2 9 8 1\]"),
            ("serving_default", np.zeros((2, 8, 8, 3), np.float32),
             r"images must be \[N, 8, 8, 1\]"),
            ("serving_default", np.full((1, 8, 8, 1), np.nan, np.float32),
             "images must be finite"),
            ("serving_default", np.zeros((1025, 8, 8, 1), np.float32),
             "images must have at most 1024 rows"),
            ("translate_png", tf.stack([png] * 1025),
             r"png_bytes must hold at most 1024 images per request: split the request; "
             r"got\] \[1025\]")]:
        with pytest.raises(tf.errors.InvalidArgumentError, match=message):
            served[signature](**{"serving_default": {"images": tf.constant(inputs)},
                                 "translate_png": {"png_bytes": inputs}}[signature])
    tflite = export.export_tflite(model, str(tmp_path / "t.tflite"))
    with pytest.raises(ValueError,
                       match=r"images must be \[N, 8, 8, 1\]; got shape \(2, 9, 8, 1\)"):
        export.run_tflite(tflite, images=np.zeros((2, 9, 8, 1)))


def test_a_failed_export_writes_nothing(tmp_path, monkeypatch, capsys):
    source = str(tmp_path / "cyclegan.keras")
    tiny("cyclegan").save(source)
    np.save(tmp_path / "wrong.npy", np.zeros((4, 9, 9, 1), np.uint8))
    np.savez(tmp_path / "a_only.npz", a_train=np.zeros((4, 8, 8, 1), np.uint8))
    outputs = ["--serving", str(tmp_path / "models"), "--tflite", str(tmp_path / "t.tflite")]
    for args, message in [
            (["--quantize", "int8"], "int8 quantization of a translator needs calibration "
                                     "images like its inputs"),
            (["--quantize", "int8", "--calibration-data", str(tmp_path / "wrong.npy")],
             r"Calibration images must be \[N, 8, 8, 1\] like the generator's inputs, got "
             r"shape \(4, 9, 9, 1\)"),
            (["--quantize", "int8", "--reverse", "--calibration-data",
              str(tmp_path / "a_only.npz")], "a_only.npz has no b_train array"),
            (["--quantize", "int4"], "Unknown quantize='int4'"),
            (["--version", "0"], "--version must be a positive integer")]:
        assert cli.main(["export", source, *outputs, *args]) == 2
        err = capsys.readouterr().err
        assert err.startswith("tfgan-zoo export: error: ") and len(err.splitlines()) == 1
        assert re.search(message, err), err
    hide_serving_protos(monkeypatch)
    assert cli.main(["export", source, *outputs]) == 2
    assert "pip install --no-deps tensorflow-serving-api==2.21.0" in capsys.readouterr().err
    assert sorted(os.listdir(tmp_path)) == ["a_only.npz", "cyclegan.keras", "wrong.npy"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A pix2pix trained one epoch by the CLI on a tiny paired .npz."""
    root = tmp_path_factory.mktemp("p2p")
    a = np.random.default_rng(0).integers(0, 256, (32, 8, 8, 1), dtype=np.uint8)
    np.savez(root / "pairs.npz", a_train=a, b_train=255 - a)
    assert cli.main(["train", "--family", "pix2pix", "--data", str(root / "pairs.npz"),
                     "--epochs", "1", "--batch-size", "8", "--width", "4",
                     "--out", str(root / "run")]) == 0
    return root


def test_cli_trains_and_translates_files(trained, tmp_path):
    assert (trained / "run" / "samples" / "epoch_001.png").exists()
    pixels = translator_inputs(tiny("pix2pix"), 3, 2)
    inputs = []
    for i, p in enumerate(pixels):
        inputs.append(str(tmp_path / f"in{i}.png"))
        tf.io.write_file(inputs[-1], tf.io.encode_png(p))
    model = str(trained / "run" / "model.keras")
    assert cli.main(["translate", model, "--input", inputs[0], "--out",
                     str(tmp_path / "out.png")]) == 0
    got = tf.io.decode_png(tf.io.read_file(str(tmp_path / "out.png"))).numpy()
    expected = images.to_uint8(tfgan_zoo.load(model).translate(pixels[0]))
    np.testing.assert_array_equal(got, expected)
    assert cli.main(["translate", model, "--input", *inputs, "--out",
                     str(tmp_path / "grid.png")]) == 0
    grid = tf.io.decode_png(tf.io.read_file(str(tmp_path / "grid.png"))).numpy()
    assert grid.shape == (2 * 8 + 1, 3 * 8 + 2, 1)  # inputs over translations, 1-px gaps
    np.testing.assert_array_equal(grid[:8, :8], pixels[0])


def test_cli_translate_errors_are_one_clear_line(trained, tmp_path, capsys):
    model = str(trained / "run" / "model.keras")
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    big = str(tmp_path / "big.png")
    tf.io.write_file(big, tf.io.encode_png(np.zeros((9, 9, 3), np.uint8)))
    for args, message in [
            ([model, "--input", str(broken)], "does not decode as an image"),
            ([model, "--input", big], r"Cannot translate images of shape \(1, 9, 9, 3\): the "
                                      r"generator takes \[N, 8, 8, 1\]"),
            ([model, "--input", big, "--reverse"],
             "A Pix2Pix translates one way: there is no reverse"),
            (["dcgan_fashion_mnist", "--input", big],
             "dcgan_fashion_mnist holds a GAN, not a Translator: translate takes a translator")]:
        assert cli.main(["translate", *args, "--out", str(tmp_path / "x.png")]) == 2
        err = capsys.readouterr().err
        assert err.startswith("tfgan-zoo translate: error:"), err
        assert len(err.strip().splitlines()) == 1
        assert re.search(message, err), err
    assert not (tmp_path / "x.png").exists()
