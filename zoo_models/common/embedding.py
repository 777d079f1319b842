"""A class embedding that also takes class weights, for walks between classes."""
import keras


@keras.saving.register_keras_serializable(package="zoo_models.common")
class Embedding(keras.layers.Embedding):
    """`keras.layers.Embedding` of class ids [N], or of class weights
    [N, input_dim] (one-hot for a class, a blend between classes): their
    weighted sum of embedding rows, which for a one-hot row is exactly the
    lookup. Named `Embedding` because Keras keys saved weights by the class
    name: presets saved with the plain layer load into this one."""

    def call(self, inputs):
        if len(inputs.shape) == 2:
            weights = keras.ops.cast(inputs, self.embeddings.dtype)
            return keras.ops.cast(keras.ops.matmul(weights, self.embeddings), self.compute_dtype)
        return super().call(inputs)

    def compute_output_shape(self, input_shape):
        if len(input_shape) == 2:
            return (input_shape[0], self.output_dim)
        return super().compute_output_shape(input_shape)
