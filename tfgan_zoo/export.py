"""Exporting a GAN's generator, or an image-to-image translator's, for TF
Serving and LiteRT.

Both formats load and run with TensorFlow (or LiteRT) alone: no tfgan_zoo,
no Keras custom objects. The EMA generator is exported when there is one;
for a CycleGAN the A -> B generator (B -> A with `reverse=True`).

GAN SavedModel signatures (N images; `labels` only for class-conditional
models; `truncation` optional, default 1: no truncation):

| signature | inputs | outputs |
| --- | --- | --- |
| `serving_default` | `z` float32 [N, latent_dim], `labels` int64 [N] | `images` float32 [N, H, W, C] in [-1, 1] |
| `generate` | `seed` int64 [], `count` int64 [], `labels` int64 [1] or [count], `truncation` float32 [] | `images` uint8 [count, H, W, C] |
| `generate_png` | same as `generate` | `png_bytes` string [count]: one PNG file each |
| `interpolate` | `seed_a` int64 [], `seed_b` int64 [], `steps` int64 [], `labels` int64 [1] or [2], `truncation` float32 [] | `images` uint8 [steps, H, W, C], `strip_png_bytes` string []: one PNG of them in a row |

`generate(seed, count, truncation=psi)` gives the images of
`GAN.generate(count, seed=seed, truncation=psi)` (same latents, any int64
seed), as uint8; `interpolate(seed_a, seed_b, steps, labels, truncation)`
those of `GAN.interpolate` (spherical: slerp), with one class for the whole
walk or the two ends' classes, and the strip laid out as
`images.grid(images, columns=steps)` (1-pixel gaps). `truncation` psi in
(0, 1] scales the latents toward their mean (`GAN.latents`); it is recorded
as a default of the SignatureDef, which TF Serving feeds when a request
leaves it out (so does the restored endpoint, `loaded.generate(seed=,
count=)`, but not `loaded.signatures["generate"]`, which takes every input).
The `_bytes` suffix makes TF Serving's REST API return the PNGs
base64-encoded (`{"b64": ...}`), as its JSON mapping requires.

Translator (Pix2Pix, CycleGAN) SavedModel signatures, for H x W x C images:

| signature | inputs | outputs |
| --- | --- | --- |
| `serving_default` | `images` float32 [N, H, W, C] in [-1, 1] | `images` float32 [N, H, W, C] in [-1, 1] |
| `translate_png` | `png_bytes` string [N]: PNG files, H x W, C channels | `png_bytes` string [N] |

REST clients send `{"b64": ...}` for `png_bytes` inputs and get it back for
the outputs.

Every signature checks its request in the graph (`tf.debugging` asserts), so
that TF Serving answers a bad one with a message naming the input and what it
takes instead of running it: at most `MAX_COUNT` (1024) images per request
(`count` in [1, 1024], N <= 1024: memory grows with it, so split bigger
requests), `z` [N, latent_dim] and finite, `labels` in [0, num_classes) with
one per image (or one for all in `generate`; one or two in `interpolate`),
`steps` in [2, 1024], `truncation` in (0, 1] (NaN refused), translator
images of the generator's H x W x C (and PNGs of that size and channel
count).

The `.tflite` file has no such checks (LiteRT has no asserts), and no seeds,
truncation or walks: its `serving_default` takes `z` [N, latent_dim] (and
`labels` int64 [N]) or a translator's `images` [N, H, W, C]. `run_tflite`
checks its inputs as the SavedModel does; callers of raw LiteRT check them
themselves: the input shapes are the file's, the class count is in its
`tfgan_zoo` metadata entry (JSON `{"num_classes": K, "class_names": [...]}`,
names when the GAN has them), and a negative label
would be served as another class. They truncate themselves too: truncated
latents are the standard-normal ones times psi,
`z = GAN.latents(count, seed, truncation=psi)` (`z * psi` for latents drawn
elsewhere).
"""
import errno
import importlib
import json
import os
import re
import shutil
import tempfile
import warnings

import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo import files, presets
from tfgan_zoo import images as image_utils
from tfgan_zoo.gan import GAN
from tfgan_zoo.translator import Translator

