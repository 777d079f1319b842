"""DCGAN discriminator, optionally spectrally normalized and class-projected."""
import keras

from zoo_models.dcgan.shapes import num_upsamplings
from zoo_models.common.network import Network, layers_in


@keras.saving.register_keras_serializable(package="zoo_models.dcgan")
class Discriminator(Network):
    """image (and a class label) -> one logit per image.

    Stride-2 convolutions with LeakyReLU(0.2), as many as the generator has
    upsamplings, doubling the channels from `width`; then a linear logit.
    No BatchNorm, so the same network serves the WGAN-GP critic (a per-batch
    normalization breaks the per-example gradient penalty).
    With `num_classes` it is a projection discriminator (Miyato & Koyama 2018,
    arXiv:1802.05637): logit = w.h + embed(y).h; the model takes
    `[images, labels]`.

    Args:
      image_shape: (height, width, channels) of the images judged.
      width: channels of the first convolution.
      num_classes: None for an unconditional discriminator.
      spectral_norm: wrap every convolution and the logit layer in
        `keras.layers.SpectralNormalization` (Miyato et al. 2018).
      dropout: rate after each convolution block (the TF tutorial uses 0.3).
      kernel_size: of every convolution.
      negative_slope: of the LeakyReLUs (the TF tutorial's Keras default is 0.3).
      dtype_policy: e.g. "mixed_bfloat16" (None: the global policy); the
        logit stays float32.
    """

    def __init__(self, image_shape=(28, 28, 1), width=64, num_classes=None,
                 spectral_norm=False, dropout=0.0, kernel_size=5, negative_slope=0.2,
                 dtype_policy=None, **kwargs):
        image_shape = tuple(int(s) for s in image_shape)
        stages = num_upsamplings(image_shape)

        def normalized(layer):
            return keras.layers.SpectralNormalization(layer) if spectral_norm else layer

        with layers_in(dtype_policy):
            images = keras.Input(image_shape, name="images")
            inputs, x = images, images
            channels = width
            for stage in range(stages):
                x = normalized(keras.layers.Conv2D(channels, kernel_size, strides=2,
                                                   padding="same", name=f"down{stage}"))(x)
                x = keras.layers.LeakyReLU(negative_slope, name=f"down{stage}_act")(x)
                if dropout:
                    x = keras.layers.Dropout(dropout, name=f"down{stage}_dropout")(x)
                channels *= 2
            features = keras.layers.Flatten(name="features")(x)
            logits = normalized(keras.layers.Dense(1, name="logit"))(features)
            if num_classes is not None:
                labels = keras.Input((), dtype="int32", name="labels")
                embedded = keras.layers.Embedding(num_classes, features.shape[-1],
                                                  name="class_projection")(labels)
                projection = keras.layers.Dot(axes=-1, name="projection")([embedded, features])
                logits = keras.layers.Add(name="projected_logit")([logits, projection])
                inputs = [images, labels]
            logits = keras.layers.Activation("linear", dtype="float32", name="output")(logits)
        super().__init__(inputs=inputs, outputs=logits, **kwargs)
        self.keep_config(image_shape=image_shape, width=width, num_classes=num_classes,
                         spectral_norm=spectral_norm, dropout=dropout, kernel_size=kernel_size,
                         negative_slope=negative_slope, dtype_policy=dtype_policy)
