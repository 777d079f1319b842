"""Feature extractors, `evaluate`, `tfgan-zoo evaluate` and the FID callback."""
import json
import os

import numpy as np
import pytest

import tfgan_zoo
from tfgan_zoo import presets
from tfgan_zoo.callbacks import FIDCallback
from conftest import labelled_npz, make_tiny_gan, networks
from tfgan_zoo.metrics import evaluate, extractors, format_report
from zoo_models.classifier import Classifier


@pytest.fixture(scope="module")
def classifier_dir(tmp_path_factory):
    """An untrained tiny classifier preset: real enough to run the pipeline."""
    directory = str(tmp_path_factory.mktemp("presets") / "tiny_classifier")
    presets.save(Classifier((8, 8, 1), num_classes=3, width=4, feature_dim=6),
                         directory, card="# tiny\n")
    return directory


@pytest.fixture(scope="module")
def npz(tmp_path_factory):
    rng = np.random.default_rng(0)
    path = tmp_path_factory.mktemp("data") / "d.npz"
    np.savez(path, x_train=rng.integers(0, 256, (300, 8, 8, 1), dtype=np.uint8),
             x_test=rng.integers(0, 256, (120, 8, 8, 1), dtype=np.uint8))
    return str(path)


def test_a_preset_extractor_gives_features_and_logits(classifier_dir):
    extract = extractors.get(classifier_dir)
    features, logits = extract(np.zeros((7, 8, 8, 1), np.float32), batch_size=3)
    assert features.shape == (7, 6) and logits.shape == (7, 3)
    with pytest.raises(ValueError, match=r"takes images of shape \(8, 8, 1\), got \(28, 28, 1\)"):
        extract(np.zeros((2, 28, 28, 1), np.float32))


def test_unknown_extractor_lists_the_known_ones():
    with pytest.raises(ValueError, match="Unknown extractor 'vgg'. Available: .*inception"):
        extractors.get("vgg")


def test_evaluate_a_gan_and_its_samples(classifier_dir, npz, tmp_path, monkeypatch):
    monkeypatch.setenv("TFGAN_ZOO_HOME", str(tmp_path / "home"))
    g, d = networks("dcgan", (8, 8, 1), latent_dim=4, width=4)
    gan = tfgan_zoo.GAN(g, d)
    result = evaluate(gan, npz, num=100, extractor=classifier_dir, batch_size=32, verbose=0)
    assert result["num"] == 100 and result["floor"]["num"] == 100
    for scores in (result, result["floor"]):
        assert {"fid", "kid", "kid_std", "is", "is_std", "precision", "recall", "density",
                "coverage"} <= set(scores)
        assert all(np.isfinite(scores[k]) for k in ("fid", "kid", "is", "precision"))
    # Real test images are closer to the training images than an untrained G.
    assert result["floor"]["fid"] < result["fid"]
    report = format_report(result)
    assert "FID" in report and "real floor" in report

    samples = tmp_path / "s.npy"
    tfgan_zoo.sample(gan, str(samples), num=100, seed=0)
    # The real images' features are cached by the classifier's weights: training, test,
    # and the test images at both blurs.
    cached = sorted(os.listdir(tmp_path / "home" / "features"))
    assert len(cached) == 4
    from_file = evaluate(str(samples), npz, num=100, extractor=classifier_dir, verbose=0)
    assert sorted(os.listdir(tmp_path / "home" / "features")) == cached
    assert from_file["floor"] == pytest.approx(result["floor"], rel=1e-5, abs=1e-8, nan_ok=True)
    with pytest.raises(ValueError, match="100 samples given, 200 asked for"):
        evaluate(str(samples), npz, num=200, extractor=classifier_dir, verbose=0)
    with pytest.raises(ValueError, match="Extractor inception takes images of at least 16x16"):
        evaluate(gan, npz, num=100, verbose=0)


