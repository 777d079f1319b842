"""Projected GAN's discriminator (Sauer et al., NeurIPS 2021, "Projected
GANs Converge Faster"; its FastGAN-lite generator is
`zoo_models.common.fastgan_lite`): a discriminator on the frozen multi-scale features of an ImageNet
EfficientNet-lite0, mixed by fixed random 1x1 convolutions across channels
(CCM) and upsample-and-add across scales (CSM), with a small trained head
per scale. Ported from the paper's `pg_modules` (projector.py,
discriminator.py, networks_fastgan.py) to Keras, at the sizes a CPU affords.
"""
import keras

from zoo_models.common import projection
from zoo_models.common.network import Network, layers_in
from zoo_models.projected import features as feature_network


@keras.saving.register_keras_serializable(package="zoo_models.projected")
class Discriminator(Network):
    """image (and a class label) -> logits [N, K] from four scales.

    Grey images are repeated to RGB and resized (bilinear) to
    `feature_size`; the frozen EfficientNet-lite0 (`features.py`) gives
    four maps (strides 4 to 32); fixed random 1x1 convolutions mix each one's
    channels to 64, 128, 256, 512 (CCM), and, from the coarsest, each map is
    added to the next finer one, upsampled 2x and mixed by a fixed random 1x1
    convolution (CSM; outputs of 64, 64, 128, 256 channels at twice each
    map's side). A head per scale (4x4 stride-2 convolutions with batch norm
    and LeakyReLU(0.2) down to 8x8, spectrally normalized, then a 4x4
    convolution) gives a map of logits; they are flattened and concatenated.
    With `num_classes`, each head gives `cmap_dim` channels whose dot product
    with the label's embedding is the logit (projection, as the paper's
    conditional heads; `zoo_models.common.projection`), and
    `matching_weight` adds the mean over the heads of their matching-aware
    loss on the real images. The fixed parts are drawn from `seed` and frozen.
    """

    def __init__(self, image_shape=(64, 64, 3), feature_size=None, head_width=16,
                 num_classes=None, cmap_dim=64, matching_weight=0.0, seed=0, dtype_policy=None,
                 **kwargs):
        image_shape = tuple(int(s) for s in image_shape)
        feature_size = int(feature_size or image_shape[0])
        if feature_size < 32 or feature_size % 32:
            raise ValueError(f"feature_size must be a multiple of 32 (the feature network's "
                             f"stride), at least 32; got {feature_size}.")
        mix = [64, 128, 256, 512]
        out = [64, 64, 128, 256]
        with layers_in(dtype_policy):
            images = keras.Input(image_shape, name="images")
            x = images
            if image_shape[-1] == 1:
                x = keras.layers.Concatenate(name="grey_to_rgb")([x, x, x])
            if (feature_size, feature_size) != image_shape[:2]:
                x = keras.layers.Resizing(feature_size, feature_size, "bilinear",
                                          name="to_feature_size")(x)
            net = feature_network.build()
            net.trainable = False
            taps = net(x)
            fixed = dict(kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
                         trainable=False)
            mixed = [keras.layers.Conv2D(mix[i], 1, name=f"ccm{i}", **fixed)(t)
                     for i, t in enumerate(taps)]
            scales, x = [], None
            for i in reversed(range(4)):
                x = mixed[i] if x is None else keras.layers.Add(name=f"csm{i}_add")([x, mixed[i]])
                x = keras.layers.UpSampling2D(2, interpolation="bilinear", name=f"csm{i}_up")(x)
                x = keras.layers.Conv2D(out[i], 1, name=f"csm{i}", **fixed)(x)
                scales.insert(0, x)
            labels = keras.Input((), dtype="int32", name="labels") if num_classes else None
            logits = [self._head(s, i, head_width, num_classes, cmap_dim, labels,
                                 matching_weight / len(scales))
                      for i, s in enumerate(scales)]
            logits = keras.layers.Concatenate(name="logits", dtype="float32")(logits)
        super().__init__(inputs=images if labels is None else [images, labels],
                         outputs=logits, **kwargs)
        self.keep_config(image_shape=image_shape, feature_size=feature_size,
                         head_width=head_width, num_classes=num_classes, cmap_dim=cmap_dim,
                         matching_weight=matching_weight, seed=seed, dtype_policy=dtype_policy)

    @staticmethod
    def _head(x, index, width, num_classes, cmap_dim, labels, matching_weight):
        side = x.shape[1]
        name = f"head{index}"
        step = 0
        while side > 8:
            channels = min(8 * width, width * 64 // (side // 2))
            x = keras.layers.SpectralNormalization(keras.layers.Conv2D(
                channels, 4, 2, "same", use_bias=False), name=f"{name}_down{step}")(x)
            x = keras.layers.BatchNormalization(synchronized=True, name=f"{name}_bn{step}")(x)
            x = keras.layers.LeakyReLU(0.2)(x)
            side, step = side // 2, step + 1
        x = keras.layers.SpectralNormalization(keras.layers.Conv2D(
            1 if num_classes is None else cmap_dim, min(4, side), use_bias=False),
            name=f"{name}_out")(x)
        if num_classes is not None:
            x = projection.project(x, labels, num_classes, cmap_dim, prefix=f"{name}_",
                                   matching_weight=matching_weight)
        return keras.layers.Flatten(name=f"{name}_flat")(x)
