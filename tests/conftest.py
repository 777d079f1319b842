import contextlib
import os
import signal
import subprocess
import sys
import threading
from unittest import mock

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# `pytest -n N` (pytest.ini): N workers share the cores, so each worker's
# TensorFlow (and the processes its tests start) gets its share of them for
# an op's threads. TF's default, every core in every worker, oversubscribes
# them: its threads spin against each other's.
if os.environ.get("PYTEST_XDIST_WORKER_COUNT"):
    os.environ.setdefault("TF_NUM_INTRAOP_THREADS", str(max(
        1, len(os.sched_getaffinity(0)) // int(os.environ["PYTEST_XDIST_WORKER_COUNT"]))))

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from paused_cli import PAUSED  # noqa: E402

# tools/ scripts the tests share code with (the fixtures' writers, bench.py)
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))

SHARED = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "datasets")


# The test files that take longest (pytest --durations=0, 2026-12-02), longest
# first. `pytest -n 2 --dist loadfile` hands out whole files in collection
# order (pytest.ini: --no-loadscope-reorder), so these start first and the run
# does not end with one worker on a long file while the other idles. (Each
# worker has its share of the cores, above, so two long files side by side do
# not slow each other.)
SLOWEST_FILES = ["test_distribute.py", "test_presets.py", "test_training.py",
                 "test_training_resume.py", "test_cli.py", "test_export_translators.py",
                 "test_translator.py", "test_export.py", "test_tools_bench.py",
                 "test_zoo_models_r3gan.py", "test_metrics_real_data.py",
                 "test_training_finetune_presets.py", "test_training_finetune.py"]


