"""Exporting a GAN's generator, or an image-to-image translator's, for TF
Serving and LiteRT.

Both formats load and run with TensorFlow (or LiteRT) alone: no tfgan_zoo,
no Keras custom objects. The EMA generator is exported when there is one;
for a CycleGAN the A -> B generator (B -> A with `reverse=True`).

GAN SavedModel signatures (N images; `labels` only for class-conditional models):

| signature | inputs | outputs |
| --- | --- | --- |
| `serving_default` | `z` float32 [N, latent_dim], `labels` int64 [N] | `images` float32 [N, H, W, C] in [-1, 1] |
| `generate` | `seed` int64 [], `count` int64 [], `labels` int64 [1] or [count] | `images` uint8 [count, H, W, C] |
| `generate_png` | same as `generate` | `png_bytes` string [count]: one PNG file each |

`generate(seed, count)` gives the images of `GAN.generate(count, seed=seed)`
(same latents), as uint8. The `_bytes` suffix makes TF Serving's REST API
return the PNGs base64-encoded (`{"b64": ...}`), as its JSON mapping requires.

Translator (Pix2Pix, CycleGAN) SavedModel signatures, for H x W x C images:

| signature | inputs | outputs |
| --- | --- | --- |
| `serving_default` | `images` float32 [N, H, W, C] in [-1, 1] | `images` float32 [N, H, W, C] in [-1, 1] |
| `translate_png` | `png_bytes` string [N]: PNG files, H x W, C channels | `png_bytes` string [N] |

REST clients send `{"b64": ...}` for `png_bytes` inputs and get it back for
the outputs. A PNG of another size or channel count fails the request with a
message naming the expected shape.
"""
import os
import re
import tempfile
import warnings

import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo import files
from tfgan_zoo import images as image_utils
from tfgan_zoo.gan import GAN
from tfgan_zoo.image_to_image import Translator

SIGNATURES = ("serving_default", "generate", "generate_png")
TRANSLATOR_SIGNATURES = ("serving_default", "translate_png")
QUANTIZATIONS = ("none", "float16", "dynamic", "int8")
WARMUP_COUNTS = (1, 8)  # batch sizes each signature is warmed up with
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def as_model(model):
    """A GAN or translator from a model, a `.keras` file or a preset (name,
    folder or URL)."""
    if isinstance(model, (GAN, Translator)):
        return model
    if isinstance(model, keras.Model):
        raise ValueError(f"Cannot export a {type(model).__name__}: export takes a GAN or an "
                         "image-to-image model (Pix2Pix, CycleGAN), a .keras file written "
                         "by train, or a preset of one.")
    from tfgan_zoo import presets, sampling

    source = os.fspath(model)
    try:
        loaded = sampling.load(source)
    except presets.NotAGANError:
        loaded = presets.load_network(source)
    if not isinstance(loaded, (GAN, Translator)):
        raise ValueError(f"Cannot export {source!r}: it is not a GAN (a generator and a "
                         "discriminator) or a translator. Export takes a GAN, Pix2Pix or "
                         "CycleGAN preset or a .keras file written by train.")
    return loaded


def signature_names(model):
    return TRANSLATOR_SIGNATURES if isinstance(model, Translator) else SIGNATURES


def default_name(source, gan):
    """The served model's name: the preset's (or .keras file's), else the GAN's."""
    if not isinstance(source, (str, os.PathLike)):
        return gan.name
    stem = os.path.basename(os.fspath(source).rstrip("/"))
    stem = stem[:-len(".keras")] if stem.endswith(".keras") else stem
    return stem if _NAME.match(stem) else gan.name


def _generator(model, reverse=False):
    if isinstance(model, Translator):
        if reverse and not model.reversible:
            raise ValueError("reverse=True exports a CycleGAN's B -> A generator; "
                             f"a {type(model).__name__} has one direction.")
        return model.generator_ba if reverse else model.generator
    if reverse:
        raise ValueError("reverse=True applies to CycleGANs, not to a GAN.")
    return model.ema_generator or model.generator


