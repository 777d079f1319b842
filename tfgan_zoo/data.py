"""Training data -> `tf.data` batches of images in [-1, 1] (and labels).

Sources: an `.npz` file with `x_train` (and `y_train`), a folder of image
files (`read_image_folder`), `"tfds:NAME"` for a TensorFlow Datasets name,
or in-memory arrays `x` / `(x, y)`. Images are
uint8 in [0, 255], or floats already in [-1, 1]; [N, H, W] gets a channel axis.

Image-to-image data (`load_paired` for Pix2Pix, `load_unpaired` for CycleGAN)
has two domains, A (inputs) and B (targets): an `.npz` with `a_train` and
`b_train`, a folder with `trainA/` and `trainB/` image folders (the CycleGAN
layout), `"tfds:NAME"`, or arrays `(a, b)`.
"""
import argparse
import functools
import hashlib
import numbers
import os
import socket
import zipfile

import numpy as np
import tensorflow as tf

from tfgan_zoo.files import atomic_path
from tfgan_zoo.images import resize

RESIZE_HINT = "image_size=(H, W) (--image-size HxW)"
DATA_HOME = os.environ.get("TFGAN_ZOO_DATA",
                           os.path.join(os.path.expanduser("~"), ".cache", "tfgan_zoo", "datasets"))
SOURCES_HELP = ("a .npz file with x_train (uint8 [N, H, W(, C)]), a folder of PNG/JPEG "
                "files, 'tfds:NAME' (e.g. tfds:fashion_mnist), or arrays x / (x, y)")
PAIRS_HELP = ("a .npz file with a_train and b_train (uint8 [N, H, W(, C)]), a folder "
              "with trainA/ and trainB/ folders of PNG/JPEG files, 'tfds:NAME' "
              "(e.g. tfds:cycle_gan/horse2zebra), or arrays (a, b)")
IMAGE_FILES = (".png", ".jpg", ".jpeg")


PIXEL_RANGES = {"0,255": (0.0, 255.0), "0,1": (0.0, 1.0), "-1,1": (-1.0, 1.0)}


def check_images(x, pixel_range=None):
    """Validates an image array; returns it as [N, H, W, C], uint8 or float32
    in [-1, 1].

    uint8 images are [0, 255]. Float images must be in [-1, 1]; floats that
    all lie in [0, 1] are refused as ambiguous (they are far more often
    `x / 255` than [-1, 1] images without a dark pixel) unless
    `pixel_range` says what they are: "0,1", "-1,1" or "0,255" (floats in
    that range, rescaled to [-1, 1]).
    """
    x = np.asarray(x)
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4 or x.shape[-1] not in (1, 3, 4):
        raise ValueError(f"Images must be [N, H, W] or [N, H, W, C] with C in "
                         f"1, 3, 4; got shape {x.shape}.")
    if pixel_range is not None and pixel_range not in PIXEL_RANGES:
        raise ValueError(f"Unknown pixel range {pixel_range!r}: use one of "
                         f"{', '.join(PIXEL_RANGES)}.")
    if x.dtype == np.uint8:  # always 0..255: the stated range is that of float images
        return x
    if not np.issubdtype(x.dtype, np.floating):
        raise ValueError(f"Images must be uint8 in [0, 255] or floats in [-1, 1]; got "
                         f"dtype {x.dtype}. Convert with x.astype('uint8') if the "
                         "values are 0..255.")
    if np.isnan(x).any() or np.isinf(x).any():
        raise ValueError(f"Images contain {np.isnan(x).sum()} NaN and "
                         f"{np.isinf(x).sum()} infinite values: clean the data first.")
    lo, hi = float(x.min()), float(x.max())
    if pixel_range is not None:
        low, high = PIXEL_RANGES[pixel_range]
        if lo < low or hi > high:
            raise ValueError(f"The images lie in [{lo:g}, {hi:g}], outside the stated pixel "
                             f"range [{pixel_range}].")
        return ((x.astype(np.float32) - low) * (2.0 / (high - low)) - 1.0).astype(np.float32)
    if lo < -1.0 or hi > 1.0:
        hint = (" They look like 0..255: pass them as uint8." if hi > 1.0 and lo >= 0.0
                else " Rescale them with x / 127.5 - 1.")
        raise ValueError(f"Float images must lie in [-1, 1]; these lie in "
                         f"[{lo:g}, {hi:g}].{hint}")
    if lo >= 0.0:
        raise ValueError(f"Float images lie in [{lo:g}, {hi:g}]: [0, 1] pixels (x / 255) "
                         "would be taken as [-1, 1] ones and look washed out. Say which: "
                         "pixel_range='0,1' (--pixel-range 0,1) to rescale them, or "
                         "pixel_range='-1,1' if they are [-1, 1] images.")
    return x.astype(np.float32)


