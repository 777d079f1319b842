"""Local sources read into arrays: `.npz` files, folders of image files
(class folders, train/ and test/ splits, trainA/ and trainB/ domains),
in-memory arrays, and a TFDS name read whole (`load_arrays`); a bare name
is `$TFGAN_ZOO_DATA/NAME.npz` when that exists. Also the data's
fingerprint, and `.npz` data sets derived from another one."""
import hashlib
import os
import zipfile

import numpy as np
import tensorflow as tf

from tfgan_zoo.data import tfds_source
from tfgan_zoo.data.checks import (IMAGE_FILES, PAIRS_HELP, RESIZE_HINT, SOURCES_HELP,
                                   check_image_size, check_images, check_labels,
                                   unpaired_message)
from tfgan_zoo.files import atomic_path
from tfgan_zoo.images import resize


DATA_HOME = os.environ.get("TFGAN_ZOO_DATA",
                           os.path.join(os.path.expanduser("~"), ".cache", "tfgan_zoo", "datasets"))


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
    exists, else None: the caller may then take it for a TFDS name. A
    `tfds:` name (`tfds:emoji/64` holds a "/") is never a local file: None.
    """
    source = os.fspath(source)
    if source.startswith("tfds:"):
        return None
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
    return read(source, split, pixel_range, image_size)[:2]


def _resized(x, size, chunk=1024):
    """Images `x` (uint8 or float, [N, H, W, C]) at `size`, a chunk at a time."""
    if size is None or x.shape[1:3] == size:
        return x
    return np.concatenate([resize(x[i:i + chunk], size).numpy()
                           for i in range(0, len(x), chunk)])


def read(source, split, pixel_range, size=None):
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
            builder = tfds_source.find_builder(name, where=f"no {local}")
            tfds_source.prepare(builder, name)
            if size is None:
                ds = builder.as_dataset(split=split, batch_size=-1, as_supervised=True)
            else:  # one image at a time: they may differ in size
                ds = builder.as_dataset(split=split, as_supervised=True).map(
                    lambda image, label: (resize(image, size), label)
                ).batch(2**31 - 1).get_single_element()
            x, y = tfds.as_numpy(ds)
            return (check_images(x, pixel_range), check_labels(y, len(x)), None,
                    tfds_source.class_names(builder))
        names = tfds_source.stand_in_class_names(source)
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


def fingerprint(source):
    """A sha256 hex digest that identifies the data `source` names by its
    content (a file's bytes, a folder's file names and bytes, arrays' bytes),
    or by its name for a TFDS data set (TFDS versions its data)."""
    digest = hashlib.sha256()
    if isinstance(source, (str, os.PathLike)):
        local = local_file(source)
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


def local_images(source):
    """Arrays `(a, b)` or the local .npz / folder `source` names; None for a TFDS name."""
    if isinstance(source, tuple):
        return source
    local = local_file(source)  # None for a TFDS name
    if local is not None and not os.path.exists(local):
        raise FileNotFoundError(f"Data {local!r} does not exist. Give {PAIRS_HELP}.")
    return local


def load_domains(source, split="test", paired=True, pixel_range=None):
    """uint8 or float image arrays `(a, b)` [N, H, W, C] of domains A and B
    of a local image-to-image data set (an .npz or a folder, as
    `load_paired` / `load_unpaired` read it); `paired`: the rows must pair up."""
    local = local_images(source)
    if local is None:
        raise ValueError(f"{source}: image-to-image arrays come from an .npz or a folder; "
                         "copy the TFDS data set's test split into one to score on it.")
    return read_domains(local, split, paired, pixel_range)


def read_domains(source, split, paired, pixel_range=None):
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
        raise ValueError(unpaired_message(where, f"{len(a)} A images, {len(b)} B images"))
    return a, b


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
        raise ValueError(unpaired_message(
            path, f"{len(names[0])} A images, {len(names[1])} B images, {len(odd)} names in "
                  f"one folder only, e.g. {odd[0]!r}"))
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
