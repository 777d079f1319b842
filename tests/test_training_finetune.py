"""GAN presets: from_preset, and fine-tuning them with FreezeD."""
import json
import re

import numpy as np
import pytest

import tfgan_zoo
from tfgan_zoo import presets
from conftest import networks


@pytest.fixture(scope="module")
def gan_preset(tmp_path_factory):
    g, d = networks("dcgan", (8, 8, 1), latent_dim=4, width=4)
    gan = tfgan_zoo.GAN(g, d, seed=2)
    gan.compile(loss="least_squares", ema_decay=0.9)
    directory = str(tmp_path_factory.mktemp("presets") / "tiny_gan")
    presets.save(gan, directory, card="# tiny gan\n")
    return gan, directory


@pytest.fixture(scope="module")
def npz(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "d.npz"
    np.savez(path, x_train=np.random.default_rng(0).integers(0, 256, (64, 8, 8, 1),
                                                              dtype=np.uint8))
    return str(path)


def test_from_preset_gives_the_same_compiled_gan(gan_preset, tmp_path):
    gan, directory = gan_preset
    loaded = tfgan_zoo.from_preset(directory)
    np.testing.assert_array_equal(loaded.generate(5, seed=3), gan.generate(5, seed=3))
    assert loaded.ema_generator is not None
    assert loaded.get_compile_config()["loss"] == "least_squares"
    assert loaded.get_compile_config()["ema_decay"] == 0.9
    from zoo_models.classifier import Classifier
    presets.save(Classifier((8, 8, 1), num_classes=2, width=2, feature_dim=2),
                         str(tmp_path / "clf"), card="#\n")
    assert type(tfgan_zoo.from_preset(str(tmp_path / "clf"))).__name__ == "Classifier"
    with pytest.raises(ValueError, match="holds a Classifier, not a GAN: finetune"):
        tfgan_zoo.finetune(str(tmp_path / "clf"), "d.npz", str(tmp_path / "run"))


def test_finetune_with_freeze_d(gan_preset, npz, tmp_path):
    gan, directory = gan_preset
    tuned = tfgan_zoo.finetune(directory, npz, str(tmp_path), epochs=1, batch_size=16,
                               freeze_d=1, verbose=0)
    first, *rest = [layer for layer in tuned.discriminator.layers if layer.weights]
    original = {layer.name: layer for layer in gan.discriminator.layers}
    for w, w0 in zip(first.weights, original[first.name].weights):
        np.testing.assert_array_equal(w.numpy(), w0.numpy())  # frozen
    assert any(not np.array_equal(w.numpy(), w0.numpy())
               for layer in rest for w, w0 in zip(layer.weights, original[layer.name].weights))
    assert not np.array_equal(tuned.generator.weights[0].numpy(), gan.generator.weights[0].numpy())
    assert tuned.get_compile_config()["loss"] == "least_squares"
    assert json.load(open(tmp_path / "run.json"))["preset"] == directory
    # Resumed for a second epoch, the frozen layer stays frozen.
    resumed = tfgan_zoo.finetune(directory, npz, str(tmp_path), epochs=2, batch_size=16,
                                 freeze_d=1, verbose=0)
    assert int(resumed.g_optimizer.iterations) == 2 * 4
    for w, w0 in zip(resumed.discriminator.get_layer(first.name).weights,
                     original[first.name].weights):
        np.testing.assert_array_equal(w.numpy(), w0.numpy())
    with pytest.raises(ValueError, match="freeze_d=9 but the discriminator has only 2"):
        tfgan_zoo.finetune(directory, npz, str(tmp_path / "b"), freeze_d=9, batch_size=16,
                           verbose=0)


def test_cli_finetune_and_sample_from_a_preset(gan_preset, npz, tmp_path, cli_run):
    _, directory = gan_preset
    for args in (["finetune", directory, "--data", npz, "--epochs", "1", "--batch-size", "16",
                  "--out", tmp_path / "ft"],
                 ["sample", directory, "--num", "4", "--out", tmp_path / "s.npy"]):
        code, _, err = cli_run(*args)
        assert code == 0, err[-2000:]
    assert (tmp_path / "ft" / "model.keras").exists()
    assert np.load(tmp_path / "s.npy").shape == (4, 8, 8, 1)


def test_pictures_of_another_size_are_refused_or_resized_to_the_preset(gan_preset, tmp_path):
    from PIL import Image
    from tfgan_zoo import cli

    _, directory = gan_preset
    folder = tmp_path / "pictures"
    folder.mkdir()
    for i, image in enumerate(np.random.default_rng(3).integers(0, 256, (16, 12, 10),
                                                                 dtype=np.uint8)):
        Image.fromarray(image).save(folder / f"{i}.png")
    out = tmp_path / "run"
    with pytest.raises(ValueError, match=r"pictures has 12x10x1 images but .*tiny_gan makes "
                                         r"8x8x1: resize them with image_size=\(8, 8\) "
                                         r"\(--image-size 8x8\)\.$"):
        tfgan_zoo.finetune(directory, str(folder), str(out), batch_size=16, verbose=0)
    assert not out.exists()  # refused before anything was written
    assert cli.main(["finetune", directory, "--data", str(folder), "--image-size", "8",
                     "--batch-size", "16", "--out", str(out)]) == 0
    assert json.load(open(out / "run.json"))["image_size"] == [8, 8]
    assert tfgan_zoo.load(str(out / "model.keras")).generate(2).shape == (2, 8, 8, 1)


def test_a_wrong_or_huge_image_size_is_refused_before_any_image_is_read(gan_preset, tmp_path,
                                                                       capsys):
    """--image-size 40000x40000 resized every image first and was OOM-killed,
    leaving a stale lock: now the size is checked before the data is touched
    (the data here does not even exist)."""
    from tfgan_zoo import cli

    _, directory = gan_preset
    out = tmp_path / "run"
    for size, message in [("40000x40000", "image_size 40000x40000 is over 4096 pixels a side"),
                          ("16x16", r"makes 8x8 images, not 16x16: resize the data to its "
                                    r"size \(--image-size 8x8\)")]:
        assert cli.main(["finetune", directory, "--data", str(tmp_path / "nothing.npz"),
                         "--image-size", size, "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and re.search(message, err), err
        assert not out.exists()


def test_a_short_finetune_gets_an_ema_that_follows_it(npz, tmp_path, capsys):
    g, d = networks("dcgan", (8, 8, 1), latent_dim=4, width=4)
    gan = tfgan_zoo.GAN(g, d)
    gan.compile(ema_decay=0.999)
    directory = str(tmp_path / "slow_ema")
    presets.save(gan, directory, card="# slow EMA\n")
    # 64 images / 16 = 4 steps an epoch, 5 epochs: 20 steps, time constant <= 2 steps.
    tuned = tfgan_zoo.finetune(directory, npz, str(tmp_path / "a"), epochs=5, batch_size=16,
                               verbose=0)
    assert tuned.ema_decay == pytest.approx(0.5)
    assert "EMA decay 0.5 instead of the preset's 0.999" in capsys.readouterr().out
    chosen = tfgan_zoo.finetune(directory, npz, str(tmp_path / "b"), epochs=5, batch_size=16,
                                ema_decay=0.99, verbose=0)
    assert chosen.ema_decay == 0.99
