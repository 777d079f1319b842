"""TensorFlow Datasets as a source: finding a builder (with errors for a
wrong name or configuration), preparing it once (failing fast offline, or
on a damaged cache), its class label and names, and its images, pairs
(Pix2Pix) and domains (CycleGAN) as `tf.data` datasets."""
import socket

import tensorflow as tf

from tfgan_zoo.data.checks import PAIRS_HELP, SOURCES_HELP, unpaired_message
from tfgan_zoo.images import resize


def find_builder(name, need="", give=SOURCES_HELP, where="no local file or folder"):
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


def class_names(builder):
    """The names of the classes of the data set's class label, or None."""
    key = _label_key(builder)
    return None if key is None else list(builder.info.features[key].names)


def stand_in_class_names(name):
    """The class names of the TFDS data set `name` (a local NAME.npz stands
    in for it), from the builder's code alone: nothing is downloaded."""
    try:
        import tensorflow_datasets as tfds

        return class_names(tfds.builder(name))
    except Exception:  # not a TFDS name, or its code cannot load offline: no names
        return None


def _image_keys(builder):
    """The names of a TFDS data set's image features, sorted."""
    import tensorflow_datasets as tfds

    return sorted(k for k, f in builder.info.features.items()
                  if isinstance(f, tfds.features.Image))


def _tfds_images(builder, name, split, keys, limit):
    """The images `keys` of each example of a split (one image, or a tuple), their
    shapes and the example count."""
    prepare(builder, name)
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


def pairs(name, split, limit):
    builder = find_builder(name, "TFDS has no paired image-to-image data set: put "
                                  "facades-style pairs in a folder or an .npz.", PAIRS_HELP)
    keys = _image_keys(builder)
    if len(keys) == 1:
        raise ValueError(unpaired_message(f"tfds:{name}", f"one image feature, {keys[0]!r}"))
    if len(keys) != 2:
        raise ValueError(f"tfds:{name} has image features {keys}; paired data needs "
                         "exactly two (the input and the target, in name order).")
    return _tfds_images(builder, name, split, keys, limit)


def domains(name, split, limit):
    builder = find_builder(name, "Unpaired TFDS data sets are named like "
                                  "cycle_gan/horse2zebra.", PAIRS_HELP)
    keys = _image_keys(builder)
    if len(keys) != 1:
        raise ValueError(f"tfds:{name} has image features {keys}; load_unpaired reads TFDS "
                         f"data laid out like cycle_gan: one image feature, the domains in "
                         f"splits {split}A and {split}B.")
    (a, [shape_a], num_a), (b, [shape_b], num_b) = (
        _tfds_images(builder, name, split + domain, keys, limit) for domain in "AB")
    return (a, b), (shape_a, shape_b), (num_a, num_b)


def dataset(name, split, labels, num_classes=None, size=None):
    """`load_images`' TFDS source: (dataset of images or (image, label)
    pairs, image shape, example count, class count or None, class names)."""
    import tensorflow_datasets as tfds  # heavy import: only when asked for

    builder = find_builder(name)
    prepare(builder, name)
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
            (num_classes or declared) if labels else None, class_names(builder))


# TFDS downloads through requests with 10 retries and exponential back-off:
# offline, that is 3.5 minutes of waiting before an error. A data set that
# is not prepared yet is only tried when its download host answers.
TFDS_HOST = ("storage.googleapis.com", 443)


def prepare(builder, name):
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


def require_network(what, host=None, timeout=10):
    """Raises a clear OSError at once when `host` (default `TFDS_HOST`) cannot
    be reached."""
    host = host or TFDS_HOST
    try:
        socket.create_connection(host, timeout=timeout).close()
    except OSError as error:
        raise OSError(f"{what} and its download host {host[0]} cannot be reached "
                      f"({error.strerror or error}): connect to the network, or give a "
                      "local .npz file or folder instead.") from None
