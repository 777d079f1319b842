"""Training under tf.distribute equals training on one device."""
import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest

from tfgan_zoo import distribute

RUNNER = os.path.join(os.path.dirname(__file__), "distributed_run.py")
sys.path.insert(0, os.path.dirname(__file__))
from distributed_run import ATOL, CONFIGS  # noqa: E402


def runner(mode, out, env=None):
    return subprocess.Popen([sys.executable, RUNNER, mode, str(out)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(proc):
    output, _ = proc.communicate(timeout=900)  # a hang guard: a loaded 2-core machine is slow
    assert proc.returncode == 0, output[-3000:]


def assert_equal_runs(a, b, prefix_a, prefix_b, atol=1e-5):
    keys = [k for k in a.files if k.startswith(prefix_a + "/")]
    assert keys
    for key in keys:
        np.testing.assert_allclose(a[key], b[prefix_b + key[len(prefix_a):]],
                                   rtol=1e-5, atol=atol, err_msg=key)


@pytest.fixture(scope="module")
def mirrored(tmp_path_factory):
    out = tmp_path_factory.mktemp("mirrored") / "runs.npz"
    finish(runner("mirrored", out))
    return np.load(out)


@pytest.mark.parametrize("config", list(CONFIGS))
def test_one_epoch_on_two_mirrored_replicas_equals_one_device(mirrored, config):
    # Same G, D (and EMA) weights and the same reported losses, to 1e-5 (ATOL).
    assert_equal_runs(mirrored, mirrored, f"{config}/one", f"{config}/two",
                      ATOL.get(config, 1e-5))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_multi_worker_processes_equal_one_process(mirrored, tmp_path):
    # The one-process reference is the mirrored fixture's one-device run of each config.
    workers = [f"127.0.0.1:{free_port()}", f"127.0.0.1:{free_port()}"]
    procs = []
    for index in range(2):
        env = dict(os.environ, TF_CONFIG=json.dumps(
            {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}))
        procs.append(runner("worker", tmp_path / f"worker{index}.npz", env))
    for proc in procs:
        finish(proc)
    for index in range(2):
        worker = np.load(tmp_path / f"worker{index}.npz")
        for config in ("non_saturating", "wgan_gp_d_steps_2_ema"):
            assert_equal_runs(worker, mirrored, config, f"{config}/one")


def test_strategy_names_and_chief(monkeypatch):
    with pytest.raises(ValueError, match="Unknown strategy 'mirror'; use one of default, "
                                         "mirrored, multi_worker, tpu"):
        distribute.get_strategy("mirror")
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(ValueError, match="multi_worker needs TF_CONFIG"):
        distribute.get_strategy("multi_worker")
    assert distribute.is_chief()
    cluster = {"worker": ["a:1", "b:2"]}
    for task, chief in (({"type": "worker", "index": 0}, True),
                        ({"type": "worker", "index": 1}, False)):
        monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": cluster, "task": task}))
        assert distribute.is_chief() == chief
    monkeypatch.setenv("TF_CONFIG", json.dumps(
        {"cluster": dict(cluster, chief=["c:3"]), "task": {"type": "worker", "index": 0}}))
    assert not distribute.is_chief()
