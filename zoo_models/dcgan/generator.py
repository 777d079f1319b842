"""DCGAN generator (Radford et al. 2016, arXiv:1511.06434)."""
import keras

from zoo_models.dcgan.shapes import num_upsamplings
from zoo_models.common import network
from zoo_models.common.network import generator_graph, layers_in


@keras.saving.register_keras_serializable(package="zoo_models.dcgan")
class Generator(network.Generator):
    """z (and a class label) -> image in [-1, 1].

    Dense to a base grid (7x7 for 28x28, 4x4 for 32x32), then stride-2
    transposed convolutions with BatchNorm and LeakyReLU that halve the
    channels as they double the side, and a tanh output. With `num_classes`
    the label is embedded and concatenated to `z` (conditional DCGAN,
    Mirza & Osindero 2014); the model then takes `[z, labels]`, with labels
    as class ids [N], or as class weights [N, num_classes] (one-hot for a
    class, a blend of two to walk between them: `GAN.interpolate`).

    Args:
      image_shape: (height, width, channels) of the images made.
      latent_dim: size of z.
      width: channels of the last hidden stage; earlier stages double it.
      num_classes: None for an unconditional generator.
      embedding_dim: size of the label embedding (conditional only).
      kernel_size: of every transposed convolution.
      dtype_policy: e.g. "mixed_bfloat16" (None: the global policy); the
        output layer stays float32.

    BatchNorm is `synchronized`: under a tf.distribute strategy it normalizes
    with the statistics of the global batch, so a step on N replicas equals
    the step on one device (per-replica statistics differ by ~1e-2 in the
    weights after one epoch); on one device it is plain BatchNorm.
    """

    def __init__(self, image_shape=(28, 28, 1), latent_dim=100, width=64,
                 num_classes=None, embedding_dim=50, kernel_size=5, dtype_policy=None,
                 **kwargs):
        image_shape = tuple(int(s) for s in image_shape)
        stages = num_upsamplings(image_shape)
        base = image_shape[0] // 2 ** stages
        channels = width * 2 ** (stages - 1)

        with layers_in(dtype_policy):
            trunk = [keras.layers.Dense(base * base * channels, use_bias=False, name="project"),
                     keras.layers.BatchNormalization(synchronized=True, name="project_bn"),
                     keras.layers.LeakyReLU(0.2, name="project_act"),
                     keras.layers.Reshape((base, base, channels), name="to_grid")]
            for stage in range(stages - 1):
                channels //= 2
                trunk += [keras.layers.Conv2DTranspose(channels, kernel_size, strides=2,
                                                       padding="same", use_bias=False,
                                                       name=f"up{stage}"),
                          keras.layers.BatchNormalization(synchronized=True,
                                                          name=f"up{stage}_bn"),
                          keras.layers.LeakyReLU(0.2, name=f"up{stage}_act")]
            trunk.append(keras.layers.Conv2DTranspose(
                image_shape[-1], kernel_size, strides=2, padding="same",
                activation="tanh", dtype="float32", name="to_image"))

            def run(x):
                for layer in trunk:
                    x = layer(x)
                return x

            inputs, images, walk = generator_graph(run, latent_dim, num_classes,
                                                   embedding_dim)
        super().__init__(inputs=inputs, outputs=images, **kwargs)
        self.keep_config(image_shape=image_shape, latent_dim=latent_dim, width=width,
                         num_classes=num_classes, embedding_dim=embedding_dim,
                         kernel_size=kernel_size, dtype_policy=dtype_policy)
        self.keep_walk(walk)
