"""Small CNN classifiers whose penultimate layer serves as FID/KID features."""
import keras

from zoo_models.common.network import Network

FILLS = {"black": "constant", "nearest": "nearest"}  # -> RandomTranslation's fill_mode


@keras.saving.register_keras_serializable(package="zoo_models.classifier")
class Classifier(Network):
    """image in [-1, 1] -> class logits; the `features` layer is the embedding.

    Two blocks of two 3x3 convolutions (BatchNorm, ReLU) and a max-pool, then
    a `feature_dim` dense layer (BatchNorm, ReLU): the features that FID, KID
    and precision/recall use; dropout, then the logits that IS uses. Random
    translations of up to 10% augment training only; `fill` is what they
    bring in: "black" (-1, the background of MNIST-like data) or "nearest"
    (the edge pixels: any other background, e.g. the emoji's white).
    """

    def __init__(self, image_shape=(28, 28, 1), num_classes=10, width=32,
                 feature_dim=128, dropout=0.3, fill="black", **kwargs):
        if fill not in FILLS:
            raise ValueError(f"Unknown fill {fill!r}: use one of {', '.join(FILLS)}.")
        image_shape = tuple(int(s) for s in image_shape)
        images = keras.Input(image_shape, name="images")
        x = keras.layers.RandomTranslation(0.1, 0.1, fill_value=-1.0, name="augment",
                                           fill_mode=FILLS[fill])(images)
        for block, channels in enumerate((width, 2 * width)):
            for conv in range(2):
                x = keras.layers.Conv2D(channels, 3, padding="same", use_bias=False,
                                        name=f"block{block}_conv{conv}")(x)
                x = keras.layers.BatchNormalization(name=f"block{block}_bn{conv}")(x)
                x = keras.layers.ReLU(name=f"block{block}_relu{conv}")(x)
            x = keras.layers.MaxPooling2D(name=f"block{block}_pool")(x)
            x = keras.layers.Dropout(dropout / 2, name=f"block{block}_dropout")(x)
        x = keras.layers.Flatten(name="flatten")(x)
        x = keras.layers.Dense(feature_dim, use_bias=False, name="dense")(x)
        x = keras.layers.BatchNormalization(name="dense_bn")(x)
        features = keras.layers.ReLU(name="features")(x)
        x = keras.layers.Dropout(dropout, name="dropout")(features)
        logits = keras.layers.Dense(num_classes, dtype="float32", name="logits")(x)
        super().__init__(inputs=images, outputs=logits, **kwargs)
        self.keep_config(image_shape=image_shape, num_classes=num_classes, width=width,
                         feature_dim=feature_dim, dropout=dropout, fill=fill)

    def features_and_logits(self):
        """A model: images -> (features [N, feature_dim], logits [N, classes])."""
        return keras.Model(self.inputs, [self.get_layer("features").output, self.output])