SIGNATURES = ("serving_default", "generate", "generate_png", "interpolate")
TRANSLATOR_SIGNATURES = ("serving_default", "translate_png")
QUANTIZATIONS = ("none", "float16", "dynamic", "int8")
WARMUP_COUNTS = (1, 8)  # batch sizes each signature is warmed up with
MAX_COUNT = 1024  # images per request, in every signature and in run_tflite
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_METADATA = "tfgan_zoo"  # the .tflite metadata entry that run_tflite reads


def as_model(model):
    """A GAN or translator: `model` itself, or loaded by `presets.load` from
    a `.keras` file or a preset (name, folder or URL)."""
    return presets.load_as(model, (GAN, Translator), "export takes a GAN or a translator, "
                                                     "a .keras file written by train or a "
                                                     "preset of one")


def signature_names(model):
    """The SavedModel's signatures: the image ones, then `class_names` (no
    inputs; the names of a conditional GAN's classes) when it has names."""
    if isinstance(model, Translator):
        return TRANSLATOR_SIGNATURES
    return SIGNATURES + (("class_names",) if getattr(model, "class_names", None) else ())


def default_name(source, gan):
    """The served model's name: the preset's (or .keras file's), else the GAN's."""
    if not isinstance(source, (str, os.PathLike)):
        return gan.name
    stem = os.path.basename(os.fspath(source).rstrip("/"))
    stem = stem[:-len(".keras")] if stem.endswith(".keras") else stem
    return stem if _NAME.match(stem) else gan.name


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


def _generator(model, reverse=False):
    if isinstance(model, Translator):
        if reverse and not model.reversible:
            raise ValueError("reverse=True exports a reversible translator's B -> A "
                             f"generator; a {type(model).__name__} has one direction.")
        return model.generator_ba if reverse else model.generator
    if reverse:
        raise ValueError("reverse=True applies to reversible translators, not to a GAN.")
    return model.ema_generator or model.generator


def _images_fn(gan):
    """(z, labels) -> float images, with int64 labels as served."""
    generator = _generator(gan)

    def images_from(z, labels=None):
        if labels is not None and labels.dtype.is_integer:  # class weights stay floats
            labels = tf.cast(labels, tf.int32)
        # In [-1, 1] as documented, also from generators without a tanh (as GAN.generate).
        return tf.clip_by_value(gan._generate(z, labels, training=False, generator=generator),
                                -1.0, 1.0)
    return images_from


def _uint8(x):
    """As `images.to_uint8`: round half to even, clip."""
    return tf.cast(tf.clip_by_value(tf.round((x + 1.0) * 127.5), 0.0, 255.0), tf.uint8)


def _strip(pixels):
    """[N, H, W, C] -> one [H, N * (W + 1) - 1, C] row, as
    `images.grid(pixels, columns=N)` lays it out: 1-pixel gaps."""
    height, _, channels = pixels.shape[1:]
    padded = tf.pad(pixels, [[0, 0], [0, 0], [0, 1], [0, 0]])
    return tf.reshape(tf.transpose(padded, [1, 0, 2, 3]), [height, -1, channels])[:, :-1]


def image_shape(network):
    """The (height, width, channels) of a generator's image input."""
    return image_utils.input_shape(network)


# ------------------------------------------------------------ request checks
def _require(condition, message, *values):
    """An assert whose error, which TF Serving sends back, is `message` and `values`."""
    return tf.debugging.Assert(condition, [message, *values], summarize=8)


def _after(checks, value):
    """`value`, computed once `checks` passed."""
    with tf.control_dependencies(checks):
        return tf.identity(value)


def _checked_batch(x, item_shape, name):
    """x [N, *item_shape] with N <= MAX_COUNT and finite values. The input
    spec leaves the item shape open so that a wrong one fails here with this
    message, not inside the network with a TF-internal one."""
    shape = tf.shape(x)
    want = ", ".join(str(d) for d in item_shape)
    x = _after([
        _require(tf.reduce_all(tf.equal(shape[1:], item_shape)),
                 f"{name} must be [N, {want}]; got shape", shape),
        _require(shape[0] <= MAX_COUNT, f"{name} must have at most {MAX_COUNT} rows (images "
                                        "per request): split the request; got", shape[0]),
        _require(tf.reduce_all(tf.math.is_finite(x)), f"{name} must be finite (no NaN or Inf)"),
    ], x)
    return tf.ensure_shape(x, [None, *item_shape])


