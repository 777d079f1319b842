"""Training data -> `tf.data` batches of images in [-1, 1] (and labels).

Sources: an `.npz` file with `x_train` (and `y_train`), `"tfds:NAME"` for a
TensorFlow Datasets name, or in-memory arrays `x` / `(x, y)`. Images are
uint8 in [0, 255], or floats already in [-1, 1]; [N, H, W] gets a channel axis.
"""
import functools
import os

import numpy as np
import tensorflow as tf

DATA_HOME = os.environ.get("TFGAN_ZOO_DATA",
                           os.path.join(os.path.expanduser("~"), ".cache", "tfgan_zoo", "datasets"))
SOURCES_HELP = ("a .npz file with x_train (uint8 [N, H, W(, C)]), 'tfds:NAME' "
                "(e.g. tfds:fashion_mnist), or arrays x / (x, y)")


def check_images(x):
    """Validates an image array; returns it as [N, H, W, C]."""
    x = np.asarray(x)
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4 or x.shape[-1] not in (1, 3, 4):
        raise ValueError(f"Images must be [N, H, W] or [N, H, W, C] with C in "
                         f"1, 3, 4; got shape {x.shape}.")
    if x.dtype == np.uint8:
        return x
    if not np.issubdtype(x.dtype, np.floating):
        raise ValueError(f"Images must be uint8 in [0, 255] or floats in [-1, 1]; got "
                         f"dtype {x.dtype}. Convert with x.astype('uint8') if the "
                         "values are 0..255.")
    if np.isnan(x).any() or np.isinf(x).any():
        raise ValueError(f"Images contain {np.isnan(x).sum()} NaN and "
                         f"{np.isinf(x).sum()} infinite values: clean the data first.")
    lo, hi = float(x.min()), float(x.max())
    if lo < -1.0 or hi > 1.0:
        hint = (" They look like 0..255: pass them as uint8." if hi > 1.0 and lo >= 0.0
                else " Rescale them with x / 127.5 - 1.")
        raise ValueError(f"Float images must lie in [-1, 1]; these lie in "
                         f"[{lo:g}, {hi:g}].{hint}")
    return x.astype(np.float32)


def check_labels(y, num_images):
    y = np.asarray(y).reshape(-1)
    if y.shape[0] != num_images:
        raise ValueError(f"{y.shape[0]} labels for {num_images} images.")
    if not np.issubdtype(y.dtype, np.integer) or (y.size and y.min() < 0):
        raise ValueError(f"Labels must be non-negative integers (class indices); got "
                         f"dtype {y.dtype}, min {y.min() if y.size else None}.")
    return y.astype(np.int32)


def _read_npz(path, split):
    if not os.path.exists(path):
        raise FileNotFoundError(f"Data file {path!r} does not exist. Give {SOURCES_HELP}.")
    with np.load(path) as f:
        key = f"x_{split}"
        if key not in f:
            raise ValueError(f"{path} has no {key!r} array (it has {sorted(f.files)}).")
        y = f[f"y_{split}"] if f"y_{split}" in f else None
        return f[key], y


def load_arrays(source, split="train"):
    """(x [N, H, W, C], y or None) from an .npz path, a data set name or arrays.

    A name such as `fashion_mnist` is `$TFGAN_ZOO_DATA/fashion_mnist.npz` when
    that file exists (default folder `~/.cache/tfgan_zoo/datasets`), else the
    TFDS data set of that name (downloaded once by TFDS).
    """
    if isinstance(source, str) and not source.endswith(".npz") and os.sep not in source:
        local = os.path.join(DATA_HOME, source + ".npz")
        if os.path.exists(local):
            source = local
        else:
            import tensorflow_datasets as tfds

            try:
                x, y = tfds.as_numpy(tfds.load(source.removeprefix("tfds:"), split=split,
                                               batch_size=-1, as_supervised=True))
            except tfds.core.registered.DatasetNotFoundError:
                raise ValueError(f"Unknown data {source!r}: no {local} and no TFDS data set "
                                 f"of that name. Give {SOURCES_HELP}.") from None
            return check_images(x), check_labels(y, len(x))
    if isinstance(source, (str, os.PathLike)):
        x, y = _read_npz(os.fspath(source), split)
    elif isinstance(source, tuple):
        x, y = source
    else:
        x, y = source, None
    x = check_images(x)
    return x, (None if y is None else check_labels(y, len(x)))