def _images_fn(gan):
    """(z, labels) -> float images, with int64 labels as served."""
    generator = _generator(gan)

    def images_from(z, labels=None):
        labels = None if labels is None else tf.cast(labels, tf.int32)
        return gan._generate(z, labels, training=False, generator=generator)
    return images_from


def _uint8(x):
    """As `images.to_uint8`: round half to even, clip."""
    return tf.cast(tf.clip_by_value(tf.round((x + 1.0) * 127.5), 0.0, 255.0), tf.uint8)


def _image_shape(network):
    return tuple(int(d) for d in network.inputs[0].shape[1:])


def _translator_signatures(model, reverse):
    generator = _generator(model, reverse)
    height, width, channels = _image_shape(generator)

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
        pixels = tf.map_fn(decode, png_bytes, fn_output_signature=tf.uint8)
        pixels.set_shape([None, height, width, channels])  # checked in decode
        out = _uint8(translate(tf.cast(pixels, tf.float32) / 127.5 - 1.0))
        return {"png_bytes": tf.map_fn(tf.io.encode_png, out, fn_output_signature=tf.string)}

    return {
        "serving_default": (lambda images: {"images": translate(images)},
                            [tf.TensorSpec([None, height, width, channels], tf.float32,
                                           name="images")]),
        "translate_png": (translate_png, [tf.TensorSpec([None], tf.string, name="png_bytes")]),
    }


def _signatures(gan, reverse=False):
    """name -> (python function, input signature) of the served endpoints."""
    if isinstance(gan, Translator):
        return _translator_signatures(gan, reverse)
    _generator(gan, reverse)  # refuses reverse for a GAN
    latent = tf.TensorSpec([None, gan.latent_dim], tf.float32, name="z")
    seed = tf.TensorSpec([], tf.int64, name="seed")
    count = tf.TensorSpec([], tf.int64, name="count")
    labels = tf.TensorSpec([None], tf.int64, name="labels")
    images_from = _images_fn(gan)

    def seeded(seed, count, labels=None):
        z = gan.latents(count, seed)
        if labels is not None:
            labels = tf.broadcast_to(labels, [count])
        return _uint8(images_from(z, labels))

    def png(pixels):
        return tf.map_fn(tf.io.encode_png, pixels, fn_output_signature=tf.string)

    if gan.conditional:
        return {
            "serving_default": (lambda z, labels: {"images": images_from(z, labels)},
                                [latent, labels]),
            "generate": (lambda seed, count, labels: {"images": seeded(seed, count, labels)},
                         [seed, count, labels]),
            "generate_png": (lambda seed, count, labels: {
                "png_bytes": png(seeded(seed, count, labels))}, [seed, count, labels]),
        }
    return {
        "serving_default": (lambda z: {"images": images_from(z)}, [latent]),
        "generate": (lambda seed, count: {"images": seeded(seed, count)}, [seed, count]),
        "generate_png": (lambda seed, count: {"png_bytes": png(seeded(seed, count))},
                         [seed, count]),
    }


def _write_archive(gan, path, names=None, reverse=False):
    """The generator's SavedModel with the signatures `names` (default: all)."""
    archive = keras.export.ExportArchive()
    archive.track(_generator(gan, reverse))
    for signature, (fn, spec) in _signatures(gan, reverse).items():
        if names is None or signature in names:
            archive.add_endpoint(signature, fn, input_signature=spec)
    archive.write_out(path, verbose=False)


def _warmup_inputs(gan, signature, count, reverse=False):
    if isinstance(gan, Translator):
        blank = np.zeros((count,) + _image_shape(_generator(gan, reverse)), np.float32)
        if signature == "serving_default":
            return {"images": blank}
        png = tf.io.encode_png(np.full(blank.shape[1:], 127, np.uint8)).numpy()
        return {"png_bytes": np.array([png] * count, dtype=object)}
    labels = gan.class_cycle(count)
    if signature == "serving_default":
        inputs = {"z": np.asarray(gan.latents(count, 0))}
    else:
        inputs = {"seed": np.int64(0), "count": np.int64(count)}
    if labels is not None:
        inputs["labels"] = labels.astype(np.int64)
    return inputs


