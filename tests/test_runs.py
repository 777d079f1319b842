"""A run folder: a run touches only what runs write, one process at a time,
identifies its data by content, and resumes past a corrupt checkpoint."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import tfgan_zoo
from conftest import dead_pid
from tfgan_zoo import runs
from tfgan_zoo.files import TEMP_PREFIX

TINY = {"family": "dcgan", "width": 4, "latent_dim": 4, "batch_size": 16, "verbose": 0}


@pytest.fixture
def npz(tmp_path):
    path = tmp_path / "data.npz"
    rng = np.random.default_rng(0)
    np.savez(path, x_train=rng.integers(0, 256, (64, 8, 8), dtype=np.uint8))
    return path


def snapshot(folder):
    """{relative path: bytes} of every file under `folder`."""
    found = {}
    for root, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            found[os.path.relpath(path, folder)] = open(path, "rb").read()
    return found


def test_a_folder_that_no_run_wrote_is_refused_and_left_as_it_was(npz, tmp_path):
    out = tmp_path / "my_project"
    (out / "checkpoints").mkdir(parents=True)
    (out / "checkpoints" / "notes.txt").write_text("mine")
    (out / "model.keras").write_bytes(b"a model of mine")
    (out / "history.json").write_text("{}")
    (out / f"{TEMP_PREFIX}{dead_pid()}-x").write_bytes(b"not ours to judge")
    before = snapshot(out)
    with pytest.raises(runs.RunFolderError, match=r"holds files that no tfgan-zoo run wrote "
                                                  r"\(checkpoints, history.json, model.keras\)"
                                                  r".*choose a new or empty folder"):
        tfgan_zoo.train(str(npz), str(out), epochs=1, **TINY)
    assert snapshot(out) == before
    # An empty checkpoints/ folder was removed whole before: it stays now.
    (out / "checkpoints" / "notes.txt").unlink()
    with pytest.raises(runs.RunFolderError):
        tfgan_zoo.train(str(npz), str(out), epochs=1, **TINY)
    assert (out / "checkpoints").is_dir()


def test_a_run_keeps_files_of_its_folder_that_it_did_not_write(npz, tmp_path):
    out = tmp_path / "run"
    tfgan_zoo.train(str(npz), str(out), epochs=1, **TINY)
    (out / "checkpoints" / "README").write_text("the user's note")
    (out / "samples" / "best.png").write_bytes(b"the user's pick")
    (out / "model.keras").rename(tmp_path / "kept.keras")
    tfgan_zoo.train(str(npz), str(out), epochs=1, resume=False, loss="hinge", **TINY)
    assert (out / "checkpoints" / "README").read_text() == "the user's note"
    assert (out / "samples" / "best.png").read_bytes() == b"the user's pick"
    assert json.load(open(out / "run.json"))["loss"] == "hinge"


def test_a_second_process_on_a_folder_in_use_is_refused_at_once(npz, tmp_path, cli_run):
    out = tmp_path / "run"
    with runs.RunFolder(out).claim():
        with pytest.raises(runs.RunFolderError, match=rf"is in use by a running tfgan-zoo "
                                                      rf"process \(PID {os.getpid()}\)"):
            tfgan_zoo.train(str(npz), str(out), epochs=1, **TINY)
        code, _, err = cli_run("train", "--family", "dcgan", "--data", npz, "--out", out,
                               "--width", "4")
        assert code == 2 and "is in use by a running tfgan-zoo process" in err
    assert not out.exists()  # the claim made the folder and nothing was written: gone again

    # A killed holder does not leave the folder stuck.
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from tfgan_zoo import runs\n"
                               f"with runs.RunFolder({str(out)!r}).claim():\n"
                               "    print('held', flush=True); time.sleep(600)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(runs.RunFolderError, match="in use"):
            tfgan_zoo.train(str(npz), str(out), epochs=1, **TINY)
    finally:
        holder.kill()
        holder.wait()
    tfgan_zoo.train(str(npz), str(out), epochs=1, **TINY)
    assert (out / "model.keras").exists() and not (out / runs.LOCK).exists()


def test_resume_identifies_the_data_by_content_not_by_its_spelling(npz, tmp_path, capsys):
    out = tmp_path / "run"
    tfgan_zoo.train(str(npz), str(out), epochs=1, **TINY)
    link = tmp_path / "same-data.npz"
    link.symlink_to(npz)
    tfgan_zoo.train(str(link), str(out), epochs=2, **TINY)  # the same bytes: resumes
    assert "Resuming after epoch 1" in capsys.readouterr().out
    np.savez(npz, x_train=np.zeros((64, 8, 8), np.uint8))  # other bytes at the same path
    with pytest.raises(runs.RunFolderError, match=r"other settings \(data_sha256\)"):
        tfgan_zoo.train(str(npz), str(out), epochs=3, **TINY)


def test_a_corrupt_latest_checkpoint_falls_back_to_the_last_intact_one(npz, tmp_path, capsys):
    out = tmp_path / "run"
    tfgan_zoo.train(str(npz), str(out), epochs=2, **TINY)
    straight = tmp_path / "straight"
    tfgan_zoo.train(str(npz), str(straight), epochs=3, **TINY)
    latest = out / "checkpoints" / "epoch_002.keras"
    latest.write_bytes(latest.read_bytes()[:1000])  # cut short by a full disk
    capsys.readouterr()
    gan = tfgan_zoo.train(str(npz), str(out), epochs=3, **TINY)
    printed = capsys.readouterr().out
    assert "epoch_002.keras does not load" in printed
    assert "Resuming from epoch_001.keras, the last intact checkpoint" in printed
    history = json.load(open(out / "history.json"))
    assert len(history["g_loss"]) == 3
    # Epochs 2 and 3 trained again from epoch 1's state: the uninterrupted run's weights.
    reference = tfgan_zoo.load(str(straight / "model.keras"))
    for a, b in zip(gan.weights, reference.weights, strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)

    for _, path in runs.list_checkpoints(out / "checkpoints"):
        open(path, "wb").close()
    with pytest.raises(runs.RunFolderError, match=r"No checkpoint in .* loads: epoch_003.keras "
                                                  r".*Start over with --no-resume"):
        tfgan_zoo.train(str(npz), str(out), epochs=4, **TINY)
    with pytest.raises(runs.RunFolderError, match="holds the model.keras of a finished run"):
        tfgan_zoo.train(str(npz), str(out), epochs=4, resume=False, **TINY)
    assert tfgan_zoo.load(str(out / "model.keras"))  # still the finished model