def _checked_labels(gan, labels, size_ok, sizes):
    return _after([
        _require(tf.reduce_all((labels >= 0) & (labels < gan.num_classes)),
                 f"labels must be in [0, {gan.num_classes}); got", labels),
        _require(size_ok, f"labels must have {sizes}; got", tf.size(labels)),
    ], labels)


def _checked_count(count):
    # before GAN.latents casts it to int32, where 2**32 + 1 would become 1
    return _after([_require((count >= 1) & (count <= MAX_COUNT),
                            f"count must be in [1, {MAX_COUNT}] (images per request); got",
                            count)], count)


def _checked_steps(steps):
    # before linspace casts it to int32, as count above
    return _after([_require((steps >= 2) & (steps <= MAX_COUNT),
                            f"steps must be in [2, {MAX_COUNT}] (images of the walk, its two "
                            "ends included); got", steps)], steps)


def _checked_truncation(truncation):
    # NaN fails both comparisons, so it is refused too
    return _after([_require((truncation > 0) & (truncation <= 1),
                            "truncation must be in (0, 1] (1: no truncation); got",
                            truncation)], truncation)


# --------------------------------------------------------------- signatures
def _translator_signatures(model, reverse):
    generator = _generator(model, reverse)
    shape = image_shape(generator)
    height, width, channels = shape

    def translate(images):
        return tf.cast(generator(images, training=False), tf.float32)

    def decode(png):
        image = tf.io.decode_png(png, channels=0)
        check = tf.debugging.assert_equal(
            tf.shape(image), tf.constant([height, width, channels]),
            message=f"translate_png takes {height}x{width} PNG images with {channels} "
                    f"channel(s)")
        with tf.control_dependencies([check]):
            return tf.identity(image)

    def translate_png(png_bytes):
        png_bytes = _after([_require(
            tf.size(png_bytes) <= MAX_COUNT, f"png_bytes must hold at most {MAX_COUNT} "
                                             "images per request: split the request; got",
            tf.size(png_bytes))], png_bytes)
        pixels = tf.map_fn(decode, png_bytes, fn_output_signature=tf.uint8)
        pixels.set_shape([None, height, width, channels])  # checked in decode
        out = _uint8(translate(tf.cast(pixels, tf.float32) / 127.5 - 1.0))
        return {"png_bytes": tf.map_fn(tf.io.encode_png, out, fn_output_signature=tf.string)}

    return {
        "serving_default": (
            lambda images: {"images": translate(_checked_batch(images, shape, "images"))},
            [tf.TensorSpec([None, None, None, None], tf.float32, name="images")]),
        "translate_png": (translate_png, [tf.TensorSpec([None], tf.string, name="png_bytes")]),
    }