def check_labels(y, num_images, num_classes=None):
    """Labels as int32 [N]; with `num_classes`, each in [0, num_classes)."""
    y = np.asarray(y).reshape(-1)
    if y.shape[0] != num_images:
        raise ValueError(f"{y.shape[0]} labels for {num_images} images.")
    if not np.issubdtype(y.dtype, np.integer) or (y.size and y.min() < 0):
        raise ValueError(f"Labels must be non-negative integers (class indices); got "
                         f"dtype {y.dtype}, min {y.min() if y.size else None}.")
    if num_classes is not None and y.size and y.max() >= num_classes:
        outside = y[y >= num_classes]
        raise ValueError(f"{len(outside)} labels lie outside the {num_classes} classes "
                         f"[0, {num_classes}) (e.g. {int(outside[0])}): fix them, or give "
                         "the right number of classes (--num-classes).")
    return y.astype(np.int32)


def count_classes(y, declared=None):
    """The number of classes of labels `y`: `declared` (an explicit
    `num_classes`, or the data's own metadata) when given, checked against
    the labels; else inferred, but only when the labels are the classes
    0..K-1 with no class far rarer than the others, so that one stray label
    cannot make a model with a class per value up to it."""
    if declared is not None:
        check_labels(y, len(y), int(declared))
        return int(declared)
    counts = np.bincount(y) if len(y) else np.zeros(0, int)
    present = np.flatnonzero(counts)
    rare = present[counts[present] < 0.01 * counts[present].mean()] if len(present) else []
    if len(present) != len(counts) or len(rare):
        odd = (f"{len(counts) - len(present)} of the values 0..{len(counts) - 1} never occur"
               if len(present) != len(counts)
               else f"class {int(rare[0])} has {int(counts[rare[0]])} images, far fewer "
                    "than the others")
        raise ValueError(f"Cannot tell the number of classes from the labels ({odd}). "
                         "Give it (--num-classes N, num_classes=N, or a num_classes "
                         "entry in the .npz), or fix the stray labels.")
    return len(counts)


def _read_npz(path, keys, optional=(), need=""):
    """The arrays `keys` of an .npz file, then the `optional` ones (None when absent)."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"Data file {path!r} does not exist. Give {SOURCES_HELP}.")
    try:
        f = np.load(path)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        # numpy takes a file that is no zip for a pickle and says so: not the point here
        reason = error if zipfile.is_zipfile(path) else "not a zip archive"
        raise ValueError(f"{path} is not a readable .npz file ({reason}): write data with "
                         "numpy.savez(path, x_train=images, y_train=labels).") from None
    if not isinstance(f, np.lib.npyio.NpzFile):
        raise ValueError(f"{path} holds one array, not named arrays: write data with "
                         "numpy.savez(path, x_train=images, y_train=labels).")
    with f:
        for key in keys:
            if key not in f:
                raise ValueError(f"{path} has no {key!r} array (it has {sorted(f.files)}).{need}")
        return [f[k] for k in keys] + [f.get(k) for k in optional]


def local_file(source):
    """The local file or folder that `source` names, or None.

    A path is itself. A bare name such as `fashion_mnist` is
    `$TFGAN_ZOO_DATA/fashion_mnist.npz` (or the folder of that name) when it
    exists, else None: the caller may then take it for a TFDS name.
    """
    source = os.fspath(source)
    if source.endswith(".npz") or os.sep in source or os.path.exists(source):
        return source
    for candidate in (os.path.join(DATA_HOME, source + ".npz"), os.path.join(DATA_HOME, source)):
        if os.path.exists(candidate):
            return candidate
    return None


def derived_npz(name, source, keys, build, out=None):
    """Path of an .npz data set made from another one; built once, then reused.

    `build(*arrays)` gets the arrays `keys` of the source .npz (`source` is a
    path or a bare name, as for `local_file`) and returns a dict of arrays.
    They are written atomically to `out` (default `$TFGAN_ZOO_DATA/{name}.npz`)
    with the source file's sha256 as `source_sha256`; an `out` made from the
    same source bytes is returned as is, one made from other bytes is rebuilt.
    """
    path = local_file(source)
    if path is None or not os.path.isfile(path):
        raise FileNotFoundError(
            f"No data file for {source!r} (looked for "
            f"{path or os.path.join(DATA_HOME, os.fspath(source) + '.npz')}): {name} is made "
            f"from an .npz with {', '.join(keys)}. Pass its path, or set TFGAN_ZOO_DATA "
            "to the folder that holds it.")
    out = out or os.path.join(DATA_HOME, name + ".npz")
    with open(path, "rb") as f:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    try:
        with np.load(out) as f:
            if str(f["source_sha256"]) == digest:
                return out
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        pass  # absent, unreadable or from an older build: (re)build it
    arrays = build(*_read_npz(path, keys))
    with atomic_path(out) as tmp, open(tmp, "wb") as f:
        np.savez(f, source_sha256=np.array(digest), **arrays)
    return out


def load_arrays(source, split="train", pixel_range=None, image_size=None):
    """(x [N, H, W, C], y or None) from an .npz path, a data set name or arrays.

    A name such as `fashion_mnist` is `$TFGAN_ZOO_DATA/fashion_mnist.npz` when
    that file exists (default folder `~/.cache/tfgan_zoo/datasets`), else the
    TFDS data set of that name (downloaded once by TFDS). `pixel_range`: see
    `check_images`. `image_size` (an int, or (height, width)) resizes the
    images to it (`images.resize`: a central crop to its aspect ratio, then
    antialiased bilinear); a folder's images may then differ in size.
    """
    return _arrays(source, split, pixel_range, image_size)[:2]


def name_classes(names, num_classes):
    """The data's class names as a tuple of str when there is one per class
    (`num_classes` of them), else None: labels without names stay numbers."""
    if names is None or num_classes is None or len(names) != num_classes:
        return None
    return tuple(str(n) for n in names)


def _label_key(builder):
    """The key of the class label `as_supervised` reads (the supervised
    key, else the first class label): a data set may have several, and a
    builder read back from disk may list its features in another order."""
    import tensorflow_datasets as tfds

    features = builder.info.features
    supervised = builder.info.supervised_keys
    if (supervised and supervised[-1] in features.keys()
            and isinstance(features[supervised[-1]], tfds.features.ClassLabel)):
        return supervised[-1]
    return next((k for k, f in features.items() if isinstance(f, tfds.features.ClassLabel)),
                None)


def _tfds_class_names(builder):
    key = _label_key(builder)
    return None if key is None else list(builder.info.features[key].names)


MAX_SIDE = 4096  # of --image-size: every image is resized to it in memory
IMAGE_SIZE_HELP = ("resize the images to H x W pixels (64 for 64x64): the largest central "
                   "crop of that shape, antialiased (default: as they are, one size)")


def pixel_range_help(what="float images"):
    """The help of a --pixel-range option for `what`."""
    return (f"the range of {what} as floats: 0,1 or -1,1 or 0,255 (uint8 is 0..255 without "
            "it); floats that all lie in [0, 1] are refused without it")


def parse_image_size(text):
    """--image-size's type: "64x48" -> (64, 48), "64" -> (64, 64)."""
    height, _, width = text.lower().partition("x")
    try:
        size = (int(height), int(width or height))
    except ValueError:
        size = (0, 0)
    if min(size) < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a size: give HxW in pixels, e.g. 64x48, or 64 for 64x64")
    return size


