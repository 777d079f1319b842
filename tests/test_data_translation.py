"""Image-to-image data: paired / unpaired loaders, their errors, and the two preset tasks."""
import os

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

from conftest import mock_tfds
from tfgan_zoo import data
from zoo_models.cyclegan.tasks import sneaker2boot
from zoo_models.pix2pix.tasks import edges2fashion


class TfganZooTinyPairs(tfds.core.GeneratorBasedBuilder):
    """A paired TFDS layout (TFDS itself has none): two image features per example."""
    VERSION = tfds.core.Version("1.0.0")

    def _info(self):
        image = tfds.features.Image(shape=(8, 8, 3))
        return tfds.core.DatasetInfo(
            builder=self,
            features=tfds.features.FeaturesDict({"target_image": image, "input_image": image}))

    def _split_generators(self, dl_manager):
        return {"train": self._generate_examples()}

    def _generate_examples(self):
        yield from ()


def fake_split(make, num_examples):
    """An `as_dataset_fn` for `tfds.testing.mock_data`: `make(split, i)` -> example."""
    def as_dataset(self, split, **kwargs):
        examples = [make(str(split), i) for i in range(num_examples)]
        return tf.data.Dataset.from_tensor_slices(
            {k: np.stack([e[k] for e in examples]) for k in examples[0]})
    return as_dataset


def marked(values, shape=(8, 8)):
    """uint8 images, image i filled with values[i]: its identity survives shuffling."""
    return np.stack([np.full(shape, v, np.uint8) for v in values])


def scaled(value):
    return value / 127.5 - 1


def ids(batch):
    return np.round((batch[:, 0, 0, 0] + 1) * 127.5).astype(int)


@pytest.fixture
def pairs_npz(tmp_path):
    a = np.random.default_rng(0).integers(0, 256, (20, 8, 8), dtype=np.uint8)
    path = tmp_path / "pairs.npz"
    np.savez(path, a_train=a, b_train=255 - a, a_test=a[:4], b_test=255 - a[:4])
    return str(path)


def write_png(path, image):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tf.io.write_file(str(path), tf.io.encode_png(image))


def test_paired_npz_stays_aligned_through_the_shuffle(pairs_npz):
    ds, info = data.load_paired(pairs_npz, batch_size=4, seed=3)
    assert info == {"input_shape": (8, 8, 1), "image_shape": (8, 8, 1), "num_examples": 20,
                    "num_classes": None, "class_names": None,
                    "steps_per_epoch": 5}
    batches = list(ds.as_numpy_iterator())
    assert len(batches) == 5
    for a, b in batches:
        assert a.shape == b.shape == (4, 8, 8, 1) and a.dtype == b.dtype == np.float32
        assert -1 <= a.min() and a.max() <= 1
        np.testing.assert_allclose(b, -a, atol=1e-5)  # b = 255 - a, scaled
    raw = np.load(pairs_npz)["a_train"][..., None]
    seen = np.concatenate([a for a, _ in batches])
    assert not np.allclose(seen, scaled(raw))  # shuffled ...
    np.testing.assert_allclose(np.sort(seen.reshape(20, -1), 0),  # ... and each example once
                               np.sort(scaled(raw.reshape(20, -1)), 0), atol=1e-5)
    test, info = data.load_paired(pairs_npz, batch_size=4, split="test", shuffle=False)
    np.testing.assert_allclose(next(iter(test))[0], scaled(raw[:4]), atol=1e-5)


def test_paired_arrays_floats_and_limit():
    a = np.linspace(-1, 1, 6 * 4 * 4 * 3, dtype=np.float32).reshape(6, 4, 4, 3)
    ds, info = data.load_paired((a, a[..., :1]), batch_size=2, limit=4, shuffle=False)
    assert info == {"input_shape": (4, 4, 3), "image_shape": (4, 4, 1), "num_examples": 4,
                    "num_classes": None, "class_names": None,
                    "steps_per_epoch": 2}
    (x, y), _ = list(ds)
    np.testing.assert_array_equal(x, a[:2])
    np.testing.assert_array_equal(y, a[:2, ..., :1])


@pytest.mark.parametrize("loader", [data.load_paired, data.load_unpaired])
def test_a_resumed_stream_repeats_the_uninterrupted_epochs(pairs_npz, loader):
    whole, info = loader(pairs_npz, batch_size=4, epochs=range(3), seed=7)
    steps = info["steps_per_epoch"]
    batches = [tuple(t.numpy() for t in b) for b in whole]
    assert len(batches) == 3 * steps
    resumed, _ = loader(pairs_npz, batch_size=4, epochs=range(2, 3), seed=7)
    for (a, b), (ra, rb) in zip(batches[2 * steps:], resumed, strict=True):
        np.testing.assert_array_equal(a, ra)
        np.testing.assert_array_equal(b, rb)
    assert not np.array_equal(batches[0][0], batches[steps][0])  # reshuffled per epoch