def _signatures(gan, reverse=False):
    """name -> (python function, input signature) of the served endpoints."""
    if isinstance(gan, Translator):
        return _translator_signatures(gan, reverse)
    _generator(gan, reverse)  # refuses reverse for a GAN
    # declared width: saved_model_cli and TF Serving's metadata show the latent size
    latent = tf.TensorSpec([None, gan.latent_dim], tf.float32, name="z")
    seed = tf.TensorSpec([], tf.int64, name="seed")
    count = tf.TensorSpec([], tf.int64, name="count")
    labels = tf.TensorSpec([None], tf.int64, name="labels")
    psi = tf.TensorSpec([], tf.float32, name="truncation")
    ends = [tf.TensorSpec([], tf.int64, name=name) for name in ("seed_a", "seed_b")]
    steps = tf.TensorSpec([], tf.int64, name="steps")
    # A tensor default of an argument in the input signature becomes the
    # SignatureDef's default, which TF Serving feeds when a request leaves
    # the input out: truncation is optional.
    untruncated = tf.constant(1.0)
    images_from = _images_fn(gan)

    def from_latents(z, labels=None):
        z = _checked_batch(z, [gan.latent_dim], "z")
        if labels is not None:
            rows = tf.shape(z, out_type=tf.int64)[0]
            labels = _checked_labels(gan, labels, tf.equal(tf.size(labels, tf.int64), rows),
                                     "one value per row of z")
        return {"images": images_from(z, labels)}

    def seeded(seed, count, truncation, labels=None):
        count = _checked_count(count)
        z = gan.latents(count, seed, _checked_truncation(truncation))
        if labels is not None:
            size = tf.size(labels, tf.int64)
            labels = _checked_labels(gan, labels, tf.equal(size, 1) | tf.equal(size, count),
                                     "1 value or `count` values")
            labels = tf.broadcast_to(labels, [count])
        return _uint8(images_from(z, labels))

    def png(pixels):
        return tf.map_fn(tf.io.encode_png, pixels, fn_output_signature=tf.string)

    def walk(seed_a, seed_b, steps, truncation, labels=None):
        steps = _checked_steps(steps)
        if labels is not None:  # one class for the walk, or its two ends'
            size = tf.size(labels)
            labels = tf.broadcast_to(_checked_labels(
                gan, labels, tf.equal(size, 1) | tf.equal(size, 2),
                "1 value (one class for the walk) or 2 (the classes of its ends)"), [2])
        z, weights = gan.interpolation_inputs(seed_a, seed_b, steps, labels, "slerp",
                                              _checked_truncation(truncation))
        pixels = _uint8(images_from(z, weights))
        return {"images": pixels, "strip_png_bytes": tf.io.encode_png(_strip(pixels))}

    if gan.conditional:
        named = {"class_names": (lambda: {"class_names": tf.constant(list(gan.class_names))},
                                 [])} if gan.class_names else {}
        return {
            **named,
            "serving_default": (from_latents, [latent, labels]),
            "generate": (lambda seed, count, labels, truncation=untruncated: {
                "images": seeded(seed, count, truncation, labels)}, [seed, count, labels, psi]),
            "generate_png": (lambda seed, count, labels, truncation=untruncated: {
                "png_bytes": png(seeded(seed, count, truncation, labels))},
                [seed, count, labels, psi]),
            "interpolate": (lambda seed_a, seed_b, steps, labels, truncation=untruncated:
                            walk(seed_a, seed_b, steps, truncation, labels),
                            [*ends, steps, labels, psi]),
        }
    return {
        "serving_default": (from_latents, [latent]),
        "generate": (lambda seed, count, truncation=untruncated: {
            "images": seeded(seed, count, truncation)}, [seed, count, psi]),
        "generate_png": (lambda seed, count, truncation=untruncated: {
            "png_bytes": png(seeded(seed, count, truncation))}, [seed, count, psi]),
        "interpolate": (lambda seed_a, seed_b, steps, truncation=untruncated:
                        walk(seed_a, seed_b, steps, truncation), [*ends, steps, psi]),
    }


def _litert_signature(model, reverse, class_weights=False, batch_size=None):
    """serving_default with static input shapes, which LiteRT callers read,
    and without the asserts, which LiteRT lacks (run_tflite checks instead).
    `class_weights`: a conditional generator takes float32 class weights
    [N, num_classes] (one-hot rows are the classes) instead of int64 labels;
    `batch_size`: N is fixed (None: any)."""
    generator = _generator(model, reverse)
    n = batch_size
    if isinstance(model, Translator):
        return (lambda images: {"images": tf.cast(generator(images, training=False),
                                                  tf.float32)},
                [tf.TensorSpec([n, *image_shape(generator)], tf.float32, name="images")])
    images_from = _images_fn(model)
    z = tf.TensorSpec([n, model.latent_dim], tf.float32, name="z")
    if model.conditional and class_weights:
        return (lambda z, class_weights: {"images": images_from(z, class_weights)},
                [z, tf.TensorSpec([n, model.num_classes], tf.float32, name="class_weights")])
    if model.conditional:
        return (lambda z, labels: {"images": images_from(z, labels)},
                [z, tf.TensorSpec([n], tf.int64, name="labels")])
    return lambda z: {"images": images_from(z)}, [z]


def _write_archive(model, path, endpoints, reverse=False):
    """The generator's SavedModel with `endpoints` (name -> (fn, input signature))."""
    archive = keras.export.ExportArchive()
    archive.track(_generator(model, reverse))
    for name, (fn, spec) in endpoints.items():
        archive.add_endpoint(name, fn, input_signature=spec)
    archive.write_out(path, verbose=False)


# ------------------------------------------------------------------ warm-up
def _warmup_protos():
    return serving_apis(
        ["model_pb2", "predict_pb2", "prediction_log_pb2"], "Writing TF Serving warm-up records",
        "export without them (--no-warmup, warmup=False): TF Serving then warms up on the "
        "first requests")


def _warmup_inputs(gan, signature, count, reverse=False):
    if isinstance(gan, Translator):
        blank = np.zeros((count,) + image_shape(_generator(gan, reverse)), np.float32)
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
    model_pb2, predict_pb2, prediction_log_pb2 = _warmup_protos()
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


