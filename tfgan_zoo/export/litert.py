"""LiteRT: the `.tflite` file's signature, int8 calibration, the converter,
the file's `tfgan_zoo` metadata entry, and running a file with its inputs
checked."""
import json
import os
import tempfile
import warnings

import numpy as np
import tensorflow as tf

from tfgan_zoo import images as image_utils
from tfgan_zoo.export.serving import write_archive, write_error
from tfgan_zoo.export.signatures import MAX_COUNT, generator_of, image_shape, images_fn
from tfgan_zoo.translator import Translator

QUANTIZATIONS = ("none", "float16", "dynamic", "int8")
_METADATA = "tfgan_zoo"  # the .tflite metadata entry that run_tflite reads


def _litert_signature(model, reverse, class_weights=False, batch_size=None):
    """serving_default with static input shapes, which LiteRT callers read,
    and without the asserts, which LiteRT lacks (run_tflite checks instead).
    `class_weights`: a conditional generator takes float32 class weights
    [N, num_classes] (one-hot rows are the classes) instead of int64 labels;
    `batch_size`: N is fixed (None: any)."""
    generator = generator_of(model, reverse)
    n = batch_size
    if isinstance(model, Translator):
        return (lambda images: {"images": tf.cast(generator(images, training=False),
                                                  tf.float32)},
                [tf.TensorSpec([n, *image_shape(generator)], tf.float32, name="images")])
    images_from = images_fn(model)
    z = tf.TensorSpec([n, model.latent_dim], tf.float32, name="z")
    if model.conditional and class_weights:
        return (lambda z, class_weights: {"images": images_from(z, class_weights)},
                [z, tf.TensorSpec([n, model.num_classes], tf.float32, name="class_weights")])
    if model.conditional:
        return (lambda z, labels: {"images": images_from(z, labels)},
                [z, tf.TensorSpec([n], tf.int64, name="labels")])
    return lambda z: {"images": images_from(z)}, [z]


def load_calibration(path, reverse=False):
    """int8 calibration images of a translator: an .npy, or an .npz's a_train
    (b_train for the B -> A generator)."""
    data = np.load(path)
    if isinstance(data, np.lib.npyio.NpzFile):
        key = "b_train" if reverse else "a_train"
        if key not in data.files:
            raise ValueError(f"{path} has no {key} array (it has {', '.join(data.files)}): "
                             f"give an .npy of input images or an .npz with {key}.")
        data = data[key]
    return data


def calibration(gan, num, images, reverse, class_weights=False):
    """int8 calibration inputs: latents drawn as served (labels cycled over
    the classes), or a translator's `images`."""
    if isinstance(gan, Translator):
        if images is None:
            raise ValueError("int8 quantization of a translator needs calibration images "
                             "like its inputs (calibration_images=, --calibration-data).")
        pixels = image_utils.to_float(images)
        want = image_shape(generator_of(gan, reverse))
        if pixels.ndim != 4 or pixels.shape[1:] != want or not len(pixels):
            raise ValueError(f"Calibration images must be [N, {', '.join(map(str, want))}] "
                             f"like the generator's inputs, got shape {pixels.shape}.")
        return [{"images": pixels[i:i + 1].astype(np.float32)}
                for i in range(min(num, len(pixels)))]
    samples = []
    for i in range(num):
        sample = {"z": np.asarray(gan.latents(1, 1000 + i))}
        if gan.conditional and class_weights:
            sample["class_weights"] = np.eye(gan.num_classes, dtype=np.float32)[
                gan.class_cycle(1, start=i)]
        elif gan.conditional:
            sample["labels"] = gan.class_cycle(1, start=i).astype(np.int64)
        samples.append(sample)
    return samples


# The mean |difference| in [-1, 1] from the float model past which an int8
# file is called lossy: the export tests' int8 tolerance (about 10 of 255).
INT8_MEAN_ERROR = 0.08


def check_int8(gan, flatbuffer, samples, reverse, count=16):
    """Warns (RuntimeWarning) when the int8 model's images differ from the
    float model's by more than INT8_MEAN_ERROR on average, on the first
    `count` calibration inputs: its activations do not fit int8 (R3GAN's,
    without normalization, do not), a result the user must not get silently."""
    from ai_edge_litert.interpreter import Interpreter

    runner = Interpreter(model_content=flatbuffer).get_signature_runner()
    if isinstance(gan, Translator):
        def expected(sample):
            return gan.translate(sample["images"], reverse=reverse)
    else:
        images_from = images_fn(gan)

        def expected(sample):
            labels = sample.get("labels", sample.get("class_weights"))
            return images_from(tf.constant(sample["z"]),
                               None if labels is None else tf.constant(labels))
    error = float(np.mean([np.abs(runner(**sample)["images"] - np.asarray(expected(sample)))
                           for sample in samples[:count]]))
    if error > INT8_MEAN_ERROR:
        warnings.warn(
            f"int8 quantization changes this model's images by {error:.3f} on average in "
            f"[-1, 1] (over {INT8_MEAN_ERROR}, on {min(count, len(samples))} calibration "
            "inputs): its activations do not fit int8. Export float16 or dynamic instead "
            "(--quantize float16).", RuntimeWarning, stacklevel=3)


def _converter(saved_model_dir, quantize, samples):
    converter = tf.lite.TFLiteConverter.from_saved_model(saved_model_dir)
    if quantize in ("float16", "dynamic", "int8"):
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if quantize == "float16":
        converter.target_spec.supported_types = [tf.float16]
    elif quantize == "int8":
        converter.representative_dataset = lambda: iter(samples)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    return converter


