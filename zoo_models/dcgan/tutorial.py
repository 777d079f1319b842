"""The TF DCGAN tutorial's generator (tensorflow.org/tutorials/generative/dcgan),
layer for layer, so that the zoo can be benchmarked like for like against it."""
import keras

from zoo_models.common.network import Network, layers_in


@keras.saving.register_keras_serializable(package="zoo_models.dcgan")
class TutorialGenerator(Network):
    """z -> image in [-1, 1], as the tutorial builds it for 28x28x1.

    Dense to (side/4)^2 x 256 without bias, BatchNorm, LeakyReLU; transposed
    convolutions (5x5, no bias) to 128 channels at stride 1 and 64 at stride
    2, each with BatchNorm and LeakyReLU; a stride-2 transposed convolution
    to the image channels with tanh. LeakyReLU slope 0.3 (Keras's default,
    which the tutorial uses); plain BatchNorm, as in the tutorial.
    `dtype_policy` as for `Generator`.
    """

    def __init__(self, image_shape=(28, 28, 1), latent_dim=100, dtype_policy=None, **kwargs):
        image_shape = tuple(int(s) for s in image_shape)
        if image_shape[0] != image_shape[1] or image_shape[0] % 4:
            raise ValueError(f"The tutorial generator makes square images with a side "
                             f"divisible by 4 (28 in the tutorial), not {image_shape}.")
        base = image_shape[0] // 4
        with layers_in(dtype_policy):
            z = keras.Input((latent_dim,), name="z")
            x = keras.layers.Dense(base * base * 256, use_bias=False, name="project")(z)
            x = keras.layers.BatchNormalization(name="project_bn")(x)
            x = keras.layers.LeakyReLU(0.3, name="project_act")(x)
            x = keras.layers.Reshape((base, base, 256), name="to_grid")(x)
            for stage, (channels, stride) in enumerate([(128, 1), (64, 2)]):
                x = keras.layers.Conv2DTranspose(channels, 5, strides=stride, padding="same",
                                                 use_bias=False, name=f"up{stage}")(x)
                x = keras.layers.BatchNormalization(name=f"up{stage}_bn")(x)
                x = keras.layers.LeakyReLU(0.3, name=f"up{stage}_act")(x)
            images = keras.layers.Conv2DTranspose(image_shape[-1], 5, strides=2, padding="same",
                                                  use_bias=False, activation="tanh",
                                                  dtype="float32", name="to_image")(x)
        super().__init__(inputs=z, outputs=images, **kwargs)
        self.keep_config(image_shape=image_shape, latent_dim=latent_dim,
                         dtype_policy=dtype_policy)
        self.num_classes = None
