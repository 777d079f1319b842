"""Writing SavedModels for TF Serving: the version folders, the checks of
the target before anything is written, warm-up records."""
import errno
import importlib
import os
import re

import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo import files
from tfgan_zoo.export.signatures import (
    generator_of,
    image_shape,
    signature_names,
    signatures_of,
)
from tfgan_zoo.translator import Translator

WARMUP_COUNTS = (1, 8)  # batch sizes each signature is warmed up with
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def serving_apis(names, purpose, alternative):
    """Modules of `tensorflow_serving.apis` (TF Serving's protos), or an
    ImportError that says how to install them."""
    try:
        return [importlib.import_module(f"tensorflow_serving.apis.{n}") for n in names]
    except ModuleNotFoundError as error:
        if not (error.name or "").startswith("tensorflow_serving"):
            raise
        raise ImportError(
            f"{purpose} needs TF Serving's protos: pip install --no-deps "
            "tensorflow-serving-api==2.21.0 (--no-deps: it requires the full `tensorflow` "
            f"package, a second TensorFlow beside tensorflow-cpu), or {alternative}.") from None


def write_archive(model, path, endpoints, reverse=False):
    """The generator's SavedModel with `endpoints` (name -> (fn, input signature))."""
    archive = keras.export.ExportArchive()
    archive.track(generator_of(model, reverse))
    for name, (fn, spec) in endpoints.items():
        archive.add_endpoint(name, fn, input_signature=spec)
    archive.write_out(path, verbose=False)


# ------------------------------------------------------------------ warm-up
def warmup_protos():
    return serving_apis(
        ["model_pb2", "predict_pb2", "prediction_log_pb2"], "Writing TF Serving warm-up records",
        "export without them (--no-warmup, warmup=False): TF Serving then warms up on the "
        "first requests")


def _warmup_inputs(gan, signature, count, reverse=False):
    if isinstance(gan, Translator):
        blank = np.zeros((count,) + image_shape(generator_of(gan, reverse)), np.float32)
        if signature == "serving_default":
            return {"images": blank}
        png = tf.io.encode_png(np.full(blank.shape[1:], 127, np.uint8)).numpy()
        return {"png_bytes": np.array([png] * count, dtype=object)}
    labels = gan.class_cycle(count)
    # truncation is left out, as most requests leave it: TF Serving feeds its default
    if signature == "serving_default":
        inputs = {"z": np.asarray(gan.latents(count, 0))}
    elif signature == "interpolate":
        # a walk has its two ends at least; two classes: the class-weight path
        inputs = {"seed_a": np.int64(0), "seed_b": np.int64(1), "steps": np.int64(max(count, 2))}
        labels = gan.class_cycle(2)
    else:
        inputs = {"seed": np.int64(0), "count": np.int64(count)}
    if labels is not None:
        inputs["labels"] = labels.astype(np.int64)
    return inputs


def _write_warmup(path, gan, model_name, reverse=False):
    """TF Serving warm-up: one PredictionLog per signature and batch size."""
    model_pb2, predict_pb2, prediction_log_pb2 = warmup_protos()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with tf.io.TFRecordWriter(path) as writer:
        for signature in signature_names(gan):
            if signature == "class_names":  # a constant: nothing to warm up
                continue
            for count in WARMUP_COUNTS:
                request = predict_pb2.PredictRequest(model_spec=model_pb2.ModelSpec(
                    name=model_name, signature_name=signature))
                for key, value in _warmup_inputs(gan, signature, count, reverse).items():
                    request.inputs[key].CopyFrom(tf.make_tensor_proto(value))
                log = prediction_log_pb2.PredictionLog(
                    predict_log=prediction_log_pb2.PredictLog(request=request))
                writer.write(log.SerializeToString())


# ------------------------------------------------------------ writing files
def _versions(model_dir):
    return sorted(int(n) for n in os.listdir(model_dir) if n.isdigit()) \
        if os.path.isdir(model_dir) else []


def existing_parent(path):
    """`path` or its nearest parent that exists."""
    while not os.path.exists(path):
        path = os.path.dirname(path)
    return path


def check_writable(folder, failure, option):
    """Before anything is written: `folder` (or where it would be made) can be written."""
    parent = existing_parent(folder)
    if not os.path.isdir(parent):
        reason = f"{parent} is not a folder"
    elif not os.access(parent, os.W_OK | os.X_OK):
        reason = f"{parent} is not writable"
    else:
        return
    raise OSError(f"{failure}: {reason}. Choose a writable {option}.")


def write_error(error, failure, option):
    """One line for a failed write (an OSError, or TF's error from its own file
    writes): the reason and the fix."""
    if isinstance(error, tf.errors.OpError):
        reason = error.message.splitlines()[0].rpartition("; ")[2]  # TF's "path; reason"
        full = isinstance(error, tf.errors.ResourceExhaustedError)
    else:
        reason = error.strerror or str(error)
        full = error.errno in (errno.ENOSPC, errno.EDQUOT)
    fix = (f"Free space there or choose another {option}" if full
           else f"Choose a writable {option}")
    return OSError(f"{failure}: {reason}. {fix}.")


def remove_new_folders(path, parent):
    """Removes `path` and its parents below `parent` while they are empty:
    the folders this export made."""
    while path != parent:
        try:
            os.rmdir(path)
        except OSError:
            return
        path = os.path.dirname(path)


def serving_target(base_dir, name, version):
    """(model folder, version number) to write, checked before writing."""
    if not NAME.match(name):
        raise ValueError(f"Model name {name!r} is not a valid folder name: use letters, "
                         "digits, '_', '-' and '.' (for example faces_64).")
    model_dir = os.path.join(os.path.abspath(os.fspath(base_dir)), name)
    check_writable(model_dir, f"Cannot write the export to {model_dir}", "--serving folder")
    existing = _versions(model_dir)
    if version is None:
        version = (existing[-1] + 1) if existing else 1
    elif int(version) < 1:
        raise ValueError(f"--version must be a positive integer, got {version}.")
    if int(version) in existing:
        raise FileExistsError(
            f"{model_dir}/{version} exists and is never overwritten: omit --version to "
            f"write the next free one ({existing[-1] + 1}), or remove that folder.")
    return model_dir, int(version)


def write_version(gan, model_dir, version, name, reverse, warmup):
    """Writes the SavedModel to a temp folder beside the versions and renames
    it into place (`files.atomic_dir`), so that a killed export leaves no
    version folder (TF Serving ignores the temp one; the next export removes
    it)."""
    failure = f"Cannot write the export to {model_dir}"
    target = os.path.join(model_dir, str(version))
    try:
        with files.atomic_dir(target) as tmp:
            write_archive(gan, tmp, signatures_of(gan, reverse), reverse)
            if warmup:
                _write_warmup(os.path.join(tmp, "assets.extra", "tf_serving_warmup_requests"),
                              gan, name, reverse)
    except FileExistsError:  # another export took this version meanwhile
        raise FileExistsError(f"{target} appeared during the export (another export "
                              "running?); nothing was overwritten.") from None
    except (OSError, tf.errors.OpError) as error:
        raise write_error(error, failure, "--serving folder") from None
    return target
