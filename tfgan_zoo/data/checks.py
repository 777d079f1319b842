"""What the data loaders accept: images, labels, class counts and names,
sizes and pixel ranges, each refused in one line that says the fix; and the
help texts that describe the sources."""
import argparse
import numbers

import numpy as np


RESIZE_HINT = "image_size=(H, W) (--image-size HxW)"


SOURCES_HELP = ("a .npz file with x_train (uint8 [N, H, W(, C)]), a folder of PNG/JPEG "
                "files, 'tfds:NAME' (e.g. tfds:fashion_mnist), or arrays x / (x, y)")


PAIRS_HELP = ("a .npz file with a_train and b_train (uint8 [N, H, W(, C)]), a folder "
              "with trainA/ and trainB/ folders of PNG/JPEG files, 'tfds:NAME' "
              "(e.g. tfds:cycle_gan/horse2zebra), or arrays (a, b)")


IMAGE_FILES = (".png", ".jpg", ".jpeg")


PIXEL_RANGES = {"0,255": (0.0, 255.0), "0,1": (0.0, 1.0), "-1,1": (-1.0, 1.0)}


def check_images(x, pixel_range=None):
    """Validates an image array; returns it as [N, H, W, C], uint8 or float32
    in [-1, 1].

    uint8 images are [0, 255]. Float images must be in [-1, 1]; floats that
    all lie in [0, 1] are refused as ambiguous (they are far more often
    `x / 255` than [-1, 1] images without a dark pixel) unless
    `pixel_range` says what they are: "0,1", "-1,1" or "0,255" (floats in
    that range, rescaled to [-1, 1]).
    """
    x = np.asarray(x)
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4 or x.shape[-1] not in (1, 3, 4):
        raise ValueError(f"Images must be [N, H, W] or [N, H, W, C] with C in "
                         f"1, 3, 4; got shape {x.shape}.")
    if pixel_range is not None and pixel_range not in PIXEL_RANGES:
        raise ValueError(f"Unknown pixel range {pixel_range!r}: use one of "
                         f"{', '.join(PIXEL_RANGES)}.")
    if x.dtype == np.uint8:  # always 0..255: the stated range is that of float images
        return x
    if not np.issubdtype(x.dtype, np.floating):
        raise ValueError(f"Images must be uint8 in [0, 255] or floats in [-1, 1]; got "
                         f"dtype {x.dtype}. Convert with x.astype('uint8') if the "
                         "values are 0..255.")
    if np.isnan(x).any() or np.isinf(x).any():
        raise ValueError(f"Images contain {np.isnan(x).sum()} NaN and "
                         f"{np.isinf(x).sum()} infinite values: clean the data first.")
    lo, hi = float(x.min()), float(x.max())
    if pixel_range is not None:
        low, high = PIXEL_RANGES[pixel_range]
        if lo < low or hi > high:
            raise ValueError(f"The images lie in [{lo:g}, {hi:g}], outside the stated pixel "
                             f"range [{pixel_range}].")
        return ((x.astype(np.float32) - low) * (2.0 / (high - low)) - 1.0).astype(np.float32)
    if lo < -1.0 or hi > 1.0:
        hint = (" They look like 0..255: pass them as uint8." if hi > 1.0 and lo >= 0.0
                else " Rescale them with x / 127.5 - 1.")
        raise ValueError(f"Float images must lie in [-1, 1]; these lie in "
                         f"[{lo:g}, {hi:g}].{hint}")
    if lo >= 0.0:
        raise ValueError(f"Float images lie in [{lo:g}, {hi:g}]: [0, 1] pixels (x / 255) "
                         "would be taken as [-1, 1] ones and look washed out. Say which: "
                         "pixel_range='0,1' (--pixel-range 0,1) to rescale them, or "
                         "pixel_range='-1,1' if they are [-1, 1] images.")
    return x.astype(np.float32)