def _scale(images):
    if images.dtype == tf.uint8:
        return tf.cast(images, tf.float32) / 127.5 - 1.0
    return tf.cast(images, tf.float32)


def load(source, batch_size, labels=False, split="train", shuffle=True, seed=0,
         limit=None, epochs=None):
    """Returns `(dataset, info)`.

    `dataset` yields `images` or `(images, labels)` batches, float32 in
    [-1, 1], full batches only (a GAN step wants a fixed batch size; it also
    keeps the per-replica split even under a strategy). `batch_size` is the
    global batch: under a strategy Keras splits it between replicas.
    `info` is a dict with `image_shape`, `num_classes`, `num_examples` and
    `steps_per_epoch`.

    By default the dataset is one epoch, reshuffled each time it is iterated.
    With `epochs=range(k, n)` it holds epochs k..n-1 in a row, epoch e
    shuffled by `(seed, e)` alone, so a run resumed at epoch k sees the
    batches an uninterrupted run would have; fit it with
    `steps_per_epoch=info["steps_per_epoch"], initial_epoch=k, epochs=n`.
    """
    if isinstance(source, str) and source.startswith("tfds:"):
        ds, info = _tfds(source[len("tfds:"):], split, labels)
    else:
        x, y = load_arrays(source, split)
        if labels and y is None:
            raise ValueError(f"Labels were asked for but {source!r} has none "
                             f"(an .npz needs y_{split}).")
        if limit:
            x, y = x[:limit], (None if y is None else y[:limit])
        num_classes = int(y.max()) + 1 if y is not None else None
        info = {"image_shape": x.shape[1:], "num_classes": num_classes,
                "num_examples": len(x)}
        ds = tf.data.Dataset.from_tensor_slices((x, y) if labels else x)
        limit = None
    if limit:
        ds = ds.take(limit)
        info["num_examples"] = min(info["num_examples"], limit)
    if batch_size > info["num_examples"]:
        raise ValueError(f"batch_size {batch_size} is larger than the "
                         f"{info['num_examples']} examples: lower --batch-size.")
    info["steps_per_epoch"] = info["num_examples"] // batch_size
    buffer = min(info["num_examples"], 60_000)

    def one_epoch(epoch_seed):
        shuffled = ds.shuffle(buffer, seed=epoch_seed) if shuffle else ds
        return shuffled.batch(batch_size, drop_remainder=True)

    if epochs is None:
        ds = one_epoch(seed)  # reshuffled on each iteration by tf.data
    else:
        # tf.data takes shuffle seeds as Python ints only: one dataset per epoch.
        ds = functools.reduce(tf.data.Dataset.concatenate,
                              [one_epoch(seed * 1_000_003 + e) for e in epochs],
                              one_epoch(seed).take(0))
    ds = ds.map((lambda x, y: (_scale(x), y)) if labels else _scale,
                num_parallel_calls=tf.data.AUTOTUNE)
    options = tf.data.Options()
    # Multi-worker: every worker builds the same batches and keeps its
    # replicas' slices, so N workers see what one process would.
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return ds.prefetch(tf.data.AUTOTUNE).with_options(options), info


def _tfds(name, split, labels):
    import tensorflow_datasets as tfds  # heavy import: only when asked for

    ds, builder_info = tfds.load(name, split=split, as_supervised=True, with_info=True)
    features = builder_info.features
    image_key = next(k for k, f in features.items() if isinstance(f, tfds.features.Image))
    label_key = next((k for k, f in features.items()
                      if isinstance(f, tfds.features.ClassLabel)), None)
    info = {"image_shape": tuple(features[image_key].shape),
            "num_classes": features[label_key].num_classes if label_key else None,
            "num_examples": int(ds.cardinality())}
    if info["num_examples"] < 0:  # unknown cardinality
        info["num_examples"] = builder_info.splits[split].num_examples
    if None in info["image_shape"]:
        raise ValueError(f"tfds:{name} has images of varying size "
                         f"{info['image_shape']}; resize them to a fixed size first.")
    if labels and label_key is None:
        raise ValueError(f"tfds:{name} has no class labels.")
    return (ds if labels else ds.map(lambda x, y: x)), info
