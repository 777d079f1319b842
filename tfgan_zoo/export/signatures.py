"""The SavedModel's signatures (the tables in `tfgan_zoo.export`) and the
request checks they run in the graph."""
import tensorflow as tf

from tfgan_zoo import images as image_utils
from tfgan_zoo.translator import Translator

SIGNATURES = ("serving_default", "generate", "generate_png", "interpolate")
TRANSLATOR_SIGNATURES = ("serving_default", "translate_png")
MAX_COUNT = 1024  # images per request, in every signature and in run_tflite


def signature_names(model):
    """The SavedModel's signatures: the image ones, then `class_names` (no
    inputs; the names of a conditional GAN's classes) when it has names."""
    if isinstance(model, Translator):
        return TRANSLATOR_SIGNATURES
    return SIGNATURES + (("class_names",) if getattr(model, "class_names", None) else ())


def generator_of(model, reverse=False):
    if isinstance(model, Translator):
        if reverse and not model.reversible:
            raise ValueError("reverse=True exports a reversible translator's B -> A "
                             f"generator; a {type(model).__name__} has one direction.")
        return model.generator_ba if reverse else model.generator
    if reverse:
        raise ValueError("reverse=True applies to reversible translators, not to a GAN.")
    return model.ema_generator or model.generator


def images_fn(gan):
    """(z, labels) -> float images, with int64 labels as served."""
    generator = generator_of(gan)

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
    generator = generator_of(model, reverse)
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


def signatures_of(gan, reverse=False):
    """name -> (python function, input signature) of the served endpoints."""
    if isinstance(gan, Translator):
        return _translator_signatures(gan, reverse)
    generator_of(gan, reverse)  # refuses reverse for a GAN
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
    images_from = images_fn(gan)

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
