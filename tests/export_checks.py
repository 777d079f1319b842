"""The export checks every family and preset goes through (tests/test_export.py,
tests/test_presets.py): TF-only reload of the SavedModel and LiteRT runs."""
import atexit
import os
import subprocess
import sys

import numpy as np
import tensorflow as tf

from tfgan_zoo import export, images
from tfgan_zoo import Translator

HERE = os.path.dirname(os.path.abspath(__file__))
# LiteRT output vs Keras, images in [-1, 1]: (max abs, mean abs) difference allowed.
# float32 and float16 bound every pixel. Quantized models bound the mean only: a
# few pixels move by up to 0.35 (dynamic) or 0.8 (int8) on the presets
# (BENCHMARKS.md, "Sampling and export"), while the mean stays <= 0.006 and <= 0.047 and the
# FID changes by < 0.1 (dynamic) and about +3 (int8). The translator presets on
# their test inputs: dynamic mean <= 0.005, int8 mean <= 0.025 (calibrated on
# training inputs); random images are out of their domain and not a fair test.
TFLITE_TOLERANCE = {"none": (1e-4, 1e-4), "float16": (1e-2, 1e-2),
                    "dynamic": (2.0, 0.015), "int8": (2.0, 0.08)}


def _keras_images(gan, z, labels):
    generator = gan.ema_generator or gan.generator
    inputs = [z, labels.astype(np.int32)] if gan.conditional else z
    # in [-1, 1] as GAN.generate and every export: R3GAN's generator has no tanh
    return np.clip(np.asarray(generator(inputs, training=False)), -1, 1)


_SERVER = []  # the TF-only process of `serving_check.py --serve`, started on first use