def _existing_parent(path):
    """`path` or its nearest parent that exists."""
    while not os.path.exists(path):
        path = os.path.dirname(path)
    return path


def _check_writable(folder, failure, option):
    """Before anything is written: `folder` (or where it would be made) can be written."""
    parent = _existing_parent(folder)
    if not os.path.isdir(parent):
        reason = f"{parent} is not a folder"
    elif not os.access(parent, os.W_OK | os.X_OK):
        reason = f"{parent} is not writable"
    else:
        return
    raise OSError(f"{failure}: {reason}. Choose a writable {option}.")


def _write_error(error, failure, option):
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


def _remove_new_folders(path, parent):
    """Removes `path` and its parents below `parent` while they are empty:
    the folders this export made."""
    while path != parent:
        try:
            os.rmdir(path)
        except OSError:
            return
        path = os.path.dirname(path)


def _serving_target(base_dir, name, version):
    """(model folder, version number) to write, checked before writing."""
    if not _NAME.match(name):
        raise ValueError(f"Model name {name!r} is not a valid folder name: use letters, "
                         "digits, '_', '-' and '.' (for example faces_64).")
    model_dir = os.path.join(os.path.abspath(os.fspath(base_dir)), name)
    _check_writable(model_dir, f"Cannot write the export to {model_dir}", "--serving folder")
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


def _write_version(gan, model_dir, version, name, reverse, warmup):
    """Writes the SavedModel to a temp folder beside the versions and renames
    it into place (`files.atomic_dir`), so that a killed export leaves no
    version folder (TF Serving ignores the temp one; the next export removes
    it)."""
    failure = f"Cannot write the export to {model_dir}"
    target = os.path.join(model_dir, str(version))
    try:
        with files.atomic_dir(target) as tmp:
            _write_archive(gan, tmp, _signatures(gan, reverse), reverse)
            if warmup:
                _write_warmup(os.path.join(tmp, "assets.extra", "tf_serving_warmup_requests"),
                              gan, name, reverse)
    except FileExistsError:  # another export took this version meanwhile
        raise FileExistsError(f"{target} appeared during the export (another export "
                              "running?); nothing was overwritten.") from None
    except (OSError, tf.errors.OpError) as error:
        raise _write_error(error, failure, "--serving folder") from None
    return target


# ------------------------------------------------------------------- LiteRT
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


def _calibration(gan, num, images, reverse, class_weights=False):
    """int8 calibration inputs: latents drawn as served (labels cycled over
    the classes), or a translator's `images`."""
    if isinstance(gan, Translator):
        if images is None:
            raise ValueError("int8 quantization of a translator needs calibration images "
                             "like its inputs (calibration_images=, --calibration-data).")
        pixels = image_utils.to_float(images)
        want = image_shape(_generator(gan, reverse))
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


def _check_int8(gan, flatbuffer, samples, reverse, count=16):
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
        images_from = _images_fn(gan)

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


def _litert_bytes(gan, quantize, samples, reverse, class_weights=False, batch_size=None):
    """The .tflite flatbuffer, converted in memory."""
    with warnings.catch_warnings():
        # int8 calibration runs TF's own (deprecated) interpreter: not ours to fix
        warnings.filterwarnings("ignore", message=".*tf.lite.Interpreter is deprecated")
        try:
            with tempfile.TemporaryDirectory() as saved_model_dir:
                _write_archive(gan, saved_model_dir,
                               {"serving_default": _litert_signature(gan, reverse, class_weights,
                                                                    batch_size)},
                               reverse)
                flatbuffer = _converter(saved_model_dir, quantize, samples).convert()
        except (OSError, tf.errors.OpError) as error:
            raise _write_error(error, "Cannot write the converter's temporary SavedModel in "
                                      f"{tempfile.gettempdir()}", "TMPDIR") from None
    return _with_metadata(flatbuffer, gan)