def test_unpaired_npz_shuffles_each_domain_on_its_own(tmp_path):
    path = tmp_path / "u.npz"
    np.savez(path, a_train=marked(range(10)), b_train=marked(range(100, 114)))
    ds, info = data.load_unpaired(str(path), batch_size=4, seed=1)
    assert info == {"input_shape": (8, 8, 1), "image_shape": (8, 8, 1), "num_examples": 10,
                    "num_classes": None, "class_names": None, "steps_per_epoch": 2}
    batches = list(ds.as_numpy_iterator())
    assert len(batches) == 2  # min(10, 14) // 4
    a_ids = np.concatenate([ids(a) for a, _ in batches])
    b_ids = np.concatenate([ids(b) for _, b in batches])
    assert set(a_ids) <= set(range(10)) and set(b_ids) <= set(range(100, 114))
    assert len(set(a_ids)) == len(set(b_ids)) == 8  # no repeats within an epoch
    assert list(b_ids - 100) != list(a_ids)  # not shuffled in step
    _, info = data.load_unpaired(str(path), batch_size=4, limit=6)
    assert (info["num_examples"], info["steps_per_epoch"]) == (6, 1)


def test_folder_sources(tmp_path):
    rng = np.random.default_rng(1)
    for i in range(5):
        image = rng.integers(0, 256, (6, 6, 3), dtype=np.uint8)
        write_png(tmp_path / "trainA" / f"{i}.png", image)
        write_png(tmp_path / "trainB" / f"{i}.png", 255 - image)
    write_png(tmp_path / "trainB" / "extra.png", np.zeros((6, 6, 3), np.uint8))
    (tmp_path / "trainA" / "notes.txt").write_text("not an image, ignored")
    with pytest.raises(ValueError, match=r"unpaired \(5 A images, 6 B images.*'extra.png'.*"
                                         r"a paired translator needs paired data"):
        data.load_paired(str(tmp_path), batch_size=2)
    ds, info = data.load_unpaired(str(tmp_path), batch_size=2)
    assert (info["input_shape"], info["image_shape"], info["num_examples"]) == (
        (6, 6, 3), (6, 6, 3), 5)
    os.remove(tmp_path / "trainB" / "extra.png")
    ds, info = data.load_paired(str(tmp_path), batch_size=2)
    assert info["input_shape"] == info["image_shape"] == (6, 6, 3)
    for a, b in ds.as_numpy_iterator():
        np.testing.assert_allclose(b, -a, atol=1e-5)


