"""tfgan_zoo.data: sources to [-1, 1] batches, and the errors for bad data."""
import numpy as np
import pytest
import tensorflow_datasets as tfds

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
    ds, info = data.load(npz, batch_size=16, labels=True, shuffle=False)
    assert info == {"image_shape": (28, 28, 1), "num_classes": int(np.load(npz)["y_train"].max()) + 1,
                    "num_examples": 50, "steps_per_epoch": 3}
    batches = list(ds.as_numpy_iterator())
    assert len(batches) == 3  # 50 // 16: the last partial batch is dropped
    x, y = batches[0]
    raw = np.load(npz)
    np.testing.assert_allclose(x[..., 0], raw["x_train"][:16] / 127.5 - 1, atol=1e-6)
    np.testing.assert_array_equal(y, raw["y_train"][:16])
    assert x.dtype == np.float32 and x.min() >= -1 and x.max() <= 1


def test_an_epoch_indexed_stream_resumes_where_it_would_have_been(npz):
    whole, info = data.load(npz, batch_size=16, epochs=range(3), seed=4)
    steps = info["steps_per_epoch"]
    first_three = [b.numpy() for b in whole]
    assert len(first_three) == 3 * steps
    resumed, _ = data.load(npz, batch_size=16, epochs=range(2, 3), seed=4)
    for a, b in zip(first_three[2 * steps:], resumed, strict=True):
        np.testing.assert_array_equal(a, b.numpy())
    assert not np.array_equal(first_three[0], first_three[steps])  # reshuffled per epoch


def test_arrays_and_limit(npz):
    x = np.load(npz)["x_train"][..., None]
    ds, info = data.load(x, batch_size=10, limit=20, shuffle=False)
    assert info["num_examples"] == 20 and len(list(ds)) == 2
    floats = x.astype("float32") / 127.5 - 1
    ds, _ = data.load(floats, batch_size=10, shuffle=False)
    np.testing.assert_allclose(next(iter(ds)).numpy(), floats[:10], atol=1e-6)


def test_tfds_source_through_mock_data():
    with tfds.testing.mock_data(num_examples=40):
        ds, info = data.load("tfds:fashion_mnist", batch_size=8, labels=True)
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
        data.load(array, batch_size=2)


def test_missing_file_labels_and_batch_errors(npz, tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist. Give a .npz file with x_train"):
        data.load(str(tmp_path / "nope.npz"), batch_size=2)
    with pytest.raises(ValueError, match="Labels were asked for but"):
        data.load(np.zeros((4, 8, 8), np.uint8), batch_size=2, labels=True)
    with pytest.raises(ValueError, match="batch_size 64 is larger than the 50 examples"):
        data.load(npz, batch_size=64)
    with pytest.raises(ValueError, match="Unknown data 'no_such_data': no .*no_such_data.npz "
                                         "and no TFDS data set"):
        data.load_arrays("no_such_data")
    with pytest.raises(ValueError, match="has no 'x_valid' array"):
        data.load(npz, batch_size=2, split="valid")
