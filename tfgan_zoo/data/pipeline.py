"""Sources -> `tf.data` batches in [-1, 1]: the loader of each family task,
shuffled by epoch so that a resumed run sees the batches an uninterrupted
one would, full batches only, sharded by data under a strategy; and the
`info` dict every loader returns (`describe`)."""
import functools
import os

import tensorflow as tf

from tfgan_zoo.data import sources, tfds_source
from tfgan_zoo.data.checks import check_image_size, count_classes, name_classes


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
        ds, shape, num, num_classes, names = tfds_source.dataset(
            source[len("tfds:"):], split, labels, num_classes, check_image_size(image_size))
    else:
        x, y, declared, names = sources.read(source, split, pixel_range, image_size)
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
    local = sources.local_images(source)
    if local is None:
        name = os.fspath(source).removeprefix("tfds:")
        ds, shapes, num = tfds_source.pairs(name, split, limit)
    else:
        a, b = sources.read_domains(local, split, True, pixel_range)
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
    local = sources.local_images(source)
    if local is None:
        name = os.fspath(source).removeprefix("tfds:")
        domains, shapes, counts = tfds_source.domains(name, split, limit)
    else:
        arrays = sources.read_domains(local, split, False, pixel_range)
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
