"""tfgan_zoo.data: sources to [-1, 1] batches, and the errors for bad data."""
import os
import time

import numpy as np
import pytest

from conftest import mock_tfds
from tfgan_zoo import data


@pytest.fixture
def npz(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "d.npz"
    np.savez(path, x_train=rng.integers(0, 256, (50, 28, 28), dtype=np.uint8),
             y_train=rng.integers(0, 10, 50).astype(np.uint8),
             x_test=np.zeros((5, 28, 28), np.uint8))
    return str(path)


def test_npz_gives_scaled_full_batches_with_labels(npz):
    ds, info = data.load_images(npz, batch_size=16, labels=True, shuffle=False)
    assert info == {"image_shape": (28, 28, 1), "input_shape": None, "num_classes": int(np.load(npz)["y_train"].max()) + 1,
                    "class_names": None, "num_examples": 50, "steps_per_epoch": 3}
    batches = list(ds.as_numpy_iterator())
    assert len(batches) == 3  # 50 // 16: the last partial batch is dropped
    x, y = batches[0]
    raw = np.load(npz)
    np.testing.assert_allclose(x[..., 0], raw["x_train"][:16] / 127.5 - 1, atol=1e-6)
    np.testing.assert_array_equal(y, raw["y_train"][:16])
    assert x.dtype == np.float32 and x.min() >= -1 and x.max() <= 1


def test_an_epoch_indexed_stream_resumes_where_it_would_have_been(npz):
    whole, info = data.load_images(npz, batch_size=16, epochs=range(3), seed=4)
    steps = info["steps_per_epoch"]
    first_three = [b.numpy() for b in whole]
    assert len(first_three) == 3 * steps
    resumed, _ = data.load_images(npz, batch_size=16, epochs=range(2, 3), seed=4)
    for a, b in zip(first_three[2 * steps:], resumed, strict=True):
        np.testing.assert_array_equal(a, b.numpy())
    assert not np.array_equal(first_three[0], first_three[steps])  # reshuffled per epoch


def test_arrays_and_limit(npz):
    x = np.load(npz)["x_train"][..., None]
    ds, info = data.load_images(x, batch_size=10, limit=20, shuffle=False)
    assert info["num_examples"] == 20 and len(list(ds)) == 2
    floats = x.astype("float32") / 127.5 - 1
    ds, _ = data.load_images(floats, batch_size=10, shuffle=False)
    np.testing.assert_allclose(next(iter(ds)).numpy(), floats[:10], atol=1e-6)


def test_tfds_source_through_mock_data():
    with mock_tfds(num_examples=40):
        ds, info = data.load_images("tfds:fashion_mnist", batch_size=8, labels=True)
        x, y = next(iter(ds))
    assert info["image_shape"] == (28, 28, 1) and info["num_classes"] == 10
    assert x.shape == (8, 28, 28, 1) and y.shape == (8,)
    assert -1 <= float(x.numpy().min()) and float(x.numpy().max()) <= 1


@pytest.mark.parametrize("array, message", [
    (np.zeros((4, 8, 8), np.int32), "uint8 in \\[0, 255\\] or floats in \\[-1, 1\\]; got dtype int32"),
    (np.full((4, 8, 8), 255.0, np.float32), "lie in \\[255, 255\\]. They look like 0..255: pass them as uint8"),
    (np.full((4, 8, 8), -3.0, np.float32), "Rescale them with x / 127.5 - 1"),
    (np.array([[[np.nan]]] * 4, np.float32), "contain 4 NaN"),
    (np.zeros((4, 8), np.uint8), "must be \\[N, H, W\\] or \\[N, H, W, C\\]"),
])
def test_bad_arrays_are_refused_with_the_fix(array, message):
    with pytest.raises(ValueError, match=message):
        data.load_images(array, batch_size=2)


def test_missing_file_labels_and_batch_errors(npz, tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist. Give a .npz file with x_train"):
        data.load_images(str(tmp_path / "nope.npz"), batch_size=2)
    with pytest.raises(ValueError, match="Labels were asked for but"):
        data.load_images(np.zeros((4, 8, 8), np.uint8), batch_size=2, labels=True)
    with pytest.raises(ValueError, match="batch_size 64 is larger than the 50 examples"):
        data.load_images(npz, batch_size=64)
    with pytest.raises(ValueError, match="Unknown data 'no_such_data': no .*no_such_data.npz "
                                         "and no TFDS data set"):
        data.load_arrays("no_such_data")
    with pytest.raises(ValueError, match="has no 'x_valid' array"):
        data.load_images(npz, batch_size=2, split="valid")


def test_floats_in_0_1_are_refused_unless_their_range_is_stated():
    x = np.random.default_rng(0).integers(0, 256, (8, 8, 8, 1)).astype(np.uint8)
    with pytest.raises(ValueError, match=r"lie in \[0, 1\]: \[0, 1\] pixels .*"
                                         r"--pixel-range 0,1"):
        data.load_images(x / 255.0, batch_size=4)
    ds, _ = data.load_images(x / 255.0, batch_size=8, shuffle=False, pixel_range="0,1")
    np.testing.assert_allclose(next(iter(ds)).numpy(), x / 127.5 - 1, atol=1e-6)
    positive = np.full((8, 8, 8, 1), 0.5, np.float32)  # bright [-1, 1] images, stated
    ds, _ = data.load_images(positive, batch_size=8, pixel_range="-1,1")
    np.testing.assert_allclose(next(iter(ds)).numpy(), positive)
    with pytest.raises(ValueError, match=r"outside the stated pixel range \[0,1\]"):
        data.load_images(x.astype(np.float32), batch_size=4, pixel_range="0,1")
    with pytest.raises(ValueError, match="Unknown pixel range '0-1': use one of 0,255, 0,1"):
        data.load_images(x / 255.0, batch_size=4, pixel_range="0-1")


def labelled(tmp_path, y, **extra):
    path = tmp_path / "labelled.npz"
    np.savez(path, x_train=np.zeros((len(y), 8, 8), np.uint8), y_train=np.asarray(y), **extra)
    return str(path)


def test_the_class_count_comes_from_metadata_or_dense_labels_never_a_stray_one(tmp_path):
    y = np.arange(100) % 10
    assert data.load_images(labelled(tmp_path, y), 10, labels=True)[1]["num_classes"] == 10
    stray = np.concatenate([y, [100_000]])
    with pytest.raises(ValueError, match=r"Cannot tell the number of classes .*99990 of the "
                                         r"values 0..100000 never occur.*--num-classes N"):
        data.load_images(labelled(tmp_path, stray), 10, labels=True)
    with pytest.raises(ValueError, match=r"1 labels lie outside the 10 classes \[0, 10\) "
                                         r"\(e.g. 100000\)"):
        data.load_images(labelled(tmp_path, stray), 10, labels=True, num_classes=10)
    one_off = np.concatenate([np.arange(10_000) % 10, [10]])  # a single image of class 10
    with pytest.raises(ValueError, match="class 10 has 1 images, far fewer than the others"):
        data.load_images(labelled(tmp_path, one_off), 10, labels=True)
    # The data's own metadata: more classes than the labels show, or a refusal.
    path = labelled(tmp_path, y, num_classes=12)
    assert data.load_images(path, 10, labels=True)[1]["num_classes"] == 12
    names = np.array([f"c{i}" for i in range(8)])
    with pytest.raises(ValueError, match="labels lie outside the 8 classes"):
        data.load_images(labelled(tmp_path, y, class_names=names), 10, labels=True)


def test_classes_have_the_names_the_data_gives_them(tmp_path):
    y = np.arange(30) % 3
    names = np.array(["ant", "bee", "cow"])
    info = data.load_images(labelled(tmp_path, y, class_names=names), 10, labels=True)[1]
    assert info["class_names"] == ("ant", "bee", "cow")
    assert data.load_images(labelled(tmp_path, y), 10, labels=True)[1]["class_names"] is None
    # a name for each class or none: 4 classes declared, 3 names
    info = data.load_images(labelled(tmp_path, y, class_names=names, num_classes=4), 10,
                            labels=True)[1]
    assert info["num_classes"] == 4 and info["class_names"] is None
    # without labels, no classes and no names
    assert data.load_images(labelled(tmp_path, y, class_names=names), 10)[1]["class_names"] is None
    # a local NAME.npz standing in for the TFDS data set NAME takes its names (from
    # TFDS's code: nothing is downloaded)
    assert data.stand_in_class_names("fashion_mnist")[:2] == ["T-shirt/top", "Trouser"]
    assert data.stand_in_class_names("no_such_data_set") is None


def test_a_file_that_is_not_an_npz_is_one_clear_error(tmp_path):
    text = tmp_path / "notes.npz"
    text.write_text("x_train: see the other folder\n")
    with pytest.raises(ValueError, match="notes.npz is not a readable .npz file .*numpy.savez"):
        data.load_images(str(text), batch_size=2)
    single = tmp_path / "single.npz"
    with open(single, "wb") as f:
        np.save(f, np.zeros((4, 8, 8), np.uint8))
    with pytest.raises(ValueError, match="holds one array, not named arrays"):
        data.load_images(str(single), batch_size=2)


def test_data_is_identified_by_content_not_by_spelling(npz, tmp_path):
    digest = data.fingerprint(npz)
    here = os.getcwd()
    try:
        os.chdir(os.path.dirname(npz))
        assert data.fingerprint(os.path.join(".", os.path.basename(npz))) == digest
    finally:
        os.chdir(here)
    link = tmp_path / "link.npz"
    link.symlink_to(npz)
    assert data.fingerprint(str(link)) == digest
    other = tmp_path / "other.npz"
    np.savez(other, x_train=np.ones((50, 28, 28), np.uint8))
    assert data.fingerprint(str(other)) != digest
    x = np.load(npz)["x_train"]
    assert data.fingerprint(x) == data.fingerprint(x.copy()) != data.fingerprint(x[:-1])
    assert data.fingerprint("tfds:mnist") != data.fingerprint("tfds:fashion_mnist")


def test_an_unprepared_tfds_data_set_fails_fast_when_its_host_is_unreachable(monkeypatch):
    closed = ("127.0.0.1", 9)  # the discard port: nothing listens there
    monkeypatch.setattr(data.tfds_source, "TFDS_HOST", closed)
    start = time.monotonic()
    for call in (lambda: data.load_images("tfds:binarized_mnist", batch_size=8),
                 lambda: data.load_arrays("tfds:binarized_mnist")):
        with pytest.raises(OSError, match=r"tfds:binarized_mnist is not in the TFDS data folder "
                                          r".* cannot be reached .* give a local .npz"):
            call()
    assert time.monotonic() - start < 30  # not TFDS's 3.5 minutes of retries


def _write_pngs(folder, images):
    from PIL import Image

    os.makedirs(folder, exist_ok=True)
    for i, image in enumerate(images):
        Image.fromarray(image).save(os.path.join(folder, f"{i:02d}.png"))


def test_a_folder_of_images_is_a_data_source_with_class_folders_and_splits(tmp_path):
    x = np.random.default_rng(0).integers(0, 256, (6, 6, 6, 3), dtype=np.uint8)
    _write_pngs(tmp_path / "flat", x)
    images, labels = data.load_arrays(str(tmp_path / "flat"))
    np.testing.assert_array_equal(images, x)
    assert labels is None
    ds, info = data.load_images(str(tmp_path / "flat"), batch_size=3, shuffle=False)
    np.testing.assert_allclose(next(iter(ds)).numpy(), x[:3] / 127.5 - 1, atol=1e-6)
    assert info["num_examples"] == 6

    # Class folders are labels in name order; train/ and test/ are the splits.
    _write_pngs(tmp_path / "split" / "train" / "cat", x[:2])
    _write_pngs(tmp_path / "split" / "train" / "dog", x[2:5])
    _write_pngs(tmp_path / "split" / "test" / "dog", x[5:])
    images, labels = data.load_arrays(str(tmp_path / "split"))
    np.testing.assert_array_equal(images, x[:5])
    np.testing.assert_array_equal(labels, [0, 0, 1, 1, 1])
    images, labels = data.load_arrays(str(tmp_path / "split"), "test")
    np.testing.assert_array_equal(images, x[5:])
    np.testing.assert_array_equal(labels, [1])
    _, info = data.load_images(str(tmp_path / "split"), batch_size=2, labels=True)
    assert info["num_classes"] == 2 and info["num_examples"] == 5
    assert info["class_names"] == ("cat", "dog")  # the folders' names


def _central_crop_resized(image, size):
    """The reference: numpy's central crop to the aspect of `size`, then TF's
    antialiased bilinear resize, rounded to uint8."""
    import tensorflow as tf

    h, w = image.shape[:2]
    scale = min(h / size[0], w / size[1])
    ch, cw = round(size[0] * scale), round(size[1] * scale)
    top, left = (h - ch) // 2, (w - cw) // 2
    crop = image[top:top + ch, left:left + cw].astype(np.float32)
    resized = tf.image.resize(crop, size, method="bilinear", antialias=True).numpy()
    return np.clip(np.rint(resized), 0, 255).astype(np.uint8)


def test_image_size_crops_and_resizes_every_source(tmp_path):
    rng = np.random.default_rng(1)
    tall = rng.integers(0, 256, (12, 8, 3), dtype=np.uint8)
    wide = rng.integers(0, 256, (6, 9, 3), dtype=np.uint8)
    flat = np.full((7, 7, 3), (200, 30, 90), np.uint8)
    from PIL import Image

    os.makedirs(tmp_path / "mixed")
    for name, image in (("a.png", tall), ("b.png", wide), ("c.png", flat)):
        Image.fromarray(image).save(tmp_path / "mixed" / name)
    with pytest.raises(ValueError, match=r"one size \(and channel count\); convert them, or "
                                         r"resize them with image_size=\(H, W\) \(--image-size HxW\)"):
        data.load_arrays(str(tmp_path / "mixed"))
    x, _ = data.load_arrays(str(tmp_path / "mixed"), image_size=4)
    assert x.shape == (3, 4, 4, 3) and x.dtype == np.uint8
    for got, image in zip(x, (tall, wide)):
        np.testing.assert_array_equal(got.astype(int), _central_crop_resized(image, (4, 4)))
    assert (x[2] == flat[0, 0]).all()  # a flat colour stays that colour

    # Arrays, .npz files (uint8 or floats) and TFDS names take it too; (H, W) for other shapes.
    arrays = rng.integers(0, 256, (3, 10, 10), dtype=np.uint8)
    x, _ = data.load_arrays(arrays, image_size=(5, 3))
    np.testing.assert_array_equal(x[1], _central_crop_resized(arrays[1, ..., None], (5, 3)))
    floats, _ = data.load_arrays(arrays / 127.5 - 1.0, image_size=(5, 3))
    assert floats.dtype == np.float32 and -1 <= floats.min() and floats.max() <= 1
    np.testing.assert_allclose((floats + 1) * 127.5, x, atol=0.51)
    with mock_tfds(num_examples=16):
        ds, info = data.load_images("tfds:fashion_mnist", batch_size=8, image_size=32)
        assert info["image_shape"] == (32, 32, 1) and next(iter(ds)).shape == (8, 32, 32, 1)
        x, _ = data.load_arrays("tfds:fashion_mnist", image_size=14)
        assert x.shape == (16, 14, 14, 1)
    for bad in (0, (4, 0), (4, 4, 4), 2.5):
        with pytest.raises(ValueError, match="image_size must be an integer >= 1 or "
                                             r"\(height, width\) integers >= 1; got"):
            data.load_arrays(arrays, image_size=bad)


@pytest.mark.parametrize("layout, split, message", [
    ({"a.png": 0}, "test", r"flat is a folder of training images with no test split: move "
                           r"them into .*flat/train/"),
    ({"a.png": 0, "cat/b.png": 0}, "train", r"holds both images and folders \(cat/\)"),
    ({"notes.txt": None}, "train", r"has no PNG or JPEG files"),
    ({"train/a.png": 0}, "test", r"has train/ but no test/ folder"),
    ({"train/cat/a.png": 0, "test/owl/b.png": 0}, "test", r"class folders that .* lacks: owl"),
    ({"a.png": 0, "b.png": 1}, "train", r"b.png is 5x5x3 but .*a.png is 6x6x3"),
    # an RGBA picture among RGB ones: --image-size cannot fix channels, so it is not advised
    ({"a.png": 0, "b.png": "RGBA"}, "train", r"b.png is 6x6x4 but .*a.png is 6x6x3: the "
                                             r"images of a folder must have one channel count; "
                                             r"convert them \(all grey or all RGB"),
])
def test_a_bad_image_folder_is_one_clear_error(tmp_path, layout, split, message):
    from PIL import Image

    root = tmp_path / "flat"
    for name, size in layout.items():
        os.makedirs(os.path.dirname(root / name), exist_ok=True)
        if size is None:
            (root / name).write_text("not an image")
        elif size == "RGBA":
            Image.new("RGBA", (6, 6)).save(root / name)
        else:
            Image.new("RGB", (6 - size, 6 - size)).save(root / name)
    with pytest.raises(ValueError, match=message):
        data.load_arrays(str(root), split)