def check_labels(y, num_images, num_classes=None):
    """Labels as int32 [N]; with `num_classes`, each in [0, num_classes)."""
    y = np.asarray(y).reshape(-1)
    if y.shape[0] != num_images:
        raise ValueError(f"{y.shape[0]} labels for {num_images} images.")
    if not np.issubdtype(y.dtype, np.integer) or (y.size and y.min() < 0):
        raise ValueError(f"Labels must be non-negative integers (class indices); got "
                         f"dtype {y.dtype}, min {y.min() if y.size else None}.")
    if num_classes is not None and y.size and y.max() >= num_classes:
        outside = y[y >= num_classes]
        raise ValueError(f"{len(outside)} labels lie outside the {num_classes} classes "
                         f"[0, {num_classes}) (e.g. {int(outside[0])}): fix them, or give "
                         "the right number of classes (--num-classes).")
    return y.astype(np.int32)


def count_classes(y, declared=None):
    """The number of classes of labels `y`: `declared` (an explicit
    `num_classes`, or the data's own metadata) when given, checked against
    the labels; else inferred, but only when the labels are the classes
    0..K-1 with no class far rarer than the others, so that one stray label
    cannot make a model with a class per value up to it."""
    if declared is not None:
        check_labels(y, len(y), int(declared))
        return int(declared)
    counts = np.bincount(y) if len(y) else np.zeros(0, int)
    present = np.flatnonzero(counts)
    rare = present[counts[present] < 0.01 * counts[present].mean()] if len(present) else []
    if len(present) != len(counts) or len(rare):
        odd = (f"{len(counts) - len(present)} of the values 0..{len(counts) - 1} never occur"
               if len(present) != len(counts)
               else f"class {int(rare[0])} has {int(counts[rare[0]])} images, far fewer "
                    "than the others")
        raise ValueError(f"Cannot tell the number of classes from the labels ({odd}). "
                         "Give it (--num-classes N, num_classes=N, or a num_classes "
                         "entry in the .npz), or fix the stray labels.")
    return len(counts)


def name_classes(names, num_classes):
    """The data's class names as a tuple of str when there is one per class
    (`num_classes` of them), else None: labels without names stay numbers."""
    if names is None or num_classes is None or len(names) != num_classes:
        return None
    return tuple(str(n) for n in names)


MAX_SIDE = 4096  # of --image-size: every image is resized to it in memory


IMAGE_SIZE_HELP = ("resize the images to H x W pixels (64 for 64x64): the largest central "
                   "crop of that shape, antialiased (default: as they are, one size)")


def pixel_range_help(what="float images"):
    """The help of a --pixel-range option for `what`."""
    return (f"the range of {what} as floats: 0,1 or -1,1 or 0,255 (uint8 is 0..255 without "
            "it); floats that all lie in [0, 1] are refused without it")


def parse_image_size(text):
    """--image-size's type: "64x48" -> (64, 48), "64" -> (64, 64)."""
    height, _, width = text.lower().partition("x")
    try:
        size = (int(height), int(width or height))
    except ValueError:
        size = (0, 0)
    if min(size) < 1:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a size: give HxW in pixels, e.g. 64x48, or 64 for 64x64")
    return size


def check_image_size(size):
    """`size` (an int for a square, or (height, width)) as a (height, width)
    tuple; None stays None."""
    if size is None:
        return None
    pair = (size, size) if isinstance(size, numbers.Integral) else (
        tuple(size) if isinstance(size, (tuple, list)) else ())
    if len(pair) != 2 or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool)
                                 and v >= 1 for v in pair):
        raise ValueError(f"image_size must be an integer >= 1 or (height, width) integers "
                         f">= 1; got {size!r}.")
    if max(pair) > MAX_SIDE:
        raise ValueError(f"image_size {pair[0]}x{pair[1]} is over {MAX_SIDE} pixels a side, "
                         "the most the zoo resizes data to: choose a smaller --image-size.")
    return tuple(int(v) for v in pair)


def unpaired_message(where, detail):
    return (f"{where} is unpaired ({detail}): a paired translator needs paired data; use "
            "an unpaired translator (load_unpaired) for unpaired data.")
