"""Normalization layers by name, as the families' papers use them."""
import keras

NORMS = ("batch", "instance")


def normalization(norm, name):
    """"batch": BatchNormalization, synchronized across replicas (so a step
    is the same on one device or under a strategy); "instance": one
    GroupNormalization group per channel, with PyTorch InstanceNorm2d's
    epsilon (the reference codes')."""
    if norm == "batch":
        return keras.layers.BatchNormalization(synchronized=True, name=name)
    if norm == "instance":
        return keras.layers.GroupNormalization(groups=-1, epsilon=1e-5, name=name)
    raise ValueError(f"Unknown norm {norm!r}: use one of {', '.join(NORMS)}.")