def check_image_size(size):
    """`size` (an int for a square, or (height, width)) as a (height, width)
    tuple; None stays None."""
    if size is None:
        return None
    pair = (size, size) if isinstance(size, numbers.Integral) else (
        tuple(size) if isinstance(size, (tuple, list)) else ())
    if len(pair) != 2 or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool)
                                 and v >= 1 for v in pair):
        raise ValueError(f"image_size must be an integer >= 1 or (height, width) integers "
                         f">= 1; got {size!r}.")
    if max(pair) > MAX_SIDE:
        raise ValueError(f"image_size {pair[0]}x{pair[1]} is over {MAX_SIDE} pixels a side, "
                         "the most the zoo resizes data to: choose a smaller --image-size.")
    return tuple(int(v) for v in pair)


def _resized(x, size, chunk=1024):
    """Images `x` (uint8 or float, [N, H, W, C]) at `size`, a chunk at a time."""
    if size is None or x.shape[1:3] == size:
        return x
    return np.concatenate([resize(x[i:i + chunk], size).numpy()
                           for i in range(0, len(x), chunk)])


def _arrays(source, split, pixel_range, size=None):
    """`load_arrays`, the number of classes the data declares (or None) and
    their names (or None): a folder's class folders, an .npz's `class_names`,
    a TFDS data set's class label (also for a local .npz standing in for it)."""
    size = check_image_size(size)
    declared = names = None
    if isinstance(source, (str, os.PathLike)) and os.path.isdir(source):
        x, y, names = read_image_folder(os.fspath(source), split, size)
        declared = None if names is None else len(names)
        return check_images(x, pixel_range), (
            None if y is None else check_labels(y, len(x), declared)), declared, names
    tfds_name = isinstance(source, str) and source.startswith("tfds:")  # may hold a "/"
    if tfds_name or (isinstance(source, str) and not source.endswith(".npz")
                     and os.sep not in source):
        local = os.path.join(DATA_HOME, source + ".npz")
        if tfds_name or not os.path.exists(local):
            import tensorflow_datasets as tfds

            name = source.removeprefix("tfds:")
            builder = _tfds_builder(name, where=f"no {local}")
            _prepare(builder, name)
            if size is None:
                ds = builder.as_dataset(split=split, batch_size=-1, as_supervised=True)
            else:  # one image at a time: they may differ in size
                ds = builder.as_dataset(split=split, as_supervised=True).map(
                    lambda image, label: (resize(image, size), label)
                ).batch(2**31 - 1).get_single_element()
            x, y = tfds.as_numpy(ds)
            return (check_images(x, pixel_range), check_labels(y, len(x)), None,
                    _tfds_class_names(builder))
        names = stand_in_class_names(source)
        source = local
    if isinstance(source, (str, os.PathLike)):
        x, y, num_classes, own = _read_npz(os.fspath(source), [f"x_{split}"],
                                           [f"y_{split}", "num_classes", "class_names"])
        declared = int(num_classes) if num_classes is not None else (
            len(own) if own is not None else None)
        names = own if own is not None else names
    elif isinstance(source, tuple):
        x, y = source
    else:
        x, y = source, None
    x = _resized(check_images(x, pixel_range), size)
    return x, (None if y is None else check_labels(y, len(x), declared)), declared, names


