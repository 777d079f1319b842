"""DCGAN generator (Radford et al. 2016, arXiv:1511.06434)."""
import keras

from zoo_models.dcgan.shapes import num_upsamplings
from zoo_models.common.embedding import Embedding
from zoo_models.common.network import Network, layers_in


@keras.saving.register_keras_serializable(package="zoo_models.dcgan")
class Generator(Network):
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

            z = keras.Input((latent_dim,), name="z")
            inputs, x = z, z
            if num_classes is not None:
                labels = keras.Input((), dtype="int32", name="labels")
                embedding = Embedding(num_classes, embedding_dim, name="label_embedding")
                joined = keras.layers.Concatenate(name="z_and_label")
                x = joined([z, embedding(labels)])
                inputs = [z, labels]
                # The same layers on class weights [N, num_classes]: a graph of
                # its own, so that the served graph of class ids stays the plain
                # lookup (int8 LiteRT quantizes a one-hot product far worse).
                weights = keras.Input((num_classes,), name="class_weights")
                walk = keras.Model([z, weights], run(joined([z, embedding(weights)])))
            images = run(x)
        super().__init__(inputs=inputs, outputs=images, **kwargs)
        self.keep_config(image_shape=image_shape, latent_dim=latent_dim, width=width,
                         num_classes=num_classes, embedding_dim=embedding_dim,
                         kernel_size=kernel_size, dtype_policy=dtype_policy)
        if num_classes is not None:
            # Untracked: its layers are this network's, saved once, as before.
            self.__dict__["_on_class_weights"] = walk

    def call(self, inputs, training=None, mask=None):
        if self.num_classes is not None and len(inputs[1].shape) == 2:  # class weights
            return self._on_class_weights(inputs, training=training)
        return super().call(inputs, training=training, mask=mask)
