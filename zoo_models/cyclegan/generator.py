"""CycleGAN ResNet generator (Zhu et al. 2017, arXiv:1703.10593), after
Johnson et al. 2016 (arXiv:1603.08155)."""
import keras

from zoo_models.common.network import Network, layers_in
from zoo_models.common.norms import normalization
from zoo_models.cyclegan.layers import ReflectionPad2D


def _instance_norm(name):
    return normalization("instance", name)


@keras.saving.register_keras_serializable(package="zoo_models.cyclegan")
class ResnetGenerator(Network):
    """image in [-1, 1] -> image in [-1, 1] of the same side (CycleGAN's generator).

    c7s1-w (reflection pad 3, Conv2D 7x7 valid, InstanceNorm, ReLU);
    `num_down` Conv2D 3x3 stride 2 'same' + InstanceNorm + ReLU doubling the
    channels; `num_blocks` residual blocks (reflection pad 1, Conv2D 3x3,
    InstanceNorm, ReLU, reflection pad 1, Conv2D 3x3, InstanceNorm, add);
    `num_down` Conv2DTranspose 3x3 stride 2 'same' + InstanceNorm + ReLU
    halving them; c7s1-`out_channels` with tanh. The paper's 256x256 network
    is width=64, num_blocks=9, num_down=2. InstanceNorm is
    GroupNormalization(groups=-1) with its learned scale and offset (the
    reference code's InstanceNorm2d has none); convolutions before it have
    no bias.

    Args:
      image_shape: (height, width, channels) of the input images; both sides
        must divide by 2**num_down.
      out_channels: channels of the output images (None: the input's).
      width: channels of the first convolution.
      num_blocks: residual blocks at the smallest grid.
      num_down: stride-2 downsamplings (and as many upsamplings).
      dtype_policy: e.g. "mixed_bfloat16" (None: the global policy); the
        output layer stays float32.
    """

    def __init__(self, image_shape=(28, 28, 1), out_channels=None, width=64, num_blocks=9,
                 num_down=2, dtype_policy=None, **kwargs):
        image_shape = tuple(int(s) for s in image_shape)
        if len(image_shape) != 3:
            raise ValueError(f"image_shape must be (height, width, channels), got {image_shape}.")
        height, side = image_shape[:2]
        if height % 2 ** num_down or side % 2 ** num_down:
            raise ValueError(
                f"num_down={num_down} needs both image sides divisible by {2 ** num_down}, "
                f"got {height}x{side}; pick a smaller num_down or crop/pad the images.")
        out_channels = image_shape[-1] if out_channels is None else int(out_channels)

        with layers_in(dtype_policy):
            images = keras.Input(image_shape, name="images")
            x = ReflectionPad2D(3, name="stem_pad")(images)
            x = keras.layers.Conv2D(width, 7, use_bias=False, name="stem")(x)
            x = _instance_norm("stem_norm")(x)
            x = keras.layers.ReLU(name="stem_act")(x)
            channels = width
            for i in range(num_down):
                channels *= 2
                x = keras.layers.Conv2D(channels, 3, strides=2, padding="same", use_bias=False,
                                        name=f"down{i}")(x)
                x = _instance_norm(f"down{i}_norm")(x)
                x = keras.layers.ReLU(name=f"down{i}_act")(x)
            for b in range(num_blocks):
                y = ReflectionPad2D(1, name=f"res{b}_pad0")(x)
                y = keras.layers.Conv2D(channels, 3, use_bias=False, name=f"res{b}_conv0")(y)
                y = _instance_norm(f"res{b}_norm0")(y)
                y = keras.layers.ReLU(name=f"res{b}_act")(y)
                y = ReflectionPad2D(1, name=f"res{b}_pad1")(y)
                y = keras.layers.Conv2D(channels, 3, use_bias=False, name=f"res{b}_conv1")(y)
                y = _instance_norm(f"res{b}_norm1")(y)
                x = keras.layers.Add(name=f"res{b}_add")([x, y])
            for i in reversed(range(num_down)):
                channels //= 2
                x = keras.layers.Conv2DTranspose(channels, 3, strides=2, padding="same",
                                                 use_bias=False, name=f"up{i}")(x)
                x = _instance_norm(f"up{i}_norm")(x)
                x = keras.layers.ReLU(name=f"up{i}_act")(x)
            x = ReflectionPad2D(3, name="to_image_pad")(x)
            outputs = keras.layers.Conv2D(out_channels, 7, activation="tanh", dtype="float32",
                                          name="to_image")(x)
        super().__init__(inputs=images, outputs=outputs, **kwargs)
        self.keep_config(image_shape=image_shape, out_channels=out_channels, width=width,
                         num_blocks=num_blocks, num_down=num_down, dtype_policy=dtype_policy)