def test_folder_errors(tmp_path):
    write_png(tmp_path / "trainA" / "0.png", np.zeros((6, 6, 1), np.uint8))
    (tmp_path / "other").mkdir()
    with pytest.raises(ValueError,
                       match=r"no trainB/ folder \(it has \['other/', 'trainA/'\]\)"):
        data.load_unpaired(str(tmp_path), batch_size=1)
    write_png(tmp_path / "trainB" / "0.png", np.zeros((6, 6, 1), np.uint8))
    write_png(tmp_path / "trainB" / "1.png", np.zeros((7, 6, 1), np.uint8))
    with pytest.raises(ValueError, match=r"trainB/1.png is 7x6x1 but .*0.png is 6x6x1"):
        data.load_unpaired(str(tmp_path), batch_size=1)
    (tmp_path / "trainB" / "1.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match=r"trainB/1.png does not decode as an image"):
        data.load_unpaired(str(tmp_path), batch_size=1)


def test_npz_errors(tmp_path, pairs_npz):
    path = tmp_path / "bad.npz"
    np.savez(path, a_train=marked(range(5)), b_train=marked(range(7)), x_train=marked([1]))
    with pytest.raises(ValueError, match=r"is unpaired \(5 A images, 7 B images\): a paired "
                                         r"translator needs paired data; use an unpaired "
                                         r"translator \(load_unpaired\)"):
        data.load_paired(str(path), batch_size=1)
    with pytest.raises(ValueError, match=r"no 'a_test' array \(it has \['a_train', 'b_train', "
                                         r"'x_train'\]\)"):
        data.load_unpaired(str(path), batch_size=1, split="test")
    with pytest.raises(ValueError, match=r"batch_size 21 is larger than the 20 examples"):
        data.load_paired(pairs_npz, batch_size=21)
    with pytest.raises(ValueError, match=r"batch_size 6 is larger than the 5 examples"):
        data.load_unpaired(str(path), batch_size=6)
    with pytest.raises(FileNotFoundError, match="missing.npz"):
        data.load_paired(str(tmp_path / "missing.npz"), batch_size=1)


def test_tfds_cycle_gan_reads_split_a_and_b():
    def example(split, i):
        return {"image": np.full((8, 8, 3), 10 if split.endswith("A") else 200, np.uint8),
                "label": int(split.endswith("B"))}

    with mock_tfds(as_dataset_fn=fake_split(example, 6)):
        ds, info = data.load_unpaired("tfds:cycle_gan/horse2zebra", batch_size=4)
        a, b = next(iter(ds))
        with pytest.raises(ValueError, match=r"tfds:cycle_gan/horse2zebra is unpaired .*"
                                             r"use an unpaired translator \(load_unpaired\)"):
            data.load_paired("tfds:cycle_gan/horse2zebra", batch_size=4)
    assert info == {"input_shape": (8, 8, 3), "image_shape": (8, 8, 3), "num_examples": 6,
                    "num_classes": None, "class_names": None, "steps_per_epoch": 1}
    np.testing.assert_allclose(a, scaled(10), atol=1e-5)
    np.testing.assert_allclose(b, scaled(200), atol=1e-5)


def test_tfds_images_of_varying_size_fail_clearly():
    with mock_tfds(num_examples=6):  # random sizes, as cycle_gan allows
        ds, _ = data.load_unpaired("tfds:cycle_gan/horse2zebra", batch_size=2)
        with pytest.raises(tf.errors.InvalidArgumentError, match="images of different sizes"):
            list(ds)


def test_tfds_paired_features_in_name_order():
    def example(split, i):
        image = np.full((8, 8, 3), 20 * i, np.uint8)
        return {"input_image": image, "target_image": 255 - image}

    with mock_tfds(as_dataset_fn=fake_split(example, 8)):
        ds, info = data.load_paired("tfds:tfgan_zoo_tiny_pairs", batch_size=4, seed=2)
        batches = list(ds.as_numpy_iterator())
    assert info == {"input_shape": (8, 8, 3), "image_shape": (8, 8, 3), "num_examples": 8,
                    "num_classes": None, "class_names": None,
                    "steps_per_epoch": 2}
    assert len(batches) == 2
    for a, b in batches:
        assert set(ids(a)) <= {20 * i for i in range(8)}  # input_image comes first
        np.testing.assert_allclose(b, -a, atol=1e-5)


def test_tfds_has_no_pix2pix_data_set():
    with mock_tfds(), pytest.raises(ValueError, match="TFDS has no paired .* "
                                                                   "folder or an .npz"):
        data.load_paired("tfds:pix2pix/facades", batch_size=1)


@pytest.fixture
def fake_fashion(tmp_path):
    """Writes a tiny Fashion-MNIST look-alike (different pixels per seed); returns its path."""
    def write(seed=0):
        rng = np.random.default_rng(seed)
        x = rng.integers(0, 256, (30, 28, 28), dtype=np.uint8)
        x[0] = 0  # blank: no edges
        y = np.arange(30) % 10
        x[y == 7, 0, 0], x[y == 9, 0, 0] = 7, 9  # each image knows its class
        np.savez(tmp_path / "fake.npz", x_train=x, y_train=y, x_test=x[:10], y_test=y[:10])
        return str(tmp_path / "fake.npz")

    return write


def test_edges2fashion(tmp_path, fake_fashion, monkeypatch):
    source = fake_fashion()
    out = edges2fashion(source, out=str(tmp_path / "e.npz"))
    with np.load(out) as f:
        a, b, a_test = f["a_train"], f["b_train"], f["a_test"]
        raw = np.load(source)["x_train"]
        assert a.shape == b.shape == (30, 28, 28, 1) and a.dtype == b.dtype == np.uint8
        np.testing.assert_array_equal(b[..., 0], raw)
        assert a[0].max() == 0 and a.max() == 255  # blank -> no edges; scaled by the train max
        np.testing.assert_array_equal(a_test, a[:10])  # one scale for both splits
        first_hash = str(f["source_sha256"])
    stamp = os.stat(out).st_mtime_ns
    assert edges2fashion(source, out=out) == out and os.stat(out).st_mtime_ns == stamp  # reused
    fake_fashion(seed=1)
    edges2fashion(source, out=out)
    with np.load(out) as f:  # the source changed: rebuilt
        assert str(f["source_sha256"]) != first_hash
        np.testing.assert_array_equal(f["b_train"][..., 0], np.load(source)["x_train"])
    monkeypatch.setattr(data.sources, "DATA_HOME", str(tmp_path))
    path = edges2fashion("fake")  # a bare name and the default `out`, both in DATA_HOME
    assert path == str(tmp_path / "edges2fashion.npz")
    _, info = data.load_paired(path, batch_size=10)
    assert info["input_shape"] == (28, 28, 1) and info["num_examples"] == 30
    with pytest.raises(FileNotFoundError, match="TFGAN_ZOO_DATA"):
        edges2fashion("no_such_data")


def test_sneaker2boot(tmp_path, fake_fashion):
    source = fake_fashion()
    out = sneaker2boot(source, out=str(tmp_path / "s.npz"))
    with np.load(out) as f:
        assert f["a_train"].shape == (3, 28, 28, 1) and f["a_train"].dtype == np.uint8
        assert (f["a_train"][:, 0, 0, 0] == 7).all() and (f["b_train"][:, 0, 0, 0] == 9).all()
        assert len(f["a_test"]) == len(f["b_test"]) == 1
    stamp = os.stat(out).st_mtime_ns
    sneaker2boot(source, out=out)
    assert os.stat(out).st_mtime_ns == stamp
    fake_fashion(seed=2)
    sneaker2boot(source, out=out)
    assert os.stat(out).st_mtime_ns != stamp
    assert not [n for n in os.listdir(tmp_path) if n.startswith(".partial-")]
    _, info = data.load_unpaired(out, batch_size=3)
    assert (info["num_examples"], info["steps_per_epoch"]) == (3, 1)
