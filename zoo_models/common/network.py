"""What the families' networks share: their config is their constructor's
arguments, and they may compute in a mixed-precision dtype policy."""
import contextlib

import keras

POLICIES = ("float32", "mixed_bfloat16", "mixed_float16")


@contextlib.contextmanager
def layers_in(policy):
    """Layers made inside take the dtype policy `policy` (None: the global one).

    A functional network's layers read the global policy when they are made,
    and its config does not record it; a network that takes `dtype_policy`
    makes its layers in here and stores the name, so a saved and reloaded
    network (a resumed run) computes as the original did.
    """
    if policy is None:
        yield
        return
    if policy not in POLICIES:
        raise ValueError(f"Unknown dtype_policy {policy!r}: use one of {', '.join(POLICIES)}.")
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


class Network(keras.Model):
    """A subclassed functional network (as keras-hub's backbones): it builds
    its layers in `__init__`, calls `super().__init__(inputs=, outputs=)`,
    then `self.keep_config(...)` with every constructor argument. Those become
    attributes and the config; `from_config` is `cls(**config)`."""

    def keep_config(self, **arguments):
        self._arguments = arguments
        for key, value in arguments.items():
            setattr(self, "dtype_policy_name" if key == "dtype_policy" else key, value)

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable, **self._arguments}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def dtype_policy_option():
    """The `dtype_policy` option of a family whose networks take one."""
    from tfgan_zoo.families import Option

    return Option("dtype_policy", str, None,
                  "mixed_bfloat16 (or mixed_float16) for mixed precision (default: float32)",
                  choices=POLICIES)


class Generator(Network):
    """A generator network of z, or of `[z, labels]` when conditional: labels
    as class ids [N], or as class weights [N, num_classes] (one-hot for a
    class, a blend of two to walk between them: `GAN.interpolate`), which
    run through `walk` (see `generator_graph`)."""

    def keep_walk(self, walk):
        if walk is not None:
            # Untracked: its layers are this network's, saved once.
            self.__dict__["_on_class_weights"] = walk

    def call(self, inputs, training=None, mask=None):
        if self.num_classes is not None and len(inputs[1].shape) == 2:  # class weights
            return self._on_class_weights(inputs, training=training)
        return super().call(inputs, training=training, mask=mask)


def generator_graph(run, latent_dim, num_classes, embedding_dim, **embedding_options):
    """(inputs, images, walk) of a generator whose layers after z are
    `run(x)`: unconditional, `run(z)`; conditional, `run` of z joined to the
    label's embedding (Mirza & Osindero 2014), and `walk`, the same layers
    on class weights: a graph of its own, so that the served graph of class
    ids stays the plain lookup (int8 LiteRT quantizes a one-hot product far
    worse)."""
    from zoo_models.common.embedding import Embedding

    z = keras.Input((latent_dim,), name="z")
    if num_classes is None:
        return z, run(z), None
    labels = keras.Input((), dtype="int32", name="labels")
    embedding = Embedding(num_classes, embedding_dim, name="label_embedding",
                          **embedding_options)
    joined = keras.layers.Concatenate(name="z_and_label")
    x = joined([z, embedding(labels)])
    weights = keras.Input((num_classes,), name="class_weights")
    walk = keras.Model([z, weights], run(joined([z, embedding(weights)])))
    return [z, labels], run(x), walk