def _tf_only_process():
    if not _SERVER or _SERVER[0].poll() is not None:
        _SERVER[:] = [subprocess.Popen(
            [sys.executable, os.path.join(HERE, "serving_check.py"), "--serve"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"))]
        atexit.register(_stop, _SERVER[0])
    return _SERVER[0]


def _stop(process):
    process.stdin.close()  # its loop ends
    process.wait(timeout=60)
    process.stdout.close()


def _run_tf_only(version_dir, work, feeds):
    """Runs `feeds` ({signature/input: array}) and the warm-up records in a
    process that imports TensorFlow alone (one per test worker, kept between
    calls); returns its outputs."""
    inputs, outputs = os.path.join(work, "inputs.npz"), os.path.join(work, "outputs.npz")
    np.savez(inputs, **feeds)
    process = _tf_only_process()
    process.stdin.write(f"{version_dir}\t{inputs}\t{outputs}\n")
    process.stdin.flush()
    answer = process.stdout.readline()
    assert answer == "ok\n", (answer.replace("\\n", "\n") if answer
                              else "serving_check.py --serve ended")
    return dict(np.load(outputs, allow_pickle=True))  # PNG bytes: object arrays we wrote


def _check_warmups(out, version_dir, signatures):
    warmups = sorted({k.split("/")[1] for k in out if k.startswith("warmup/")}, key=int)
    ran = {k.split("/")[2] for k in out if k.startswith("warmup/") and k.count("/") == 3}
    assert ran == set(signatures)
    assert len(warmups) == len(signatures) * len(export.WARMUP_COUNTS)
    name = os.path.basename(os.path.dirname(version_dir))
    assert all(str(out[f"warmup/{i}/model_name"]) == name for i in warmups)


def translator_inputs(model, count, seed, reverse=False):
    """uint8 test images of the generator's input shape."""
    generator = model.generator_ba if reverse else model.generator
    shape = tuple(generator.inputs[0].shape[1:])
    return np.random.default_rng(seed).integers(0, 256, (count,) + shape).astype(np.uint8)


def check_translator_serving(model, version_dir, work, reverse=False):
    pixels = translator_inputs(model, 5, 7, reverse)
    pngs = np.array([tf.io.encode_png(p).numpy() for p in pixels], dtype=object)
    out = _run_tf_only(version_dir, work, {"serving_default/images": images.to_float(pixels),
                                           "translate_png/png_bytes": pngs})
    expected = model.translate(pixels, reverse=True) if reverse else model.translate(pixels)
    assert out["serving_default/images"].dtype == np.float32
    np.testing.assert_allclose(out["serving_default/images"], expected, atol=1e-5, rtol=0)
    decoded = np.stack([tf.io.decode_png(p).numpy() for p in out["translate_png/png_bytes"]])
    assert decoded.shape == pixels.shape
    assert np.abs(decoded.astype(int) - images.to_uint8(expected)).max() <= 1
    _check_warmups(out, version_dir, export.TRANSLATOR_SIGNATURES)
    return out


def _assert_pixels_match(got, expected):
    assert got.dtype == np.uint8 and got.shape == expected.shape
    # uint8 of floats equal to 1e-5: a pixel may round the other way at .5
    assert np.abs(got.astype(int) - expected).max() <= 1
    assert (got == expected).mean() > 0.99


def check_serving(gan, version_dir, work):
    """Runs every signature and warm-up record in a TF-only subprocess and
    compares with the Keras generator (or translator). Requests without
    `truncation` get the SignatureDef's default, as from TF Serving."""
    if isinstance(gan, Translator):
        return check_translator_serving(gan, version_dir, work)
    count, seed = 5, 7
    labels = gan.class_cycle(count, start=3)
    feeds = {"serving_default/z": np.asarray(gan.latents(count, 11))}
    for request, truncation in [("generate", None), ("generate:untruncated", 1.0),
                                ("generate:truncated", 0.5), ("generate_png", 0.8)]:
        feeds[f"{request}/seed"] = np.int64(seed)
        feeds[f"{request}/count"] = np.int64(count)
        if truncation is not None:
            feeds[f"{request}/truncation"] = np.float32(truncation)
    # a walk of 6 at psi 0.7 (between two classes), one of 2 at the default (one class)
    walks = {"interpolate": (6, 0.7, [0, 2]), "interpolate:ends": (2, None, [1])}
    for request, (steps, truncation, walk_labels) in walks.items():
        feeds.update({f"{request}/seed_a": np.int64(seed), f"{request}/seed_b": np.int64(12),
                      f"{request}/steps": np.int64(steps)})
        if truncation is not None:
            feeds[f"{request}/truncation"] = np.float32(truncation)
        if gan.conditional:
            feeds[f"{request}/labels"] = np.array(walk_labels, np.int64)
    if gan.conditional:
        feeds["serving_default/labels"] = labels.astype(np.int64)
        for request in ("generate", "generate:untruncated", "generate:truncated"):
            feeds[f"{request}/labels"] = labels.astype(np.int64)
        feeds["generate_png/labels"] = np.array([2], np.int64)  # one label for all images
    out = _run_tf_only(version_dir, work, feeds)

    expected = _keras_images(gan, feeds["serving_default/z"], labels)
    assert out["serving_default/images"].dtype == np.float32
    np.testing.assert_allclose(out["serving_default/images"], expected, atol=1e-5, rtol=0)

    expected = images.to_uint8(gan.generate(count, seed=seed, labels=labels))
    _assert_pixels_match(out["generate/images"], expected)
    # the default, fed as TF Serving feeds it, is no truncation
    np.testing.assert_array_equal(out["generate:untruncated/images"], out["generate/images"])
    expected = images.to_uint8(gan.generate(count, seed=seed, labels=labels, truncation=0.5))
    _assert_pixels_match(out["generate:truncated/images"], expected)

    png_labels = None if labels is None else np.full(count, 2)
    expected = images.to_uint8(gan.generate(count, seed=seed, labels=png_labels,
                                            truncation=0.8))
    decoded = np.stack([tf.io.decode_png(p).numpy() for p in out["generate_png/png_bytes"]])
    assert np.abs(decoded.astype(int) - expected).max() <= 1

    for request, (steps, truncation, walk_labels) in walks.items():
        expected = images.to_uint8(gan.interpolate(
            seed, 12, steps, labels=walk_labels if gan.conditional else None,
            truncation=1.0 if truncation is None else truncation))
        got = out[f"{request}/images"]
        _assert_pixels_match(got, expected)
        strip = tf.io.decode_png(out[f"{request}/strip_png_bytes"].item()).numpy()
        np.testing.assert_array_equal(strip, images.grid(got, columns=steps))

    _check_warmups(out, version_dir, export.SIGNATURES)
    return out


def check_tflite(gan, path, quantize, inputs=None):
    """The LiteRT interpreter's images equal Keras's within TFLITE_TOLERANCE
    (a translator's on `inputs`, default random images)."""
    if isinstance(gan, Translator):
        x = images.to_float(translator_inputs(gan, 8, 5) if inputs is None else inputs)
        diff = np.abs(export.run_tflite(path, images=x) - gan.translate(x))
    else:
        z = np.asarray(gan.latents(8, 5))
        labels = gan.class_cycle(8)
        got = export.run_tflite(path, z, labels)
        diff = np.abs(got - _keras_images(gan, z, labels))
    max_abs, mean_abs = TFLITE_TOLERANCE[quantize]
    assert diff.max() <= max_abs and diff.mean() <= mean_abs, (
        f"{quantize}: max {diff.max():.4g}, mean {diff.mean():.4g}")
    return diff


def hide_serving_protos(monkeypatch):
    """As if tensorflow-serving-api were not installed."""
    for name in [m for m in sys.modules if m.split(".")[0] == "tensorflow_serving"]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "tensorflow_serving", None)
