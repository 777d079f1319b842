"""Reflection padding, which Keras has no layer for."""
import keras


@keras.saving.register_keras_serializable(package="zoo_models.cyclegan")
class ReflectionPad2D(keras.layers.Layer):
    """Pads height and width of NHWC images by `padding` pixels mirrored from
    inside the image (edge pixel not repeated), as PyTorch's ReflectionPad2d:
    CycleGAN pads this way to keep zero borders out of the images it makes."""

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        self.padding = int(padding)

    def call(self, inputs):
        p = self.padding
        return keras.ops.pad(inputs, [[0, 0], [p, p], [p, p], [0, 0]], mode="reflect")

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        grow = 2 * self.padding
        return (batch, None if height is None else height + grow,
                None if width is None else width + grow, channels)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}
