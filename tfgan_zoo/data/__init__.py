"""Training data -> `tf.data` batches of images in [-1, 1] (and labels).

Sources: an `.npz` file with `x_train` (and `y_train`), a folder of image
files (`read_image_folder`), `"tfds:NAME"` for a TensorFlow Datasets name,
or in-memory arrays `x` / `(x, y)`. Images are
uint8 in [0, 255], or floats already in [-1, 1]; [N, H, W] gets a channel axis.

Image-to-image data (`load_paired` for Pix2Pix, `load_unpaired` for CycleGAN)
has two domains, A (inputs) and B (targets): an `.npz` with `a_train` and
`b_train`, a folder with `trainA/` and `trainB/` image folders (the CycleGAN
layout), `"tfds:NAME"`, or arrays `(a, b)`.

The package, in the order data flows:
- `checks`: what the loaders accept (images, labels, classes, sizes, pixel
  ranges) and the one-line errors for the rest;
- `sources`: local .npz files, image folders and arrays (and a TFDS name
  read whole), fingerprints, derived .npz data sets;
- `tfds_source`: TensorFlow Datasets builders, prepared once, offline-aware;
- `pipeline`: the loaders (`load_images`, `load_paired`, `load_unpaired`,
  `LOADERS`), batched, shuffled by epoch and described by `describe`.
"""
from tfgan_zoo.data.checks import (IMAGE_SIZE_HELP, PAIRS_HELP, PIXEL_RANGES, SOURCES_HELP,
                                   check_image_size, check_images, check_labels,
                                   count_classes, name_classes, parse_image_size,
                                   pixel_range_help)
from tfgan_zoo.data.pipeline import LOADERS, describe, load_images, load_paired, load_unpaired
from tfgan_zoo.data.sources import (derived_npz, fingerprint, load_arrays, load_domains,
                                    local_file, read_image_folder)
from tfgan_zoo.data.tfds_source import require_network, stand_in_class_names

__all__ = ["IMAGE_SIZE_HELP", "LOADERS", "PAIRS_HELP", "PIXEL_RANGES", "SOURCES_HELP",
           "check_image_size", "check_images", "check_labels", "count_classes",
           "derived_npz", "describe", "fingerprint", "load_arrays", "load_domains",
           "load_images", "load_paired", "load_unpaired", "local_file", "name_classes",
           "parse_image_size", "pixel_range_help", "read_image_folder", "require_network",
           "stand_in_class_names"]
