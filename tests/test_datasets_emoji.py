"""The emoji data set (tfgan_zoo/datasets/emoji.py): labels from
emoji-test.txt, disjoint splits, the same bytes from two builds, and clear
errors for a missing font, an unknown size and a damaged cache."""
import hashlib
import os
import re
import shutil

import numpy as np
import pytest

from tfgan_zoo import data
from tfgan_zoo.datasets import emoji

pytestmark = pytest.mark.skipif(
    not (os.path.exists(emoji.FONT) and os.path.exists(emoji.EMOJI_TEST)),
    reason=f"needs the emoji font and data: {emoji.INSTALL} (.ci/run installs them)")


def build(data_dir, size=32):
    import tensorflow_datasets as tfds

    builder = tfds.builder(f"emoji/{size}", data_dir=str(data_dir))
    builder.download_and_prepare()
    return builder


def split(builder, name):
    import tensorflow_datasets as tfds

    return tfds.as_numpy(builder.as_dataset(split=name, batch_size=-1))


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    """A TFDS data folder with emoji/32 built."""
    folder = tmp_path_factory.mktemp("tfds")
    build(folder)
    return folder


@pytest.fixture
def built(root):
    return build(root)  # already prepared: just the builder


def test_entries_and_labels_are_those_of_emoji_test_txt():
    entries = emoji.parse()
    text = open(emoji.EMOJI_TEST, encoding="utf-8").read()
    component = text.split("# group: Component", 1)[1].split("# group:", 1)[0]
    assert len(entries) == (text.count("; fully-qualified")
                            - component.count("; fully-qualified"))
    by_codepoints = {e[0]: e[1:] for e in entries}
    assert by_codepoints[("1F600",)] == ("Smileys & Emotion", "face-smiling", "grinning face")
    assert by_codepoints[("1F1EB", "1F1F7")] == ("Flags", "country-flag", "flag: France")
    assert by_codepoints[("1F44B", "1F3FD")][:2] == ("People & Body", "hand-fingers-open")
    groups, subgroups = emoji.groups_and_subgroups(entries)
    assert groups == re.findall(r"# group: (.+)", text.replace("# group: Component\n", ""))
    assert "Component" not in groups and len(subgroups) == len(set(subgroups))


def test_the_splits_are_disjoint_with_every_skin_tone_on_one_side(built):
    train, test = split(built, "train"), split(built, "test")
    keys = [set(s["codepoints"].astype(str)) for s in (train, test)]
    assert not keys[0] & keys[1]
    assert len(keys[0]) + len(keys[1]) == len(emoji.parse())  # the font draws them all
    bases = [{" ".join(c for c in k.split() if c not in emoji.SKIN_TONES) for k in ks}
             for ks in keys]
    assert not bases[0] & bases[1]
    assert 0.08 < len(keys[1]) / (len(keys[0]) + len(keys[1])) < 0.12
    groups, subgroups = emoji.groups_and_subgroups(emoji.parse())
    expected = {" ".join(e[0]): e[1:3] for e in emoji.parse()}
    for s in (train, test):
        for key, label, subgroup in zip(s["codepoints"].astype(str), s["label"], s["subgroup"]):
            assert (groups[label], subgroups[subgroup]) == expected[key]
    images = train["image"]
    assert images.shape[1:] == (32, 32, 3) and images.dtype == np.uint8
    assert (images[:, 0, 0] >= 250).all()  # composited on white (Lanczos rings by 1 level)
    assert images.std(axis=(1, 2, 3)).min() > 10  # and every emoji was drawn


def test_two_builds_write_the_same_bytes(built, tmp_path):
    again = build(tmp_path)

    def digests(builder):
        folder = builder.data_path
        return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
                for name in sorted(os.listdir(folder)) if ".tfrecord" in name}

    assert digests(again) and digests(again) == digests(built)


def test_the_data_layer_loads_it_with_labels(built, root, monkeypatch):
    import tensorflow_datasets as tfds

    monkeypatch.setattr(tfds.core.constants, "DATA_DIR", str(root))
    dataset, info = data.load_images("tfds:emoji/32", 64, labels=True)
    assert info["image_shape"] == (32, 32, 3) and info["num_classes"] == 9
    assert info["num_examples"] == built.info.splits["train"].num_examples
    x, y = next(iter(dataset))
    assert x.shape == (64, 32, 32, 3) and float(x.numpy().max()) == 1.0  # white in [-1, 1]


def test_a_missing_font_an_unknown_size_and_a_damaged_cache_are_clear_errors(
        root, monkeypatch, tmp_path):
    import tensorflow_datasets as tfds

    with pytest.raises(ValueError, match=r"tfds:emoji has no configuration '48': use "
                                         r"tfds:emoji/32, tfds:emoji/64\."):
        data.load_images("tfds:emoji/48", 8)
    # a damaged record in the cache: named with its fix before any training
    damaged = tmp_path / "damaged"
    shutil.copytree(root, damaged)
    copy = build(damaged)
    record = next(p for p in copy.data_path.iterdir() if "train.tfrecord" in p.name)
    blob = bytearray(record.read_bytes())
    blob[len(blob) // 2:len(blob) // 2 + 64] = bytes(64)
    record.write_bytes(bytes(blob))
    monkeypatch.setattr(tfds.core.constants, "DATA_DIR", str(damaged))
    with pytest.raises(ValueError, match=r"The built tfds:emoji/32 in .* is damaged .*: "
                                         r"delete that folder and run again to rebuild it\."):
        data.load_images("tfds:emoji/32", 8)
    monkeypatch.setattr(emoji, "FONT", str(tmp_path / "NoFont.ttf"))
    with pytest.raises(FileNotFoundError, match=r"NoFont\.ttf is missing: install them as "
                                                r"root with `apt-get install "
                                                r"fonts-noto-color-emoji unicode-data`"):
        tfds.builder("emoji/64", data_dir=str(tmp_path / "none"))
