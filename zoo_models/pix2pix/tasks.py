"""The pix2pix preset task, made from Fashion-MNIST: edge maps -> garments."""
import numpy as np
import tensorflow as tf

from tfgan_zoo import data

KEYS = ["x_train", "x_test"]


def edges2fashion(source="fashion_mnist", out=None):
    """Path of `edges2fashion.npz` (default in `$TFGAN_ZOO_DATA`), built once.

    `b_train` / `b_test` are the images of `source` (an .npz with `x_train`
    and `x_test`, such as Fashion-MNIST), `a_train` / `a_test` their Sobel edge
    magnitudes as uint8: magnitude * 255 / (largest magnitude of the train
    split), rounded. Both splits share that one scale (kept as `edge_scale`),
    so an edge has the same value in either; test values above it clip to 255.
    Load it with `tfgan_zoo.data.load_paired(path, ...)`.
    """
    return data.derived_npz("edges2fashion", source, KEYS, _build, out)


def _build(x_train, x_test):
    images = {"train": data.check_images(x_train), "test": data.check_images(x_test)}
    edges = {split: _edge_magnitude(x) for split, x in images.items()}
    peak = float(edges["train"].max())
    scale = 255.0 / peak if peak > 0 else 0.0  # blank images: no edges at all
    arrays = {"edge_scale": np.float32(scale)}
    for split, x in images.items():
        arrays[f"a_{split}"] = np.clip(np.round(edges[split] * scale), 0, 255).astype(np.uint8)
        arrays[f"b_{split}"] = x
    return arrays


def _edge_magnitude(x, chunk=8192):
    """Sobel gradient magnitude per channel, [N, H, W, C] float32; in chunks to bound memory."""
    parts = [tf.norm(tf.image.sobel_edges(tf.cast(x[i:i + chunk], tf.float32)), axis=-1).numpy()
             for i in range(0, len(x), chunk)]
    return np.concatenate(parts) if parts else np.zeros(x.shape, np.float32)