def stand_in_class_names(name):
    """The class names of the TFDS data set `name` (a local NAME.npz stands
    in for it), from the builder's code alone: nothing is downloaded."""
    try:
        import tensorflow_datasets as tfds

        return _tfds_class_names(tfds.builder(name))
    except Exception:  # not a TFDS name, or its code cannot load offline: no names
        return None


def fingerprint(source):
    """A sha256 hex digest that identifies the data `source` names by its
    content (a file's bytes, a folder's file names and bytes, arrays' bytes),
    or by its name for a TFDS data set (TFDS versions its data)."""
    digest = hashlib.sha256()
    if isinstance(source, (str, os.PathLike)):
        local = None if os.fspath(source).startswith("tfds:") else local_file(source)
        if local is not None and not os.path.exists(local):  # a path: local_file keeps it
            raise FileNotFoundError(f"Data file {local!r} does not exist. Give "
                                    f"{SOURCES_HELP}.")
        if local is None:
            digest.update(("tfds:" + os.fspath(source).removeprefix("tfds:")).encode())
        elif os.path.isdir(local):
            for root, dirs, names in os.walk(local):
                dirs.sort()
                for name in sorted(names):
                    path = os.path.join(root, name)
                    digest.update(os.path.relpath(path, local).encode() + b"\0")
                    with open(path, "rb") as f:
                        digest.update(hashlib.file_digest(f, "sha256").digest())
        else:
            with open(local, "rb") as f:
                return hashlib.file_digest(f, "sha256").hexdigest()
    else:
        for array in (source if isinstance(source, tuple) else (source,)):
            array = np.ascontiguousarray(array)
            digest.update(f"{array.dtype}{array.shape}".encode())
            digest.update(array.data)
    return digest.hexdigest()


def describe(image_shape, num_examples, batch_size, input_shape=None, num_classes=None,
             class_names=None):
    """The description of a data set that every loader returns, one key set:
    `image_shape` (the images a model makes: a GAN's samples, a
    translator's targets or domain B, a classifier's inputs), `input_shape`
    (a translator's inputs or domain A; None otherwise), `num_classes`
    (None without labels), `class_names` (a name per class, or None: see
    `name_classes`), `num_examples` and `steps_per_epoch` (full batches of
    the global `batch_size`)."""
    return {"image_shape": tuple(int(s) for s in image_shape),
            "input_shape": None if input_shape is None else tuple(int(s) for s in input_shape),
            "num_classes": num_classes, "class_names": name_classes(class_names, num_classes),
            "num_examples": int(num_examples),
            "steps_per_epoch": _steps(batch_size, num_examples)}


def _scale(images):
    if images.dtype == tf.uint8:
        return tf.cast(images, tf.float32) / 127.5 - 1.0
    return tf.cast(images, tf.float32)


def load_images(source, batch_size, labels=False, split="train", shuffle=True, seed=0,
         limit=None, epochs=None, num_classes=None, pixel_range=None, image_size=None):
    """Returns `(dataset, info)`.

    `dataset` yields `images` or `(images, labels)` batches, float32 in
    [-1, 1], full batches only (a GAN step wants a fixed batch size; it also
    keeps the per-replica split even under a strategy). `batch_size` is the
    global batch: under a strategy Keras splits it between replicas.
    `info` describes the data (`describe`). The number of classes is `num_classes` when given,
    else the data's own (TFDS's class label, an .npz's `num_classes` or
    `class_names`), else inferred as `count_classes` does; labels outside it
    are refused. `pixel_range`: see `check_images`; `image_size`: see
    `load_arrays`.

    By default the dataset is one epoch, reshuffled each time it is iterated.
    With `epochs=range(k, n)` it holds epochs k..n-1 in a row, epoch e
    shuffled by `(seed, e)` alone, so a run resumed at epoch k sees the
    batches an uninterrupted run would have; fit it with
    `steps_per_epoch=info["steps_per_epoch"], initial_epoch=k, epochs=n`.
    """
    if isinstance(source, str) and source.startswith("tfds:"):
        ds, shape, num, num_classes, names = _tfds(
            source[len("tfds:"):], split, labels, num_classes, check_image_size(image_size))
    else:
        x, y, declared, names = _arrays(source, split, pixel_range, image_size)
        if labels and y is None:
            raise ValueError(f"Labels were asked for but {source!r} has none "
                             f"(an .npz needs y_{split}).")
        if limit:
            x, y = x[:limit], (None if y is None else y[:limit])
        shape, num = x.shape[1:], len(x)
        num_classes = count_classes(y, num_classes or declared) if labels else None
        ds = tf.data.Dataset.from_tensor_slices((x, y) if labels else x)
        limit = None
    if limit:
        ds = ds.take(limit)
        num = min(num, limit)
    info = describe(shape, num, batch_size, num_classes=num_classes, class_names=names)
    ds = _epochs(functools.partial(_shuffled_batches, ds, info["num_examples"], batch_size,
                                   shuffle), seed, epochs)
    ds = ds.map((lambda x, y: (_scale(x), y)) if labels else _scale,
                num_parallel_calls=tf.data.AUTOTUNE)
    return _finish(ds), info


