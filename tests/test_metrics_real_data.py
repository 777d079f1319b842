"""The shipped Fashion-MNIST and emoji extractors order real, blurred and
noise images the way a person would."""
import os

import numpy as np
import pytest

from tfgan_zoo.datasets import emoji
from tfgan_zoo.metrics import blurred, extractors, frechet_distance, kernel_distance


@pytest.mark.parametrize("extractor", ["classifier_fashion_mnist"])
def test_fid_orders_real_blurred_and_noise(extractor, fashion_mnist):
    f = np.load(fashion_mnist)
    scale = lambda x: x[..., None].astype(np.float32) / 127.5 - 1  # noqa: E731
    train, test = scale(f["x_train"][:5000]), scale(f["x_test"][:5000])
    noise = np.random.default_rng(0).uniform(-1, 1, test.shape).astype(np.float32)
    extract = extractors.get(extractor)
    feats = {name: extract(x)[0] for name, x in
             {"train": train, "test": test, "blurred": blurred(test), "noise": noise}.items()}
    fid = {name: frechet_distance(feats["train"], feats[name])
           for name in ("test", "blurred", "noise")}
    kid = {name: kernel_distance(feats["train"], feats[name])[0]
           for name in ("test", "blurred", "noise")}
    # Measured with the shipped classifier_fashion_mnist: FID 0.27 (test),
    # 51.9 (blurred), 85.8 (noise).
    assert fid["test"] < 0.05 * fid["blurred"], fid
    assert fid["blurred"] < fid["noise"], fid
    assert kid["test"] < kid["blurred"] < kid["noise"], kid


@pytest.mark.skipif(not os.path.exists(emoji.FONT), reason=f"needs {emoji.INSTALL}")
def test_the_emoji_extractor_orders_held_out_blurred_and_noise():
    """KID is the primary number on this small set (FID is biased at 381
    held-out images): held-out emoji < blurred < noise, by KID and FID."""
    from tfgan_zoo import data

    train, _ = data.load_arrays("tfds:emoji/32", "train")
    test, _ = data.load_arrays("tfds:emoji/32", "test")
    scale = lambda x: x.astype(np.float32) / 127.5 - 1  # noqa: E731
    noise = np.random.default_rng(0).uniform(-1, 1, test.shape).astype(np.float32)
    extract = extractors.get("classifier_emoji32")
    feats = {name: extract(x)[0] for name, x in
             {"train": scale(train), "test": scale(test), "blurred": blurred(scale(test)),
              "noise": noise}.items()}
    kid = {name: kernel_distance(feats["train"], feats[name])[0]
           for name in ("test", "blurred", "noise")}
    fid = {name: frechet_distance(feats["train"], feats[name])
           for name in ("test", "blurred", "noise")}
    assert kid["test"] < 0.2 * kid["blurred"] and kid["blurred"] < kid["noise"], kid
    assert fid["test"] < fid["blurred"] < fid["noise"], fid
    assert extractors.default_for("tfds:emoji/32") == "classifier_emoji32"