def _write_warmup(path, gan, model_name, reverse=False):
    """TF Serving warm-up: one PredictionLog per signature and batch size."""
    try:
        from tensorflow_serving.apis import model_pb2, predict_pb2, prediction_log_pb2
    except ImportError:
        raise ImportError(
            "Writing TF Serving warm-up records needs the serving protos: "
            "pip install --no-deps tensorflow-serving-api==2.21.0 "
            "(--no-deps: its `tensorflow` requirement would install a second TF)") from None
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with tf.io.TFRecordWriter(path) as writer:
        for signature in signature_names(gan):
            for count in WARMUP_COUNTS:
                request = predict_pb2.PredictRequest(model_spec=model_pb2.ModelSpec(
                    name=model_name, signature_name=signature))
                for key, value in _warmup_inputs(gan, signature, count, reverse).items():
                    request.inputs[key].CopyFrom(tf.make_tensor_proto(value))
                log = prediction_log_pb2.PredictionLog(
                    predict_log=prediction_log_pb2.PredictLog(request=request))
                writer.write(log.SerializeToString())


def _versions(model_dir):
    return sorted(int(n) for n in os.listdir(model_dir) if n.isdigit()) \
        if os.path.isdir(model_dir) else []


def _remove_stale_partials(model_dir):
    """Temp folders of exports whose process is gone (killed midway)."""
    for name in os.listdir(model_dir):
        match = re.match(re.escape(files.TEMP_PREFIX) + r"(\d+)-", name)
        if match and not _alive(int(match.group(1))):
            tf.io.gfile.rmtree(os.path.join(model_dir, name))


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def export_serving(model, base_dir, name=None, version=None, reverse=False):
    """Writes a TF Serving SavedModel to `base_dir/name/version/` and returns its path.

    `model`: a GAN or translator, a `.keras` file or a preset (name, folder
    or URL); `reverse`: a CycleGAN's B -> A generator.
    `name` defaults to the preset's (or the .keras file's) name; `version` to
    the next free one. An existing version is never overwritten. The model is
    written to a temp folder beside the versions and renamed into place, so a
    killed export leaves no version folder (TF Serving ignores the temp one;
    the next export removes it).
    """
    gan = as_model(model)
    _generator(gan, reverse)  # refuses reverse where there is none, before writing
    name = name or default_name(model, gan)
    if not _NAME.match(name):
        raise ValueError(f"Model name {name!r} is not a valid folder name: use letters, "
                         "digits, '_', '-' and '.' (for example dcgan_fashion_mnist).")
    model_dir = os.path.join(os.path.abspath(os.fspath(base_dir)), name)
    try:
        os.makedirs(model_dir, exist_ok=True)
        _remove_stale_partials(model_dir)
        tmp = files.make_temp_dir(model_dir, prefix=f"{files.TEMP_PREFIX}{os.getpid()}-")
    except OSError as error:
        raise OSError(f"Cannot write the export to {model_dir}: {error.strerror or error}. "
                      "Choose a writable --serving folder.") from None
    try:
        existing = _versions(model_dir)
        if version is None:
            version = (existing[-1] + 1) if existing else 1
        elif int(version) < 1:
            raise ValueError(f"--version must be a positive integer, got {version}.")
        if int(version) in existing:
            raise FileExistsError(
                f"{model_dir}/{version} exists and is never overwritten: omit --version to "
                f"write the next free one ({existing[-1] + 1}), or remove that folder.")
        _write_archive(gan, tmp, reverse=reverse)
        _write_warmup(os.path.join(tmp, "assets.extra", "tf_serving_warmup_requests"),
                      gan, name, reverse)
        target = os.path.join(model_dir, str(int(version)))
        try:
            os.rename(tmp, target)  # fails if another export took this version meanwhile
        except OSError:
            raise FileExistsError(f"{target} appeared during the export (another export "
                                  "running?); nothing was overwritten.") from None
        return target
    finally:
        if os.path.exists(tmp):
            tf.io.gfile.rmtree(tmp)