def load_paired(source, batch_size, split="train", shuffle=True, seed=0, limit=None,
                epochs=None, pixel_range=None):
    """Returns `(dataset, info)` for paired image-to-image data (Pix2Pix).

    `dataset` yields `(inputs, targets)` batches: domain A and the B image of
    the same example, float32 in [-1, 1], full batches only, shuffled together.
    `info` describes the data (`describe`): `input_shape` the inputs',
    `image_shape` the targets'. `epochs` works as in `load_images`.

    Pairs are the rows of `a_{split}` and `b_{split}` in an .npz, the files of
    the same name in `{split}A/` and `{split}B/` of a folder, or for
    `tfds:NAME` the two image features of each example (input first in name
    order, e.g. `input_image`, `target_image`). TFDS has no pix2pix data set:
    put facades-style data in a folder or an .npz.
    """
    local = _local_images(source)
    if local is None:
        name = os.fspath(source).removeprefix("tfds:")
        ds, shapes, num = _tfds_pairs(name, split, limit)
    else:
        a, b = _read_domains(local, split, True, pixel_range)
        if limit:
            a, b = a[:limit], b[:limit]
        ds, shapes, num = (tf.data.Dataset.from_tensor_slices((a, b)),
                           (a.shape[1:], b.shape[1:]), len(a))
    info = describe(shapes[1], num, batch_size, input_shape=shapes[0])
    ds = _epochs(functools.partial(_shuffled_batches, ds, num, batch_size, shuffle), seed, epochs)
    ds = ds.map(lambda a, b: (_scale(a), _scale(b)), num_parallel_calls=tf.data.AUTOTUNE)
    return _finish(ds), info


def load_unpaired(source, batch_size, split="train", shuffle=True, seed=0, limit=None,
                  epochs=None, pixel_range=None):
    """Returns `(dataset, info)` for unpaired image-to-image data (CycleGAN).

    `dataset` yields `(a, b)` batches, a batch of domain A images and one of
    domain B, float32 in [-1, 1], full batches only. Each domain is shuffled
    on its own (epoch seed s: A by 2s, B by 2s + 1), so an A image meets a
    different B image each epoch. An epoch is `min(num_a, num_b) //
    batch_size` steps: the larger domain is cut short, a different part of it
    each epoch. `info` describes the data (`describe`): `input_shape` domain
    A's, `image_shape` domain B's, `num_examples` the smaller domain's size.
    `epochs` works as in `load_images`.

    Domains are `a_{split}` and `b_{split}` of an .npz, the files of
    `{split}A/` and `{split}B/` of a folder (any names, any counts), or for
    `tfds:NAME` the splits `{split}A` and `{split}B` (as `cycle_gan/*` has).
    """
    local = _local_images(source)
    if local is None:
        name = os.fspath(source).removeprefix("tfds:")
        domains, shapes, counts = _tfds_domains(name, split, limit)
    else:
        arrays = _read_domains(local, split, False, pixel_range)
        if limit:
            arrays = [x[:limit] for x in arrays]
        domains = [tf.data.Dataset.from_tensor_slices(x) for x in arrays]
        shapes, counts = [x.shape[1:] for x in arrays], [len(x) for x in arrays]
    num = min(counts)
    info = describe(shapes[1], num, batch_size, input_shape=shapes[0])

    def one_epoch(s):
        return tf.data.Dataset.zip(tuple(
            _shuffled_batches(d, n, batch_size, shuffle, 2 * s + i)
            for i, (d, n) in enumerate(zip(domains, counts))))

    ds = _epochs(one_epoch, seed, epochs)
    ds = ds.map(lambda a, b: (_scale(a), _scale(b)), num_parallel_calls=tf.data.AUTOTUNE)
    return _finish(ds), info


# The loader of each family task (`families.TASKS`).
LOADERS = {"generation": load_images, "extraction": load_images,
           "paired_translation": load_paired, "unpaired_translation": load_unpaired}


def _steps(batch_size, num_examples):
    if batch_size > num_examples:
        raise ValueError(f"batch_size {batch_size} is larger than the "
                         f"{num_examples} examples: lower --batch-size.")
    return num_examples // batch_size


def _shuffled_batches(ds, num_examples, batch_size, shuffle, seed):
    """One epoch of full batches (a GAN step wants a fixed batch size), shuffled by `seed`."""
    shuffled = ds.shuffle(min(num_examples, 60_000), seed=seed) if shuffle else ds
    return shuffled.batch(batch_size, drop_remainder=True)


