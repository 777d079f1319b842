"""The projection discriminator's class conditioning (Miyato & Koyama, ICLR
2018), as the projected and fastgan families' heads use it: a map of
`cmap_dim` channels whose dot product with the label's embedding, scaled
by `cmap_dim ** -0.5`, is the logit at each place (Projected GAN's
conditional heads).

A projection head scores a real image highest for its own label only if
the hinge loss asks for it, and it does not: measured on projected_emoji32's
recipe, its D gave the true group the highest of the 9 scores for 45% of
real emoji at 40 epochs and 16% at 80 (BENCHMARKS.md). `matching_weight`
adds the matching-aware objective (Reed et al., ICML 2016: a real image
with another label is fake) in softmax form: the cross-entropy of the real
images' scores for every class against their label, added to D's loss
with Keras's `add_loss` (the engine takes it from D's call on the real
images only)."""
import keras
from keras import ops


def project(x, labels, num_classes, cmap_dim, prefix="", matching_weight=0.0):
    """x [N, H, W, cmap_dim], labels [N] int -> logits [N, H * W, 1]."""
    embed = keras.layers.Embedding(num_classes, cmap_dim, name=f"{prefix}embed")
    places = keras.layers.Reshape((-1, cmap_dim))(x)
    logits = keras.layers.Dot(axes=(-1, -1), name=f"{prefix}project")(
        [places, keras.layers.Reshape((1, cmap_dim))(embed(labels))])
    logits = keras.layers.Rescaling(cmap_dim ** -0.5)(logits)
    if matching_weight:
        every_class = ops.expand_dims(ops.zeros_like(labels), -1) + ops.arange(num_classes)
        logits = Matching(matching_weight, name=f"{prefix}matching")(
            [logits, places, embed(every_class), labels])
    return logits


@keras.saving.register_keras_serializable(package="zoo_models.common")
class Matching(keras.layers.Layer):
    """[logits, places [N, P, d], embeddings of every class [N, K, d],
    labels [N]] -> logits, unchanged; on the way it adds `weight` times the
    mean over the N x P places of the softmax cross-entropy of the K classes'
    projection scores against the label."""

    def __init__(self, weight, **kwargs):
        super().__init__(**kwargs)
        self.weight = float(weight)

    def call(self, inputs):
        logits, places, classes, labels = inputs
        scores = ops.einsum("npd,nkd->npk", ops.cast(places, "float32"),
                            ops.cast(classes, "float32")) * places.shape[-1] ** -0.5
        targets = ops.broadcast_to(ops.expand_dims(labels, -1), ops.shape(scores)[:2])
        loss = keras.losses.sparse_categorical_crossentropy(targets, scores, from_logits=True)
        self.add_loss(self.weight * ops.mean(loss))
        return logits

    def compute_output_shape(self, shapes):
        return shapes[0]

    def get_config(self):
        return {**super().get_config(), "weight": self.weight}
