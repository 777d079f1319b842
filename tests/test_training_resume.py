"""A `tfgan-zoo train` killed with SIGKILL resumes where it was and ends
where an uninterrupted run ends."""
import json
import os

import numpy as np
import pytest

import tfgan_zoo
from conftest import kill_when_paused
from test_cli import assert_complete
from tfgan_zoo.runs import list_checkpoints

EPOCHS = 4


@pytest.fixture(scope="module")
def npz(tmp_path_factory):
    rng = np.random.default_rng(0)
    path = tmp_path_factory.mktemp("data") / "d.npz"
    np.savez(path, x_train=rng.integers(0, 256, (2048, 28, 28), dtype=np.uint8))
    return str(path)


def command(npz, out, *extra):
    """`tfgan-zoo` arguments of the tiny run."""
    return ["train", "--family", "dcgan", "--data", npz, "--out", str(out),
            "--epochs", str(EPOCHS), "--width", "4", "--latent-dim", "8", "--batch-size", "32",
            "--ema-decay", "0.99", "--seed", "5", *extra]


@pytest.mark.slow
def test_killed_after_epoch_2_resumes_at_epoch_3_with_the_same_result(npz, tmp_path, cli_run):
    # With ADA: its augmentation draws and its adapted p resume too. (Only the killed
    # run needs a process of its own.)
    assert cli_run(*command(npz, tmp_path / "straight", "--augment", "ada"))[0] == 0

    out = tmp_path / "killed"
    # Killed just after epoch 2's checkpoint is renamed into place, before
    # epoch 3 starts.
    kill_when_paused("after", "epoch_002.keras", *command(npz, out, "--augment", "ada"))
    killed_at = list_checkpoints(out / "checkpoints")[-1][0]
    assert killed_at == 2
    assert not (out / "model.keras").exists()
    assert_complete(out)

    code, stdout, _ = cli_run(*command(npz, out, "--augment", "ada"))
    assert code == 0 and "Resuming after epoch 2" in stdout
    assert "Epoch 3/4" in stdout and "Epoch 1/4" not in stdout
    history = json.load(open(out / "history.json"))
    straight_history = json.load(open(tmp_path / "straight" / "history.json"))
    assert sorted(history) == sorted(straight_history)
    assert len(history["seconds"]) == EPOCHS  # the wall time of every epoch is kept
    for key in set(history) - {"seconds"}:
        # Same optimizer, RNG and data-order state: the same losses, epoch by epoch.
        np.testing.assert_allclose(history[key], straight_history[key], rtol=1e-5, atol=1e-6)
    a = tfgan_zoo.load(str(out / "model.keras"))
    b = tfgan_zoo.load(str(tmp_path / "straight" / "model.keras"))
    for x, y in zip(a.weights, b.weights, strict=True):  # G, D, the EMA G and ADA's p
        np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=1e-5, atol=1e-6, err_msg=x.path)
    # D tells the noise from G's images: p rose (4 x 32 / 500k per 4 steps), identically
    assert 0 < float(a.augmenter.p) == float(b.augmenter.p) == history["augment_p"][-1]
    assert sorted(os.listdir(out / "samples")) == [f"epoch_{e:03d}.png" for e in range(1, 5)]


def test_resume_refuses_other_settings_and_no_resume_starts_over(npz, tmp_path, cli_run):
    out = tmp_path / "run"
    cmd = command(npz, out)
    cmd[cmd.index("--epochs") + 1] = "1"
    assert cli_run(*cmd, "--limit", "256")[0] == 0
    code, _, err = cli_run(*cmd, "--limit", "256", "--loss", "hinge")
    assert code == 2
    assert "holds checkpoints of a run with other settings (loss)" in err
    # Starting over never replaces a finished run's model.
    finished = (out / "model.keras").read_bytes()
    code, _, err = cli_run(*cmd, "--limit", "256", "--loss", "hinge", "--no-resume")
    assert code == 2
    assert "holds the model.keras of a finished run" in err
    assert (out / "model.keras").read_bytes() == finished
    (out / "model.keras").rename(tmp_path / "kept.keras")
    code, stdout, _ = cli_run(*cmd, "--limit", "256", "--loss", "hinge", "--no-resume")
    assert code == 0 and "Resuming" not in stdout
    assert json.load(open(out / "run.json"))["loss"] == "hinge"
    # Asking again for epochs already trained trains nothing.
    code, stdout, _ = cli_run(*cmd, "--limit", "256", "--loss", "hinge")
    assert code == 0 and "already holds 1 epochs" in stdout