def _epochs(one_epoch, seed, epochs):
    """`one_epoch(seed)` (reshuffled on each iteration by tf.data), or with
    `epochs=range(k, n)` epochs k..n-1 in a row, epoch e from `(seed, e)` alone."""
    if epochs is None:
        return one_epoch(seed)
    # tf.data takes shuffle seeds as Python ints only: one dataset per epoch.
    return functools.reduce(tf.data.Dataset.concatenate,
                            [one_epoch(seed * 1_000_003 + e) for e in epochs],
                            one_epoch(seed).take(0))


def _finish(ds):
    options = tf.data.Options()
    # Multi-worker: every worker builds the same batches and keeps its
    # replicas' slices, so N workers see what one process would.
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return ds.prefetch(tf.data.AUTOTUNE).with_options(options)


def _local_images(source):
    """Arrays `(a, b)` or the local .npz / folder `source` names; None for a TFDS name."""
    if isinstance(source, tuple):
        return source
    if os.fspath(source).startswith("tfds:"):
        return None
    local = local_file(source)
    if local is not None and not os.path.exists(local):
        raise FileNotFoundError(f"Data {local!r} does not exist. Give {PAIRS_HELP}.")
    return local


def load_domains(source, split="test", paired=True, pixel_range=None):
    """uint8 or float image arrays `(a, b)` [N, H, W, C] of domains A and B
    of a local image-to-image data set (an .npz or a folder, as
    `load_paired` / `load_unpaired` read it); `paired`: the rows must pair up."""
    local = _local_images(source)
    if local is None:
        raise ValueError(f"{source}: image-to-image arrays come from an .npz or a folder; "
                         "copy the TFDS data set's test split into one to score on it.")
    return _read_domains(local, split, paired, pixel_range)


def _read_domains(source, split, paired, pixel_range=None):
    """Image arrays [N, H, W, C] of domains A and B."""
    if isinstance(source, tuple):
        where, (a, b) = "the arrays", source
    elif os.path.isdir(source):
        where, (a, b) = source, _read_folders(source, split, paired)
    else:
        where = source
        a, b = _read_npz(source, [f"a_{split}", f"b_{split}"], need=(
            f" Image-to-image data needs a_{split} (domain A, the inputs) and "
            f"b_{split} (domain B, the targets)."))
    a, b = check_images(a, pixel_range), check_images(b, pixel_range)
    if paired and len(a) != len(b):
        raise ValueError(_unpaired(where, f"{len(a)} A images, {len(b)} B images"))
    return a, b


def _unpaired(where, detail):
    return (f"{where} is unpaired ({detail}): a paired translator needs paired data; use "
            "an unpaired translator (load_unpaired) for unpaired data.")


def _read_folders(path, split, paired):
    folders = [os.path.join(path, split + domain) for domain in "AB"]
    names = []
    for folder in folders:
        if not os.path.isdir(folder):
            found = sorted(n + "/" * os.path.isdir(os.path.join(path, n)) for n in os.listdir(path))
            raise ValueError(f"{path} has no {split + folder[-1]}/ folder (it has {found}). "
                             f"Image-to-image data needs {split}A/ and {split}B/ folders "
                             "of PNG/JPEG files (trainA/, trainB/, testA/, testB/).")
        names.append(_image_names(folder))
        if not names[-1]:
            raise ValueError(f"{folder} has no PNG or JPEG files ({', '.join(IMAGE_FILES)}).")
    if paired and names[0] != names[1]:
        odd = sorted(set(names[0]) ^ set(names[1]))
        raise ValueError(_unpaired(path, f"{len(names[0])} A images, {len(names[1])} B images, "
                                         f"{len(odd)} names in one folder only, e.g. {odd[0]!r}"))
    return [_decode_files(folder, n) for folder, n in zip(folders, names)]


