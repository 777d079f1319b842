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
import os
import shutil

from tfgan_zoo import files, presets
from tfgan_zoo.export.litert import (
    INT8_MEAN_ERROR,
    QUANTIZATIONS,
    calibration,
    check_int8,
    litert_bytes,
    litert_metadata,
    load_calibration,
    run_tflite,
)
from tfgan_zoo.export.serving import (
    NAME,
    WARMUP_COUNTS,
    check_writable,
    existing_parent,
    remove_new_folders,
    serving_apis,
    serving_target,
    warmup_protos,
    write_error,
    write_version,
)
from tfgan_zoo.export.signatures import (
    MAX_COUNT,
    SIGNATURES,
    TRANSLATOR_SIGNATURES,
    generator_of,
    image_shape,
    signature_names,
)
from tfgan_zoo.gan import GAN
from tfgan_zoo.translator import Translator

__all__ = ["INT8_MEAN_ERROR", "MAX_COUNT", "QUANTIZATIONS", "SIGNATURES", "TRANSLATOR_SIGNATURES",
           "WARMUP_COUNTS", "as_model", "default_name", "export_model", "export_serving",
           "export_tflite", "image_shape", "litert_metadata", "load_calibration", "run_tflite",
           "serving_apis", "signature_names"]


def as_model(model):
    """A GAN or translator: `model` itself, or loaded by `presets.load` from
    a `.keras` file or a preset (name, folder or URL)."""
    return presets.load_as(model, (GAN, Translator), "export takes a GAN or a translator, "
                                                     "a .keras file written by train or a "
                                                     "preset of one")


def default_name(source, gan):
    """The served model's name: the preset's (or .keras file's), else the GAN's."""
    if not isinstance(source, (str, os.PathLike)):
        return gan.name
    stem = os.path.basename(os.fspath(source).rstrip("/"))
    stem = stem[:-len(".keras")] if stem.endswith(".keras") else stem
    return stem if NAME.match(stem) else gan.name


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
    generator_of(gan, reverse)  # refuses reverse where there is none
    made = []  # (folder, its nearest existing parent) before writing: what to remove on failure
    if serving:
        name = name or default_name(model, gan)
        model_dir, version = serving_target(serving, name, version)
        if warmup:
            warmup_protos()
        made.append((model_dir, existing_parent(model_dir)))
    if tflite:
        tflite_path = os.path.abspath(os.fspath(tflite))
        if os.path.isdir(tflite_path):
            raise OSError(f"Cannot write {tflite}: it is a folder. Choose a writable "
                          "--tflite path.")
        check_writable(os.path.dirname(tflite_path), f"Cannot write {tflite}", "--tflite path")
        samples = (calibration(gan, num_calibration, calibration_images, reverse,
                                class_weights) if quantize == "int8" else None)
        flatbuffer = litert_bytes(gan, quantize, samples, reverse, class_weights, batch_size)
        if quantize == "int8":
            check_int8(gan, flatbuffer, samples, reverse)
        folder = os.path.dirname(tflite_path)
        made.append((folder, existing_parent(folder)))
    target = None
    try:
        if serving:
            target = write_version(gan, model_dir, version, name, reverse, warmup)
        if tflite:
            try:
                files.write_bytes(tflite_path, flatbuffer)
            except OSError as error:
                raise write_error(error, f"Cannot write {tflite}", "--tflite path") from None
    except BaseException:
        if target:
            shutil.rmtree(target, ignore_errors=True)
        for folder, parent in made:
            remove_new_folders(folder, parent)
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
