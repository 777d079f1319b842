import contextlib
import os
import subprocess
import sys
from unittest import mock

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

SHARED = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "datasets")


def make_tiny_gan(num_classes=None, seed=0, **options):
    """An 8x8x1 DCGAN small enough to step in milliseconds."""
    from tfgan_zoo import GAN
    from zoo_models import dcgan

    g, d = dcgan.build((8, 8, 1), num_classes=num_classes, latent_dim=4, width=4, **options)
    return GAN(g, d, seed=seed)


@pytest.fixture
def tiny_gan():
    return make_tiny_gan


@pytest.fixture
def images():
    return np.random.default_rng(0).uniform(-1, 1, (8, 8, 8, 1)).astype("float32")


@pytest.fixture
def fashion_mnist():
    path = os.path.join(SHARED, "fashion_mnist.npz")
    if not os.path.exists(path):
        pytest.skip(f"{path} is not here (../shared/datasets beside the project)")
    return path


@contextlib.contextmanager
def mock_tfds(**kwargs):
    """`tfds.testing.mock_data(**kwargs)`, with the zoo's check that TFDS's
    download host answers turned off: mock_data replaces the download."""
    import tensorflow_datasets as tfds

    with tfds.testing.mock_data(**kwargs), mock.patch("tfgan_zoo.data.require_network"):
        yield


def dead_pid():
    """The PID of a process that has ended (for temp files 'left by a killed run')."""
    proc = subprocess.Popen([sys.executable, "-c", ""])
    proc.wait()
    return proc.pid
