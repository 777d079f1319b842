"""`sample`, and `tfgan_zoo.load` (which `sample`, `evaluate`, `translate` and
`export` share): bad counts, labels and model files get one clear line."""
import re
import zipfile

import keras
import numpy as np
import pytest

from conftest import make_tiny_gan
import tfgan_zoo
from tfgan_zoo import cli, metrics, sampling

GIVE = r"give a \.keras file written by `tfgan-zoo train` \(OUT/model\.keras\) or a preset"
UNREADABLE = r"is not a readable \.keras file \(truncated or corrupt\?\)"


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("models")
    make_tiny_gan().save(root / "gan.keras")
    make_tiny_gan(num_classes=3).save(root / "cgan.keras")
    keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]).save(root / "plain.keras")
    whole = (root / "gan.keras").read_bytes()
    (root / "cut.keras").write_bytes(whole[:len(whole) // 2])
    config = zipfile.ZipFile(root / "gan.keras").getinfo("config.json")
    middle = config.header_offset + 30 + len(config.filename) + config.compress_size // 2
    (root / "corrupt.keras").write_bytes(whole[:middle] + bytes(16) + whole[middle + 16:])
    with zipfile.ZipFile(root / "empty.keras", "w"):
        pass
    (root / "text.keras").write_text("not a model\n")
    return root


@pytest.mark.parametrize("args, message", [
    (["gan.keras", "--num", "0"], r"num:? must be an integer >= 1; got 0"),
    (["gan.keras", "--num", "-1"], r"num:? must be an integer >= 1; got -1"),
    (["cgan.keras", "--labels", "7", "9", "--num", "16"],
     r"labels: give one label, or one per sample \(16\); got 2\."),
    (["cgan.keras", "--labels", "3", "--num", "4"], r"labels must be ints in \[0, 3\)"),
    (["gan.keras", "--labels", "1"], "labels were given but this GAN is unconditional: "
                                     "leave the labels out"),
    (["plain.keras"], r"plain\.keras holds a Sequential, not a GAN: sample takes a GAN"),
    (["cut.keras"], rf"cut\.keras {UNREADABLE}: it is not a zip archive\. Copy or save "
                    rf"it again, or {GIVE}\."),
    (["text.keras"], rf"text\.keras {UNREADABLE}"),
    (["corrupt.keras"], rf"corrupt\.keras {UNREADABLE}: Bad CRC-32 for file 'config\.json'"),
    (["empty.keras"], rf"empty\.keras {UNREADABLE}: \"There is no item named 'config\.json'"),
])
def test_cli_sample_errors_are_one_clear_line(models, tmp_path, capsys, args, message):
    out = tmp_path / "grid.png"
    try:
        status = cli.main(["sample", str(models / args[0]), *args[1:], "--out", str(out)])
    except SystemExit as usage_error:  # the parser's range checks
        status = usage_error.code
    assert status == 2
    err = capsys.readouterr().err
    assert err.startswith("tfgan-zoo sample: error: ") and len(err.strip().splitlines()) == 1
    assert re.search(message, err), err
    assert not out.exists()


@pytest.mark.parametrize("name, message", [("plain.keras", "holds a Sequential, not a"),
                                           ("cut.keras", UNREADABLE)])
def test_evaluate_and_translate_refuse_these_files_alike(models, capsys, name, message):
    with pytest.raises(ValueError, match=message):
        metrics.evaluate(str(models / name), "fashion_mnist")
    assert cli.main(["translate", str(models / name), "--input", "x.png", "--out", "y.png"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tfgan-zoo translate: error: ")
    assert len(err.strip().splitlines()) == 1 and re.search(message, err), err


def test_one_label_or_one_per_sample(models, tmp_path):
    gan = tfgan_zoo.load(models / "cgan.keras")
    sampling.sample(gan, tmp_path / "one.npy", num=4, seed=1, labels=2)
    sampling.sample(gan, tmp_path / "each.npy", num=4, seed=1, labels=[2, 2, 2, 2])
    np.testing.assert_array_equal(np.load(tmp_path / "one.npy"), np.load(tmp_path / "each.npy"))
    with pytest.raises(ValueError, match=r"one per sample \(4\); got 3"):
        sampling.sample(gan, tmp_path / "x.npy", num=4, labels=[0, 1, 2])
    for num in (0, -1, 2.5):
        with pytest.raises(ValueError, match=f"num must be an integer >= 1; got {num}"):
            sampling.sample(gan, tmp_path / "x.npy", num=num)