def read_image_folder(path, split="train", image_size=None):
    """(x uint8 [N, H, W, C], y int [N] or None, class names) of a folder of
    PNG/JPEG files of one size (or any sizes, resized to `image_size`: see
    `load_arrays`), in file-name order.

    The folder holds the training images; with `train/` and `test/` folders
    inside, those are the splits. Images in sub-folders, one per class (as
    `keras.utils.image_dataset_from_directory` reads them), are labelled by
    the sorted folder names; images directly in the folder are unlabelled.
    """
    root = path
    if os.path.isdir(os.path.join(path, "train")):
        root = os.path.join(path, split)
        if not os.path.isdir(root):
            raise ValueError(f"{path} has train/ but no {split}/ folder: put the {split} "
                             f"images in {root}/.")
    elif split != "train":
        raise ValueError(f"{path} is a folder of training images with no {split} split: "
                         f"move them into {path}/train/ and put held-out images in "
                         f"{path}/{split}/ (or pass an .npz with x_{split}).")
    files, classes = _image_names(root), _subfolders(root)
    if files and classes:
        raise ValueError(f"{root} holds both images and folders ({classes[0]}/): put every "
                         "image in a class folder, or none.")
    if files:
        return _decode_files(root, files, image_size), None, None
    if root != path:  # the test split's classes are the training split's
        known = _subfolders(os.path.join(path, "train"))
        if set(classes) - set(known):
            raise ValueError(f"{root} has class folders that {path}/train/ lacks: "
                             f"{', '.join(sorted(set(classes) - set(known)))}.")
        classes = known
    x, y = [], []
    for label, name in enumerate(classes):
        folder = os.path.join(root, name)
        found = _image_names(folder) if os.path.isdir(folder) else []
        if found:
            x.append(_decode_files(folder, found, image_size))
            y.append(np.full(len(found), label, np.int64))
    if not x:
        raise ValueError(f"{root} has no PNG or JPEG files ({', '.join(IMAGE_FILES)}), "
                         "directly or in class folders.")
    if any(a.shape[1:] != x[0].shape[1:] for a in x):
        raise ValueError(f"The class folders of {root} hold images of different "
                         + ("channel counts: convert them to one." if image_size else
                            f"sizes: resize them to one with {RESIZE_HINT}."))
    return np.concatenate(x), np.concatenate(y), classes


def _image_names(folder):
    """The sorted names of the PNG/JPEG files in `folder`."""
    return sorted(n for n in os.listdir(folder) if n.lower().endswith(IMAGE_FILES))


def _subfolders(folder):
    """The sorted names of the folders in `folder`."""
    return sorted(n for n in os.listdir(folder) if os.path.isdir(os.path.join(folder, n)))


def _decode_files(folder, names, size=None):
    decoded = []
    for name in names:
        path = os.path.join(folder, name)
        try:
            image = tf.io.decode_image(tf.io.read_file(path), expand_animations=False)
        except tf.errors.OpError as e:
            raise ValueError(f"{path} does not decode as an image ({e.message.strip()}): "
                             "replace or remove it.") from None
        image = (image if size is None else resize(image, size)).numpy()
        if decoded and image.shape != decoded[0].shape:
            channels_only = image.shape[:2] == decoded[0].shape[:2]  # RGBA among grey, say
            what = "channel count" if size or channels_only else "size (and channel count)"
            hint = ("" if size or channels_only else f", or resize them with {RESIZE_HINT}")
            if channels_only:
                hint = " (all grey or all RGB: --image-size changes sizes, not channels)"
            raise ValueError(f"{path} is {'x'.join(map(str, image.shape))} but "
                             f"{os.path.join(folder, names[0])} is "
                             f"{'x'.join(map(str, decoded[0].shape))}: the images of a "
                             f"folder must have one {what}; convert them{hint}.")
        decoded.append(image)
    return np.stack(decoded)


def _tfds_builder(name, need="", give=SOURCES_HELP, where="no local file or folder"):
    """The TFDS builder `name`, with a clear error for an unknown name."""
    import tensorflow_datasets as tfds  # heavy import: only when asked for

    import tfgan_zoo.datasets  # noqa: F401 - registers the data sets tfgan-zoo builds

    try:
        return tfds.builder(name)
    except tfds.core.registered.DatasetNotFoundError:
        raise ValueError(f"Unknown data {name!r}: {where} and no TFDS data set of that "
                         f"name.{' ' + need if need else ''} Give {give}.") from None
    except ValueError as error:  # TFDS lists dozens of near names for a wrong config
        base, _, config = name.partition("/")
        configs = [c.name for c in getattr(tfds.builder_cls(base), "BUILDER_CONFIGS", [])]
        if config and configs and config.split(":")[0] not in configs:
            raise ValueError(f"tfds:{base} has no configuration {config!r}: use "
                             f"{', '.join(f'tfds:{base}/{c}' for c in configs)}.") from None
        raise error


def _image_keys(builder):
    """The names of a TFDS data set's image features, sorted."""
    import tensorflow_datasets as tfds

    return sorted(k for k, f in builder.info.features.items()
                  if isinstance(f, tfds.features.Image))


def _tfds_images(builder, name, split, keys, limit):
    """The images `keys` of each example of a split (one image, or a tuple), their
    shapes and the example count."""
    _prepare(builder, name)
    if builder.info.splits and split not in builder.info.splits:
        raise ValueError(f"tfds:{name} has no split {split!r} (it has "
                         f"{sorted(builder.info.splits)}).")
    ds = builder.as_dataset(split=split)
    num = int(ds.cardinality())
    if num < 0:  # unknown cardinality
        num = builder.info.splits[split].num_examples
    if limit:
        ds, num = ds.take(limit), min(num, limit)
    shapes = [tuple(builder.info.features[k].shape) for k in keys]
    if any(None in s for s in shapes):
        # Sizes unknown to TFDS (cycle_gan): the first example sets them.
        first = next(iter(ds.take(1)))
        shapes = [tuple(first[k].shape) for k in keys]
    message = (f"tfds:{name} {split} has images of different sizes (the first is "
               f"{{}}): resize them to one size first.")

    def pick(example):
        images = []
        for key, shape in zip(keys, shapes):
            same = tf.debugging.assert_equal(tf.shape(example[key]), shape,
                                             message=message.format(shape))
            with tf.control_dependencies([same]):  # before ensure_shape's vaguer error
                images.append(tf.ensure_shape(example[key], shape))
        return images[0] if len(images) == 1 else tuple(images)

    return ds.map(pick, num_parallel_calls=tf.data.AUTOTUNE), shapes, num