def pytest_collection_modifyitems(items):
    stray = [item.nodeid for item in items
             if item.get_closest_marker("gpu") and item.path.name != "test_gpu.py"]
    if stray:  # tools/bench.py gpu --tests runs tests/test_gpu.py alone
        raise pytest.UsageError(f"GPU tests belong in tests/test_gpu.py: move {stray[0]}.")
    rank = {name: i for i, name in enumerate(SLOWEST_FILES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: others as they were


def pytest_sessionstart(session):
    """Builds the emoji data sets into TFDS's data folder once, before
    `pytest -n 2` starts its workers (which would otherwise race to build
    them); a no-op when they are built or the font is not installed."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    from tfgan_zoo import data
    from tfgan_zoo.datasets import emoji

    if os.path.exists(emoji.FONT) and os.path.exists(emoji.EMOJI_TEST):
        for size in emoji.SIZES:
            data.load_arrays(f"tfds:emoji/{size}", "test")


def build(family, image_shape, input_shape=None, num_classes=None, seed=0, **options):
    """An uncompiled model of `family` for data of that description (a
    translator's `input_shape` defaults to `image_shape`)."""
    from tfgan_zoo import data, families

    module = families.get(family)
    if input_shape is None and module.TASK in families.TRANSLATION:
        input_shape = image_shape
    info = data.describe(image_shape, 1, 1, input_shape=input_shape, num_classes=num_classes)
    return module.build_model(info, seed=seed, **options)


def networks(family, image_shape, input_shape=None, num_classes=None, **options):
    """The networks of a `build` model: (generator, discriminator), or a
    reversible translator's (generator, generator_ba, discriminator_a,
    discriminator_b)."""
    model = build(family, image_shape, input_shape, num_classes, **options)
    if getattr(model, "reversible", False):
        return (model.generator, model.generator_ba, model.discriminator_a,
                model.discriminator_b)
    return model.generator, model.discriminator


def make_tiny_gan(num_classes=None, seed=0, **options):
    """An 8x8x1 DCGAN small enough to step in milliseconds."""
    return build("dcgan", (8, 8, 1), num_classes=num_classes, seed=seed, latent_dim=4,
                 width=4, **options)


def labelled_npz(path, num_train, num_test, classes=3, shape=(8, 8, 1)):
    """An .npz of random uint8 images with random labels of `classes`."""
    rng = np.random.default_rng(0)
    np.savez(path, x_train=rng.integers(0, 256, (num_train, *shape), dtype=np.uint8),
             y_train=rng.integers(0, classes, num_train),
             x_test=rng.integers(0, 256, (num_test, *shape), dtype=np.uint8),
             y_test=rng.integers(0, classes, num_test))
    return str(path)


@pytest.fixture
def tiny_gan():
    return make_tiny_gan


@pytest.fixture
def images():
    return np.random.default_rng(0).uniform(-1, 1, (8, 8, 8, 1)).astype("float32")


# torch's reference outputs, written by tools/*_fixture.py (torch in a throwaway
# venv) through tools/torch_reference.py: per array, its shape, 512 entries at
# fixed flat positions and each example's L2 norm.
REFERENCES = os.path.join(os.path.dirname(__file__), "fixtures")


def assert_equals_torch(name, key, actual, atol):
    """`actual` ([N, ...]) equals torch's array KEY of fixtures/NAME.json within
    `atol` at every stored entry; each example's norm within what that allows."""
    import json

    from torch_reference import positions
    with open(os.path.join(REFERENCES, name)) as f:
        expected = json.load(f)["arrays"][key]
    actual = np.asarray(actual, dtype=np.float64)
    assert list(actual.shape) == expected["shape"], key
    flat = actual.reshape(-1)
    np.testing.assert_allclose(flat[positions(flat.size)], expected["values"], rtol=0,
                               atol=atol, err_msg=key)
    per_example = actual.reshape(len(actual), -1)
    # |norm(a) - norm(b)| <= norm(a - b) <= sqrt(n) * max|a - b|
    np.testing.assert_allclose(np.linalg.norm(per_example, axis=1), expected["norms"], rtol=0,
                               atol=atol * np.sqrt(per_example.shape[1]), err_msg=key)


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

    with tfds.testing.mock_data(**kwargs), mock.patch("tfgan_zoo.data.tfds_source.require_network"):
        yield


@pytest.fixture
def cli_run(capsys):
    """`tfgan-zoo ARGS` in this process (no TensorFlow start, which costs more
    than a tiny run): returns (exit code, stdout, stderr). What only a child
    process shows (a kill, Ctrl-C, the console script) has its own tests."""
    from tfgan_zoo import cli

    def run(*args):
        capsys.readouterr()
        try:
            code = cli.main([str(a) for a in args])
        except SystemExit as exit:  # argparse's usage errors
            code = exit.code
        out, err = capsys.readouterr()
        return code, out, err
    return run


def dead_pid():
    """The PID of a process that has ended (for temp files 'left by a killed run')."""
    proc = subprocess.Popen([sys.executable, "-c", ""])
    proc.wait()
    return proc.pid


def kill_when_paused(when, name, *args, timeout=300, sig=signal.SIGKILL):
    """Runs `tfgan-zoo ARGS` in a child (`paused_cli.py`) that pauses `when`
    ("before" or "after") a temporary file or folder is renamed to NAME,
    sends it `sig` there (SIGKILL; SIGINT: a Ctrl-C, after which the child
    says what it says and ends) and returns its output. The signal lands at
    that point whatever the machine's speed: no sleep decides where."""
    proc = subprocess.Popen(
        [sys.executable, os.path.join(os.path.dirname(__file__), "paused_cli.py"), when, name,
         *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    # Only a safety net: a child that hangs fails the test instead of hanging it.
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    output = []
    try:
        for line in proc.stdout:
            if PAUSED in line:
                break
            output.append(line)
        else:
            pytest.fail(f"tfgan-zoo {args[0]} ended (or hung for {timeout} s) without "
                        f"pausing {when} writing {name}:\n{''.join(output)[-3000:]}")
    finally:
        proc.send_signal(sig)
        if sig != signal.SIGKILL:
            output += ["<signal>\n", *proc.stdout]  # what it says after the signal
        timer.cancel()
        proc.wait()
        proc.stdin.close()
        proc.stdout.close()
    kill_when_paused.returncode = proc.returncode
    return "".join(output)