def test_a_conditional_gan_scored_by_a_classifier_of_its_classes_gets_label_accuracy(
        classifier_dir, tmp_path, monkeypatch):
    """The share of samples the classifier puts in the class they were drawn
    for, and of test images in their label's, against the same predictions
    made directly; none for an unconditional GAN or a classifier of another
    number of classes."""
    monkeypatch.setenv("TFGAN_ZOO_HOME", str(tmp_path / "home"))
    labelled = labelled_npz(tmp_path / "labelled.npz", 120, 60)
    extract = extractors.get(classifier_dir)
    gan = make_tiny_gan(num_classes=3)
    result = evaluate(gan, labelled, num=90, num_real=60, extractor=classifier_dir,
                      batch_size=32, verbose=0)
    made = np.concatenate([gan.generate(min(32, 90 - s), seed=s, labels=gan.class_cycle(
        min(32, 90 - s), s)) for s in range(0, 90, 32)])
    labels = np.arange(90) % 3
    assert result["label_accuracy"] == pytest.approx(
        np.mean(np.argmax(extract(made)[1], -1) == labels))
    with np.load(labelled) as arrays:
        test, test_labels = arrays["x_test"], arrays["y_test"]
    assert result["floor"]["label_accuracy"] == pytest.approx(
        np.mean(np.argmax(extract(test / 127.5 - 1)[1], -1) == test_labels))
    assert "label acc" in format_report(result)

    four = make_tiny_gan(num_classes=4)
    unconditional = make_tiny_gan()
    for other in (four, unconditional):
        scores = evaluate(other, labelled, num=60, extractor=classifier_dir, verbose=0)
        assert "label_accuracy" not in scores and "label_accuracy" not in scores["floor"]
        assert "label acc" not in format_report(scores)


def test_float_samples_in_0_1_are_refused_unless_their_range_is_stated(classifier_dir, npz,
                                                                       tmp_path):
    real = np.load(npz)["x_test"][:100]
    as_uint8 = evaluate(real, npz, num=100, extractor=classifier_dir, verbose=0)
    floats = tmp_path / "floats.npy"
    np.save(floats, real / 255.0)
    with pytest.raises(ValueError, match=r"\[0, 1\] pixels .*--pixel-range 0,1"):
        evaluate(str(floats), npz, num=100, extractor=classifier_dir, verbose=0)
    with pytest.raises(ValueError, match=r"\[0, 1\] pixels"):
        evaluate(real / 255.0, npz, num=100, extractor=classifier_dir, verbose=0)
    stated = evaluate(str(floats), npz, num=100, extractor=classifier_dir, verbose=0,
                      pixel_range="0,1")
    assert stated["fid"] == pytest.approx(as_uint8["fid"], rel=1e-4)
    assert "each against 100 training images: 100 generated, and for the floor and the " \
           "blurred yardsticks 100 test images" in format_report(stated)


def test_too_few_samples_or_samples_of_another_shape_are_one_line(classifier_dir, npz,
                                                                  tmp_path):
    gan = tfgan_zoo.GAN(*networks("dcgan", (8, 8, 1), latent_dim=4, width=4))
    with pytest.raises(ValueError, match="--num and --num-real must be at least 2"):
        evaluate(gan, npz, num=1, extractor=classifier_dir, verbose=0)
    rgb = np.zeros((16, 16, 16, 3), np.uint8)
    with pytest.raises(ValueError, match=r"The samples are 16x16x3 images but .*d\.npz's are "
                                         r"8x8x1: score them against data of their own size"):
        evaluate(rgb, npz, num=16, extractor=classifier_dir, verbose=0)


def test_cli_evaluate_prints_json(classifier_dir, npz, tmp_path, cli_run):
    samples = tmp_path / "s.npy"
    np.save(samples, np.random.default_rng(1).integers(0, 256, (64, 8, 8, 1), dtype=np.uint8))
    code, out, err = cli_run("evaluate", samples, "--data", npz, "--num", "64", "--extractor",
                             classifier_dir, "--json")
    assert code == 0, err[-2000:]
    result = json.loads(out)
    assert result["num"] == 64 and result["fid"] >= 0
    code, _, err = cli_run("evaluate", samples, "--data", npz, "--extractor", "nope")
    assert code == 2 and "Unknown extractor 'nope'" in err


def test_fid_callback_logs_to_history(classifier_dir):
    import tensorflow as tf

    g, d = networks("dcgan", (8, 8, 1), latent_dim=4, width=4)
    gan = tfgan_zoo.GAN(g, d)
    gan.compile()
    real = np.random.default_rng(0).integers(0, 256, (64, 8, 8, 1), dtype=np.uint8)
    callback = FIDCallback(real, extractors.get(classifier_dir), num=32, every=2)
    history = gan.fit(tf.data.Dataset.from_tensor_slices(real / 127.5 - 1).batch(16),
                      epochs=4, verbose=0, shuffle=False, callbacks=[callback]).history
    # Logged on epochs 2 and 4 only.
    assert len(history["fid"]) == 2 and np.isfinite(history["fid"]).all()
    assert len(history["kid"]) == 2