# ----------------------------------------------------------------- the API
def export_model(model, serving=None, tflite=None, name=None, version=None, reverse=False,
                 warmup=True, quantize="none", num_calibration=200, calibration_images=None,
                 class_weights=False, batch_size=None):
    """Writes a TF Serving version `serving/NAME/VERSION/` and/or a `.tflite`
    file: both or, when anything fails, neither. Returns (the version folder
    or None, `tflite`).

    Everything is checked before anything is written (arguments, calibration
    data, the serving protos, the targets); the LiteRT flatbuffer is
    converted in memory, the version written, then the `.tflite`; if that
    fails the version is removed again. See `export_serving` and
    `export_tflite` for the arguments.
    """
    if not (serving or tflite):
        raise ValueError("Nothing to export: give serving= (--serving BASE_DIR) and/or "
                         "tflite= (--tflite FILE).")
    if tflite and quantize not in QUANTIZATIONS:
        raise ValueError(f"Unknown quantize={quantize!r}: use one of "
                         f"{', '.join(QUANTIZATIONS)}.")
    gan = as_model(model)
    _generator(gan, reverse)  # refuses reverse where there is none
    made = []  # (folder, its nearest existing parent) before writing: what to remove on failure
    if serving:
        name = name or default_name(model, gan)
        model_dir, version = _serving_target(serving, name, version)
        if warmup:
            _warmup_protos()
        made.append((model_dir, _existing_parent(model_dir)))
    if tflite:
        tflite_path = os.path.abspath(os.fspath(tflite))
        if os.path.isdir(tflite_path):
            raise OSError(f"Cannot write {tflite}: it is a folder. Choose a writable "
                          "--tflite path.")
        _check_writable(os.path.dirname(tflite_path), f"Cannot write {tflite}", "--tflite path")
        samples = (_calibration(gan, num_calibration, calibration_images, reverse,
                                class_weights) if quantize == "int8" else None)
        flatbuffer = _litert_bytes(gan, quantize, samples, reverse, class_weights, batch_size)
        if quantize == "int8":
            _check_int8(gan, flatbuffer, samples, reverse)
        folder = os.path.dirname(tflite_path)
        made.append((folder, _existing_parent(folder)))
    target = None
    try:
        if serving:
            target = _write_version(gan, model_dir, version, name, reverse, warmup)
        if tflite:
            try:
                files.write_bytes(tflite_path, flatbuffer)
            except OSError as error:
                raise _write_error(error, f"Cannot write {tflite}", "--tflite path") from None
    except BaseException:
        if target:
            shutil.rmtree(target, ignore_errors=True)
        for folder, parent in made:
            _remove_new_folders(folder, parent)
        raise
    return target, tflite


def export_serving(model, base_dir, name=None, version=None, reverse=False, warmup=True):
    """Writes a TF Serving SavedModel to `base_dir/name/version/` and returns its path.

    `model`: a GAN or translator, a `.keras` file or a preset (name, folder
    or URL); `reverse`: a CycleGAN's B -> A generator.
    `name` defaults to the preset's (or the .keras file's) name; `version` to
    the next free one. An existing version is never overwritten. A killed
    export leaves no version folder. `warmup=False` leaves out the warm-up
    records, which need TF Serving's protos (tensorflow-serving-api): TF
    Serving then warms up on the first requests.
    """
    return export_model(model, serving=base_dir, name=name, version=version, reverse=reverse,
                        warmup=warmup)[0]


def export_tflite(model, path, quantize="none", num_calibration=200,
                  calibration_images=None, reverse=False, class_weights=False,
                  batch_size=None):
    """Writes the generator as a `.tflite` file for LiteRT and returns `path`.

    Inputs `z` float32 [N, latent_dim] (and `labels` int64 [N]), or a
    translator's `images` float32 [N, H, W, C] in [-1, 1]; output float32
    `images` in [-1, 1], whatever `quantize` is: "none" (float32), "float16"
    (float16 weights), "dynamic" (int8 weights, float activations) or "int8"
    (int8 weights and activations calibrated on `num_calibration` latents,
    or translator inputs from `calibration_images`; float input and output).
    `class_weights=True`: a conditional generator takes `class_weights`
    float32 [N, num_classes] instead of `labels` (one-hot rows are the
    classes, blends walk between them): for runtimes without int64 tensors,
    such as LiteRT.js in the browser (`tfgan-zoo gallery`). `batch_size`: a
    fixed N, for runtimes without dynamic shapes (LiteRT.js again).
    """
    return export_model(model, tflite=path, quantize=quantize, num_calibration=num_calibration,
                        calibration_images=calibration_images, reverse=reverse,
                        class_weights=class_weights, batch_size=batch_size)[1]


def _litert_metadata(path):
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
    num_classes = _litert_metadata(path).get("num_classes")
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