def _tfds_pairs(name, split, limit):
    builder = _tfds_builder(name, "TFDS has no paired image-to-image data set: put "
                                  "facades-style pairs in a folder or an .npz.", PAIRS_HELP)
    keys = _image_keys(builder)
    if len(keys) == 1:
        raise ValueError(_unpaired(f"tfds:{name}", f"one image feature, {keys[0]!r}"))
    if len(keys) != 2:
        raise ValueError(f"tfds:{name} has image features {keys}; paired data needs "
                         "exactly two (the input and the target, in name order).")
    return _tfds_images(builder, name, split, keys, limit)


def _tfds_domains(name, split, limit):
    builder = _tfds_builder(name, "Unpaired TFDS data sets are named like "
                                  "cycle_gan/horse2zebra.", PAIRS_HELP)
    keys = _image_keys(builder)
    if len(keys) != 1:
        raise ValueError(f"tfds:{name} has image features {keys}; load_unpaired reads TFDS "
                         f"data laid out like cycle_gan: one image feature, the domains in "
                         f"splits {split}A and {split}B.")
    (a, [shape_a], num_a), (b, [shape_b], num_b) = (
        _tfds_images(builder, name, split + domain, keys, limit) for domain in "AB")
    return (a, b), (shape_a, shape_b), (num_a, num_b)


def _tfds(name, split, labels, num_classes=None, size=None):
    import tensorflow_datasets as tfds  # heavy import: only when asked for

    builder = _tfds_builder(name)
    _prepare(builder, name)
    ds = builder.as_dataset(split=split, as_supervised=True)
    features = builder.info.features
    image_key = next(k for k, f in features.items() if isinstance(f, tfds.features.Image))
    label_key = _label_key(builder)
    declared = features[label_key].num_classes if label_key else None
    if labels and label_key is None:
        raise ValueError(f"tfds:{name} has no class labels.")
    if labels and num_classes is not None and num_classes < declared:
        raise ValueError(f"tfds:{name} has {declared} classes, more than the "
                         f"{num_classes} asked for: drop --num-classes or raise it.")
    shape = tuple(features[image_key].shape)
    num = int(ds.cardinality())
    if num < 0:  # unknown cardinality
        num = builder.info.splits[split].num_examples
    if size is not None:
        shape = size + shape[2:]
        ds = ds.map(lambda x, y: (resize(x, size), y))
    if None in shape[:2]:
        raise ValueError(f"tfds:{name} has images of varying size {shape}: resize them to "
                         "one with image_size=(H, W) (--image-size HxW).")
    return ((ds if labels else ds.map(lambda x, y: x)), shape, num,
            (num_classes or declared) if labels else None, _tfds_class_names(builder))


# TFDS downloads through requests with 10 retries and exponential back-off:
# offline, that is 3.5 minutes of waiting before an error. A data set that
# is not prepared yet is only tried when its download host answers.
TFDS_HOST = ("storage.googleapis.com", 443)


def _prepare(builder, name):
    """Downloads and prepares a TFDS data set once; fails fast when offline."""
    offline = getattr(builder, "OFFLINE", False)  # built from local files (tfgan_zoo.datasets)
    if builder.is_prepared():
        if offline:
            _check_records(builder, name)
        return
    if offline:
        print(f"Building tfds:{name} into {builder.data_dir} (once)...", flush=True)
        builder.download_and_prepare()
        return
    require_network(f"tfds:{name} is not in the TFDS data folder ({builder.data_dir})")
    builder.download_and_prepare()


def _check_records(builder, name):
    """Reads a small built data set once, so that a damaged cache fails here,
    with its fix, and not in the middle of training."""
    import tensorflow_datasets as tfds

    try:
        for split in builder.info.splits:
            for _ in tfds.as_numpy(builder.as_dataset(split=split, batch_size=1024)):
                pass
    except (tf.errors.DataLossError, tf.errors.InvalidArgumentError) as error:
        raise ValueError(f"The built tfds:{name} in {builder.data_dir} is damaged "
                         f"({error.message.splitlines()[0]}): delete that folder and run "
                         "again to rebuild it.") from None


def require_network(what, host=TFDS_HOST, timeout=10):
    """Raises a clear OSError at once when `host` cannot be reached."""
    try:
        socket.create_connection(host, timeout=timeout).close()
    except OSError as error:
        raise OSError(f"{what} and its download host {host[0]} cannot be reached "
                      f"({error.strerror or error}): connect to the network, or give a "
                      "local .npz file or folder instead.") from None
