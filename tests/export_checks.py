"""The export checks every family and preset goes through (tests/test_export.py,
tests/test_presets.py): TF-only reload of the SavedModel and LiteRT runs."""
import os
import subprocess
import sys

import numpy as np
import tensorflow as tf

from tfgan_zoo import export, images

HERE = os.path.dirname(os.path.abspath(__file__))
# LiteRT output vs Keras, images in [-1, 1]: (max abs, mean abs) difference allowed.
# float32 and float16 bound every pixel. Quantized models bound the mean only: a
# few pixels move by up to 0.35 (dynamic) or 0.8 (int8) on the presets
# (BENCHMARKS.md, "Sampling and export"), while the mean stays <= 0.006 and <= 0.047 and the
# FID changes by < 0.1 (dynamic) and about +3 (int8).
TFLITE_TOLERANCE = {"none": (1e-4, 1e-4), "float16": (1e-2, 1e-2),
                    "dynamic": (2.0, 0.015), "int8": (2.0, 0.08)}


def _keras_images(gan, z, labels):
    generator = gan.ema_generator or gan.generator
    inputs = [z, labels.astype(np.int32)] if gan.conditional else z
    return np.asarray(generator(inputs, training=False))


def check_serving(gan, version_dir, work):
    """Runs every signature and warm-up record in a TF-only subprocess and
    compares with the Keras generator."""
    count, seed = 5, 7
    labels = gan.class_cycle(count, start=3)
    feeds = {"serving_default/z": np.asarray(gan.latents(count, 11))}
    for signature in ("generate", "generate_png"):
        feeds[f"{signature}/seed"] = np.int64(seed)
        feeds[f"{signature}/count"] = np.int64(count)
    if gan.conditional:
        feeds["serving_default/labels"] = labels.astype(np.int64)
        feeds["generate/labels"] = labels.astype(np.int64)
        feeds["generate_png/labels"] = np.array([2], np.int64)  # one label for all images
    inputs, outputs = os.path.join(work, "inputs.npz"), os.path.join(work, "outputs.npz")
    np.savez(inputs, **feeds)
    subprocess.run([sys.executable, os.path.join(HERE, "serving_check.py"), version_dir,
                    inputs, outputs], check=True, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"))
    out = dict(np.load(outputs, allow_pickle=True))  # PNG bytes: object arrays we wrote

    expected = _keras_images(gan, feeds["serving_default/z"], labels)
    assert out["serving_default/images"].dtype == np.float32
    np.testing.assert_allclose(out["serving_default/images"], expected, atol=1e-5, rtol=0)

    expected = images.to_uint8(gan.generate(count, seed=seed, labels=labels))
    got = out["generate/images"]
    assert got.dtype == np.uint8 and got.shape == expected.shape
    # uint8 of floats equal to 1e-5: a pixel may round the other way at .5
    assert np.abs(got.astype(int) - expected).max() <= 1
    assert (got == expected).mean() > 0.99

    png_labels = None if labels is None else np.full(count, 2)
    expected = images.to_uint8(gan.generate(count, seed=seed, labels=png_labels))
    decoded = np.stack([tf.io.decode_png(p).numpy() for p in out["generate_png/png_bytes"]])
    assert np.abs(decoded.astype(int) - expected).max() <= 1

    warmups = sorted({k.split("/")[1] for k in out if k.startswith("warmup/")}, key=int)
    ran = {k.split("/")[2] for k in out if k.startswith("warmup/") and k.count("/") == 3}
    assert ran == set(export.SIGNATURES)
    assert len(warmups) == len(export.SIGNATURES) * len(export.WARMUP_COUNTS)
    name = os.path.basename(os.path.dirname(version_dir))
    assert all(str(out[f"warmup/{i}/model_name"]) == name for i in warmups)
    return out


def check_tflite(gan, path, quantize):
    """The LiteRT interpreter's images equal Keras's within TFLITE_TOLERANCE."""
    z = np.asarray(gan.latents(8, 5))
    labels = gan.class_cycle(8)
    got = export.run_tflite(path, z, labels)
    diff = np.abs(got - _keras_images(gan, z, labels))
    max_abs, mean_abs = TFLITE_TOLERANCE[quantize]
    assert diff.max() <= max_abs and diff.mean() <= mean_abs, (
        f"{quantize}: max {diff.max():.4g}, mean {diff.mean():.4g}")
    return diff
