"""`tfgan-zoo train` and `tfgan-zoo sample` end to end, in subprocesses."""
import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

import tfgan_zoo
from tfgan_zoo import cli
from conftest import dead_pid, kill_when_paused
from tfgan_zoo.files import TEMP_PREFIX

TINY = ["--family", "dcgan", "--width", "4", "--latent-dim", "8", "--batch-size", "32"]


def run(*args, check=True):
    proc = subprocess.run([sys.executable, "-m", "tfgan_zoo.cli", *args],
                          capture_output=True, text=True, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


@pytest.fixture(scope="module")
def npz(tmp_path_factory):
    rng = np.random.default_rng(0)
    path = tmp_path_factory.mktemp("data") / "tiny.npz"
    np.savez(path, x_train=rng.integers(0, 256, (128, 28, 28), dtype=np.uint8),
             y_train=rng.integers(0, 10, 128).astype(np.uint8))
    return str(path)


def png_shape(path):
    return tuple(tf.io.decode_png(tf.io.read_file(str(path))).shape)


def assert_complete(out):
    """Every file with a final name is whole: .keras files load, PNGs decode."""
    for root, _, names in os.walk(out):
        for name in names:
            path = os.path.join(root, name)
            if name.startswith(TEMP_PREFIX):
                continue
            if name.endswith(".keras"):
                tfgan_zoo.load(path)
            elif name.endswith(".png"):
                png_shape(path)
            elif name.endswith(".json"):
                json.load(open(path))


def test_train_then_sample(npz, tmp_path, cli_run):
    out = tmp_path / "run"
    out.mkdir()
    (out / f"{TEMP_PREFIX}{dead_pid()}-left-by-a-killed-run.keras").write_bytes(b"half")
    # A live process's temporary file (this test's) is not touched.
    live = f"{TEMP_PREFIX}{os.getpid()}-being-written.keras"
    (out / live).write_bytes(b"half")
    proc = run("train", "--family", "dcgan", "--loss", "least_squares", "--data", npz,
               "--epochs", "2", "--out", str(out), *TINY)
    assert "Wrote" in proc.stdout
    assert "remapper failed" not in proc.stderr  # the CLI turns that grappler pass off
    assert sorted(os.listdir(out)) == [live, "checkpoints", "history.json", "model.keras",
                                       "run.json", "samples"]
    assert sorted(os.listdir(out / "samples")) == ["epoch_001.png", "epoch_002.png"]
    assert sorted(os.listdir(out / "checkpoints")) == ["epoch_001.keras", "epoch_002.keras"]
    assert png_shape(out / "samples" / "epoch_002.png") == (8 * 29 - 1, 8 * 29 - 1, 1)
    history = json.load(open(out / "history.json"))
    assert len(history["g_loss"]) == 2 and np.isfinite(history["d_loss"]).all()
    # The progress bar reached the user.
    assert "4/4" in proc.stdout

    # (`train` above runs as a user's command does, in a process of its own; the rest
    # here, without a TensorFlow start each.)
    run("sample", str(out / "model.keras"), "--num", "10", "--seed", "3",
        "--out", str(tmp_path / "a.npy"))
    assert cli_run("sample", out / "model.keras", "--num", "10", "--seed", "3",
                   "--out", tmp_path / "b.npy")[0] == 0
    a, b = np.load(tmp_path / "a.npy"), np.load(tmp_path / "b.npy")
    assert a.dtype == np.uint8 and a.shape == (10, 28, 28, 1)
    np.testing.assert_array_equal(a, b)
    gan = tfgan_zoo.load(str(out / "model.keras"))
    np.testing.assert_array_equal(a, tfgan_zoo.images.to_uint8(gan.generate(10, seed=3)))
    assert cli_run("sample", out / "model.keras", "--num", "6",
                   "--out", tmp_path / "g.png")[0] == 0
    assert png_shape(tmp_path / "g.png") == (2 * 29 - 1, 3 * 29 - 1, 1)
    # Written through a temporary file, but with the mode any new file gets.
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(tmp_path / "g.png").st_mode & 0o777 == 0o666 & ~umask


def test_conditional_training_and_a_class_per_column(npz, tmp_path):
    named = tmp_path / "named.npz"  # the tiny data, with a name per class
    names = [f"kind {i}" for i in range(10)]
    np.savez(named, **np.load(npz), class_names=np.array(names))
    out = tmp_path / "run"
    gan = tfgan_zoo.train(str(named), str(out), family="dcgan", conditional=True, epochs=1,
                          batch_size=32, width=4, latent_dim=8, verbose=0)
    assert gan.num_classes == 10 and gan.class_names == tuple(names)
    assert json.load(open(out / "run.json"))["class_names"] == names
    assert png_shape(out / "samples" / "epoch_001.png") == (7 * 29 - 1, 10 * 29 - 1, 1)
    tfgan_zoo.sample(str(out / "model.keras"), str(tmp_path / "three.npy"), num=4,
                     labels=[3])
    tfgan_zoo.sample(str(out / "model.keras"), str(tmp_path / "named.npy"), num=4,
                     labels="kind 3")
    assert np.load(tmp_path / "three.npy").shape == (4, 28, 28, 1)
    np.testing.assert_array_equal(np.load(tmp_path / "three.npy"),
                                  np.load(tmp_path / "named.npy"))


def test_the_tutorial_setup_trains_from_the_command_line(npz, tmp_path, cli_run):
    assert cli_run("train", "--family", "dcgan", "--data", npz, "--out", tmp_path,
                   "--architecture", "tutorial", "--batch-size", "64", "--learning-rate",
                   "1e-4", "--beta-1", "0.9", "--simultaneous", "--latent-dim", "8")[0] == 0
    gan = keras.models.load_model(str(tmp_path / "model.keras"))  # compiled: its settings
    assert type(gan.generator).__name__ == "TutorialGenerator"
    assert gan.simultaneous and int(gan.d_optimizer.iterations) == 2
    adam = gan.get_compile_config()["g_optimizer"]["config"]
    np.testing.assert_allclose([adam["learning_rate"], adam["beta_1"]], [1e-4, 0.9], rtol=1e-6)
    settings = json.load(open(tmp_path / "run.json"))
    assert settings["architecture"] == "tutorial" and settings["simultaneous"]


def test_errors_are_one_clear_line(npz, tmp_path, cli_run):
    code, _, err = cli_run("train", "--family", "dcgan", "--data", tmp_path / "missing.npz",
                           "--out", tmp_path)
    assert code == 2 and err.startswith("tfgan-zoo train: error: Data file")
    assert "does not exist" in err and len(err.splitlines()) == 1
    code, _, err = cli_run("train", "--data", npz, "--loss", "wgan", "--out", tmp_path, *TINY)
    assert code == 2 and "Valid losses: non_saturating" in err
    code, _, err = cli_run("sample", tmp_path / "none.keras", "--out", tmp_path / "x.png")
    assert code == 2 and "No model at" in err
    code, _, err = cli_run("sample", tmp_path / "none.keras", "--out", tmp_path / "x.jpg")
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_a_killed_train_leaves_no_half_written_file(npz, tmp_path):
    out = tmp_path / "run"
    # Killed while rewriting files in epoch 2: its checkpoint is written under
    # its temporary name and not yet renamed into place.
    kill_when_paused("before", "epoch_002.keras", "train", "--data", npz, "--epochs", "3",
                     "--out", str(out), *TINY)
    left = sorted(os.listdir(out / "checkpoints"))
    assert len(left) == 2 and left[0].startswith(TEMP_PREFIX), left
    assert left[1] == "epoch_001.keras"
    assert not (out / "model.keras").exists()
    assert_complete(out)


def test_ctrl_c_in_train_is_one_line_and_the_run_resumes(npz, tmp_path):
    """A Ctrl-C printed a 17-frame KeyboardInterrupt traceback."""
    import signal

    out = tmp_path / "run"
    said = kill_when_paused("before", "epoch_002.keras", "train", "--data", npz, "--epochs",
                            "3", "--out", str(out), *TINY, sig=signal.SIGINT)
    after = said.split("<signal>\n", 1)[1].strip().splitlines()
    assert kill_when_paused.returncode == 130, said
    assert after == [f"tfgan-zoo train: interrupted: {out} keeps every finished epoch; run the "
                     "same command to resume."], said
    assert_complete(out)
    assert cli.main(["train", "--data", npz, "--epochs", "3", "--out", str(out), *TINY]) == 0


@pytest.mark.parametrize("args, message", [
    (["train", "--epochs", "0"], "argument --epochs: must be an integer >= 1; got 0"),
    (["train", "--epochs", "-1"], "argument --epochs: must be an integer >= 1; got -1"),
    (["train", "--batch-size", "0"], "argument --batch-size: must be an integer >= 1"),
    (["train", "--latent-dim", "0"], "argument --latent-dim: must be an integer >= 1"),
    (["train", "--d-steps", "0"], "argument --d-steps: must be an integer >= 1; got 0"),
    (["train", "--learning-rate=-1e-4"], "argument --learning-rate: must be a finite "
                                            "number > 0; got -0.0001"),
    (["train", "--learning-rate", "nan"], "argument --learning-rate: must be a finite"),
    (["train", "--beta-1", "nan"], "argument --beta-1: must be a number in [0, 1); got nan"),
    (["train", "--ema-decay", "1"], "argument --ema-decay: must be a number in [0, 1)"),
    (["train", "--limit", "0"], "argument --limit: must be an integer >= 1; got 0"),
    (["train", "--limit", "-5"], "argument --limit: must be an integer >= 1; got -5"),
    (["finetune", "dcgan_fashion_mnist", "--freeze-d", "-2"],
     "argument --freeze-d: must be an integer >= 0; got -2"),
    (["sample", "dcgan_fashion_mnist", "--num", "0"], "argument --num: must be an integer >= 1"),
    (["train", "--image-size", "0"], "argument --image-size: '0' is not a size: give HxW in "
                                     "pixels, e.g. 64x48, or 64 for 64x64"),
    (["finetune", "dcgan_emoji64", "--image-size", "64y"], "argument --image-size: '64y' is"),
    (["evaluate", "m.keras", "--num-real", "-3"], "argument --num-real: must be an integer >= 1"),
])
def test_numbers_out_of_range_are_usage_errors_in_the_clis_words(args, message, capsys):
    from tfgan_zoo import cli

    required = {"train": ["--family", "dcgan", "--data", "d.npz", "--out", "o"], "finetune": ["--data", "d.npz",
                "--out", "o"], "sample": ["--out", "g.png"], "evaluate": ["--data", "mnist"]}
    with pytest.raises(SystemExit) as exit:
        cli.main(args + required[args[0]])
    err = capsys.readouterr().err
    assert exit.value.code == 2 and f"tfgan-zoo {args[0]}: error: {message}" in err
    assert len(err.strip().splitlines()) == 1, err


def test_loss_settings_out_of_range_are_refused(tiny_gan):
    gan = tiny_gan()
    for options, message in [({"loss": "wgan_gp", "gp_weight": 0.0}, "needs gp_weight > 0"),
                             ({"gp_weight": -1.0}, "gp_weight must be a finite number >= 0"),
                             ({"r1_weight": float("nan")}, "r1_weight must be a finite number"),
                             ({"label_smoothing": -0.1}, "label_smoothing must be a number in")]:
        with pytest.raises(ValueError, match=message):
            gan.compile(**options)


def test_a_setting_declared_once_reaches_the_cli_the_checks_the_run_and_compile(
        npz, tmp_path, capsys):
    """label_smoothing is one record in settings.SETTINGS: the CLI's flag, its rule, the
    loss it applies to, run.json and GAN.compile all come from it."""
    out = tmp_path / "smooth"
    assert cli.main(["train", "--family", "dcgan", "--data", npz, "--out", str(out),
                     "--label-smoothing", "0.1", "--width", "4", "--latent-dim", "8",
                     "--batch-size", "64"]) == 0
    assert json.load(open(out / "run.json"))["label_smoothing"] == 0.1
    assert tfgan_zoo.load(str(out / "model.keras")).label_smoothing == pytest.approx(0.1)
    with pytest.raises(SystemExit) as usage:  # its rule: a fraction
        cli.main(["train", "--family", "dcgan", "--data", npz, "--out", str(out),
                  "--label-smoothing", "1.5"])
    assert usage.value.code == 2
    assert "--label-smoothing: must be a number in [0, 1); got 1.5" in capsys.readouterr().err
    with pytest.raises(ValueError, match="label_smoothing applies to .*non_saturating.*not "
                                         "'hinge'"):
        tfgan_zoo.train(npz, str(tmp_path / "hinge"), family="dcgan", loss="hinge",
                        label_smoothing=0.1, width=4)
    with pytest.raises(ValueError, match="label_smoothing does not apply to family "
                                         "'pix2pix'"):
        tfgan_zoo.train(npz, str(tmp_path / "p2p"), family="pix2pix", label_smoothing=0.1)


def test_a_diverging_run_and_bad_data_stop_with_one_line(npz, tmp_path, cli_run):
    code, _, err = cli_run("train", "--data", npz, "--out", tmp_path / "run",
                           "--learning-rate", "100", *TINY)
    assert code == 2 and len(err.splitlines()) == 1
    assert "error: Training diverged in epoch 1" in err
    assert "Lower the learning rate (--learning-rate, now 100)" in err
    text = tmp_path / "data.npz"
    text.write_text("not numpy")
    code, _, err = cli_run("train", "--data", text, "--out", tmp_path / "r2", *TINY)
    assert code == 2 and "data.npz is not a readable .npz file" in err
    assert not (tmp_path / "r2").exists()  # refused before anything was written