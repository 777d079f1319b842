"""Image grids and sample files."""
import io
import math
import os

import numpy as np
import tensorflow as tf

from tfgan_zoo import files


def to_float(images):
    """uint8 [0, 255] -> float32 [-1, 1]; float images pass through as float32."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return images.astype(np.float32) / 127.5 - 1.0
    return images.astype(np.float32)


def to_uint8(images):
    """[-1, 1] floats -> uint8 [0, 255]."""
    return np.clip(np.rint((np.asarray(images) + 1.0) * 127.5), 0, 255).astype(np.uint8)


def resize(images, size):
    """[N, H, W, C] images or one [H, W, C] image (uint8, or floats in [-1, 1];
    arrays or tensors)
    at `size` (height, width), same dtype: the largest central crop of that
    aspect ratio, resized bilinearly with antialiasing (as
    `keras.utils.image_dataset_from_directory(..., crop_to_aspect_ratio=True)`,
    antialiased so that photos shrink without aliasing). Returns a tensor."""
    import keras

    resized = keras.ops.image.resize(tf.cast(images, tf.float32), tuple(size),
                                     antialias=True, crop_to_aspect_ratio=True,
                                     data_format="channels_last")
    if tf.as_dtype(images.dtype) == tf.uint8:
        return tf.cast(tf.clip_by_value(tf.round(resized), 0, 255), tf.uint8)
    return tf.clip_by_value(resized, -1.0, 1.0)


def grid(images, columns=None):
    """[N, H, W, C] -> one [rows*H, columns*W, C] image, 1-pixel gaps."""
    images = np.asarray(images)
    n, h, w, c = images.shape
    columns = columns or math.ceil(math.sqrt(n))
    rows = math.ceil(n / columns)
    canvas = np.zeros((rows * (h + 1) - 1, columns * (w + 1) - 1, c), images.dtype)
    for i, image in enumerate(images):
        r, col = divmod(i, columns)
        canvas[r * (h + 1):r * (h + 1) + h, col * (w + 1):col * (w + 1) + w] = image
    return canvas


def save_samples(images, path, columns=None, frame_ms=100):
    """Writes images in [-1, 1]: `.png` as a grid, `.npy` as uint8 [N, H, W, C],
    `.gif` as a looping animation of one image per frame (`frame_ms` each),
    scaled up by a whole factor to about 256 pixels wide."""
    ext = os.path.splitext(path)[1].lower()
    pixels = to_uint8(images)
    if ext == ".png":
        data = tf.io.encode_png(grid(pixels, columns)).numpy()
    elif ext == ".npy":
        buffer = io.BytesIO()
        np.save(buffer, pixels)
        data = buffer.getvalue()
    elif ext == ".gif":
        data = _gif(pixels, frame_ms)
    else:
        raise ValueError(f"Cannot write samples to {path!r}: use a .png (grid), .gif "
                         "(animation) or .npy (uint8 array) file name.")
    files.write_bytes(path, data)


GIF_SIDE = 256  # a walk of 28-pixel images is shown at least this wide


def _gif(pixels, frame_ms):
    """One frame per image, scaled up by a whole factor (each pixel a square
    block) until it is about GIF_SIDE wide: a 28-pixel animation is a stamp."""
    from PIL import Image

    factor = max(1, GIF_SIDE // pixels.shape[2])
    pixels = pixels.repeat(factor, axis=1).repeat(factor, axis=2)
    frames = [Image.fromarray(p[..., 0] if p.shape[-1] == 1 else p) for p in pixels]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:],
                   duration=frame_ms, loop=0)
    return buffer.getvalue()


def translation_rows(model, first, second):
    """Rows of images in [-1, 1] that show a translator at work on batches
    `first` and `second` of its data: input, translation, target (paired),
    or A, A -> B, B, B -> A (reversible)."""
    first, second = to_float(first), to_float(second)
    rows = [first, model.translate(first)]
    if model.reversible:
        return rows + [second, model.translate(second, reverse=True)]
    return rows + [second]


def input_shape(network):
    """(height, width, channels) of a network's image input: its first
    functional input's, else (a subclassed network that is built on its first
    call has no `inputs`) its `input_image_shape` attribute."""
    inputs = getattr(network, "inputs", None)
    if inputs:
        return tuple(int(d) for d in inputs[0].shape[1:])
    shape = getattr(network, "input_image_shape", None)
    if shape is None:
        raise ValueError(f"{type(network).__name__} has no functional inputs: give it an "
                         "`input_image_shape` attribute, (height, width, channels) of the "
                         "images it takes.")
    return tuple(int(d) for d in shape)