def _with_metadata(flatbuffer, gan):
    """The flatbuffer with the class count as a named metadata entry, which
    LiteRT ignores: a .tflite's inputs show the latent size, not the classes."""
    if isinstance(gan, Translator) or not gan.conditional:
        return flatbuffer
    from tensorflow.lite.python import schema_py_generated as schema
    from tensorflow.lite.tools import flatbuffer_utils

    model = flatbuffer_utils.read_model_from_bytearray(bytearray(flatbuffer))
    buffer = schema.BufferT()
    buffer.data = json.dumps({"num_classes": gan.num_classes, **(
        {"class_names": list(gan.class_names)} if gan.class_names else {})}).encode()
    model.buffers.append(buffer)
    entry = schema.MetadataT()
    entry.name, entry.buffer = _METADATA, len(model.buffers) - 1
    model.metadata = (model.metadata or []) + [entry]
    return flatbuffer_utils.convert_object_to_bytearray(model)


def litert_bytes(gan, quantize, samples, reverse, class_weights=False, batch_size=None):
    """The .tflite flatbuffer, converted in memory."""
    with warnings.catch_warnings():
        # int8 calibration runs TF's own (deprecated) interpreter: not ours to fix
        warnings.filterwarnings("ignore", message=".*tf.lite.Interpreter is deprecated")
        try:
            with tempfile.TemporaryDirectory() as saved_model_dir:
                write_archive(gan, saved_model_dir,
                               {"serving_default": _litert_signature(gan, reverse, class_weights,
                                                                    batch_size)},
                               reverse)
                flatbuffer = _converter(saved_model_dir, quantize, samples).convert()
        except (OSError, tf.errors.OpError) as error:
            raise write_error(error, "Cannot write the converter's temporary SavedModel in "
                                      f"{tempfile.gettempdir()}", "TMPDIR") from None
    return _with_metadata(flatbuffer, gan)


def litert_metadata(path):
    """The JSON of the file's `tfgan_zoo` metadata entry ({} if it has none)."""
    from ai_edge_litert import schema_py_generated as schema

    with open(path, "rb") as f:
        model = schema.Model.GetRootAs(f.read())
    for i in range(model.MetadataLength()):
        entry = model.Metadata(i)
        if entry.Name() == _METADATA.encode():
            return json.loads(model.Buffers(entry.Buffer()).DataAsNumpy().tobytes())
    return {}


def _check_litert_inputs(inputs, shapes, num_classes):
    """The SavedModel's request checks, in numpy, for inputs of `shapes`
    (name -> shape without the batch dimension)."""
    if set(inputs) != set(shapes):
        raise ValueError(f"This .tflite takes {', '.join(sorted(shapes))}; got "
                         f"{', '.join(sorted(inputs))}.")
    name = "z" if "z" in shapes else "images"
    x, want = inputs[name], shapes[name]
    if x.shape[1:] != want or x.ndim != len(want) + 1:
        raise ValueError(f"{name} must be [N, {', '.join(map(str, want))}]; got shape "
                         f"{x.shape}.")
    if not 1 <= len(x) <= MAX_COUNT:
        raise ValueError(f"{name} must have 1 to {MAX_COUNT} rows (images per call); "
                         f"got {len(x)}: split bigger batches.")
    if not np.isfinite(x).all():
        raise ValueError(f"{name} must be finite (no NaN or Inf).")
    if "labels" in inputs:
        labels = inputs["labels"]
        if labels.shape != (len(x),):
            raise ValueError(f"labels must have one value per row of z ({len(x)}); got "
                             f"shape {labels.shape}.")
        top = np.iinfo(np.int64).max if num_classes is None else num_classes  # older files
        bad = labels[(labels < 0) | (labels >= top)]
        if bad.size:
            raise ValueError(f"labels must be in [0, {num_classes or 'num_classes'}); "
                             f"got {bad[:8]}.")


def run_tflite(path, z=None, labels=None, images=None):
    """Images from a `.tflite` generator run in the LiteRT interpreter: from
    latents `z` (and `labels`), or a translator's input `images` in [-1, 1].
    The inputs are checked first, as the SavedModel's signatures do
    (ValueError): LiteRT itself would run a wrong batch or serve a negative
    label as another class. A file exported with `class_weights=True` gets
    the labels' one-hot rows; one with a fixed `batch_size` runs batch by batch."""
    from ai_edge_litert.interpreter import Interpreter

    path = os.fspath(path)
    runner = Interpreter(model_path=path).get_signature_runner()
    details = runner.get_input_details()
    shapes = {name: tuple(int(d) for d in detail["shape_signature"][1:])
              for name, detail in details.items()}
    batch = max(int(next(iter(details.values()))["shape_signature"][0]), 0)
    weights = shapes.pop("class_weights", None)
    if weights:
        shapes["labels"] = ()
    if images is not None:
        inputs = {"images": np.asarray(images, np.float32)}
    else:
        inputs = {"z": np.asarray(z, np.float32)}
        if labels is not None:
            given = np.asarray(labels)
            if given.dtype.kind not in "iu" and not (given.dtype.kind == "f" and np.all(
                    given == np.round(given))):
                raise ValueError(f"labels must be class ids (integers); got {labels!r}.")
            inputs["labels"] = given.astype(np.int64)
    num_classes = litert_metadata(path).get("num_classes")
    _check_litert_inputs(inputs, shapes, num_classes)
    if weights:
        inputs["class_weights"] = np.eye(num_classes, dtype=np.float32)[inputs.pop("labels")]
    if not batch:
        return runner(**inputs)["images"]
    rows = len(next(iter(inputs.values())))
    padded = {k: np.resize(v, (-(-rows // batch) * batch,) + v.shape[1:])
              for k, v in inputs.items()}
    return np.concatenate([runner(**{k: v[i:i + batch] for k, v in padded.items()})["images"]
                           for i in range(0, rows, batch)])[:rows]
