"""On a GPU (`pytest -m gpu`; skipped without one, as in CI): a training step
equals the CPU's, mixed_float16 keeps its loss scale, and a SavedModel made
on the GPU runs on a CPU. `python tools/bench.py gpu --tests` runs them on a
lent accelerator machine."""
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from conftest import make_tiny_gan
from test_gan import check_mixed_float16_training

pytestmark = [pytest.mark.gpu, pytest.mark.skipif(
    not tf.config.list_logical_devices("GPU"),
    reason="no GPU here: these run on a lent accelerator machine (tools/bench.py gpu --tests)")]


def one_step(device, images):
    """Weights and logs after one step on `device`; SGD, so that a gradient
    near zero cannot flip the update's sign as Adam's first step would."""
    with tf.device(device):
        gan = make_tiny_gan(seed=0)
        gan.compile(g_optimizer=keras.optimizers.SGD(0.1), d_optimizer=keras.optimizers.SGD(0.1))
        logs = gan.train_on_batch(images, return_dict=True)
        return [w.numpy() for w in gan.weights], logs


def test_a_training_step_on_the_gpu_equals_the_cpu_step(images):
    keras.utils.set_random_seed(0)
    gpu_weights, gpu_logs = one_step("/GPU:0", images)
    keras.utils.set_random_seed(0)
    cpu_weights, cpu_logs = one_step("/CPU:0", images)
    for on_gpu, on_cpu in zip(gpu_weights, cpu_weights):
        np.testing.assert_allclose(on_gpu, on_cpu, rtol=1e-4, atol=1e-5)
    for name, value in cpu_logs.items():
        assert float(gpu_logs[name]) == pytest.approx(float(value), rel=1e-4, abs=1e-5)


def test_mixed_float16_on_the_gpu_keeps_its_loss_scale_and_finite_losses(images, tmp_path):
    with tf.device("/GPU:0"):
        check_mixed_float16_training(images, tmp_path)


def test_a_savedmodel_exported_on_the_gpu_runs_on_a_cpu(tmp_path):
    from tfgan_zoo import export

    with tf.device("/GPU:0"):
        gan = make_tiny_gan(seed=0)
        path = export.export_serving(gan, tmp_path, name="tiny", warmup=False)
        expected = gan.generate(4, seed=3)
    np.save(tmp_path / "expected.npy", expected)
    script = ("import numpy as np, tensorflow as tf, sys\n"
              "assert not tf.config.list_logical_devices('GPU')\n"
              "serve = tf.saved_model.load(sys.argv[1]).signatures['generate']\n"
              "images = serve(seed=tf.constant(3, tf.int64), count=tf.constant(4, tf.int64),\n"
              "               truncation=tf.constant(1.0))\n"
              "np.save(sys.argv[2], images['images'].numpy())\n")
    subprocess.run([sys.executable, "-c", script, path, str(tmp_path / "cpu.npy")], check=True,
                   env={**os.environ, "CUDA_VISIBLE_DEVICES": ""})
    pixels = np.round((expected + 1) * 127.5).clip(0, 255)
    np.testing.assert_allclose(np.load(tmp_path / "cpu.npy"), pixels, atol=1)
