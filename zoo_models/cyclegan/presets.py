"""CycleGAN presets, each reproduced by `python tools/train_preset.py NAME`."""
import os

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "presets")

PRESETS = {
    "cyclegan_sneaker2boot": {
        "description": "CycleGAN, Fashion-MNIST sneakers (A) <-> ankle boots (B), unpaired, "
                       "28x28x1 (ResNet G, PatchGAN D; metrics in its card)",
        "params": 2 * 491_873 + 2 * 9_041,
        "path": os.path.join(HERE, "cyclegan_sneaker2boot"),
    },
}