def _calibration(gan, num, images, reverse):
    """int8 calibration inputs: latents drawn as served (labels cycled over
    the classes), or a translator's `images`."""
    if isinstance(gan, Translator):
        if images is None:
            raise ValueError("int8 quantization of a translator needs calibration images "
                             "like its inputs (calibration_images=, --calibration-data).")
        pixels = image_utils.to_float(images)
        want = _image_shape(_generator(gan, reverse))
        if pixels.shape[1:] != want:
            raise ValueError(f"Calibration images have shape {pixels.shape[1:]}, the "
                             f"generator takes {want}.")
        return [{"images": pixels[i:i + 1].astype(np.float32)}
                for i in range(min(num, len(pixels)))]
    samples = []
    for i in range(num):
        sample = {"z": np.asarray(gan.latents(1, 1000 + i))}
        if gan.conditional:
            sample["labels"] = gan.class_cycle(1, start=i).astype(np.int64)
        samples.append(sample)
    return samples


def _converter(gan, saved_model_dir, quantize, num_calibration, calibration_images,
               reverse):
    _write_archive(gan, saved_model_dir, ["serving_default"], reverse)
    converter = tf.lite.TFLiteConverter.from_saved_model(saved_model_dir)
    if quantize in ("float16", "dynamic", "int8"):
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if quantize == "float16":
        converter.target_spec.supported_types = [tf.float16]
    elif quantize == "int8":
        samples = _calibration(gan, num_calibration, calibration_images, reverse)
        converter.representative_dataset = lambda: iter(samples)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    return converter


def export_tflite(model, path, quantize="none", num_calibration=200,
                  calibration_images=None, reverse=False):
    """Writes the generator as a `.tflite` file for LiteRT and returns `path`.

    Inputs `z` float32 [N, latent_dim] (and `labels` int64 [N]), or a
    translator's `images` float32 [N, H, W, C] in [-1, 1]; output float32
    `images` in [-1, 1], whatever `quantize` is: "none" (float32), "float16"
    (float16 weights), "dynamic" (int8 weights, float activations) or "int8"
    (int8 weights and activations calibrated on `num_calibration` latents,
    or translator inputs from `calibration_images`; float input and output).
    """
    if quantize not in QUANTIZATIONS:
        raise ValueError(f"Unknown quantize={quantize!r}: use one of "
                         f"{', '.join(QUANTIZATIONS)}.")
    gan = as_model(model)
    with tempfile.TemporaryDirectory() as saved_model_dir, warnings.catch_warnings():
        # int8 calibration runs TF's own (deprecated) interpreter: not ours to fix
        warnings.filterwarnings("ignore", message=".*tf.lite.Interpreter is deprecated")
        flatbuffer = _converter(gan, saved_model_dir, quantize, num_calibration,
                                calibration_images, reverse).convert()
    try:
        files.write_bytes(path, flatbuffer)
    except OSError as error:
        raise OSError(f"Cannot write {path}: {error.strerror or error}. Choose a writable "
                      "--tflite path.") from None
    return path


def run_tflite(path, z=None, labels=None, images=None):
    """Images from a `.tflite` generator run in the LiteRT interpreter: from
    latents `z` (and `labels`), or a translator's input `images` in [-1, 1]."""
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=os.fspath(path))
    runner = interpreter.get_signature_runner()
    if images is not None:
        return runner(images=np.asarray(images, np.float32))["images"]
    inputs = {"z": np.asarray(z, np.float32)}
    if labels is not None:
        inputs["labels"] = np.asarray(labels, np.int64)
    return runner(**inputs)["images"]

