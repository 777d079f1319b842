"""pix2pix presets, each reproduced by `python tools/train_preset.py NAME`."""
import os

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "presets")

PRESETS = {
    "pix2pix_edges2fashion": {
        "description": "Pix2Pix, Sobel edge maps of Fashion-MNIST -> garments, 28x28x1 "
                       "(U-Net + conditional PatchGAN; metrics in its card)",
        "params": 133_089 + 35_105,
        "path": os.path.join(HERE, "pix2pix_edges2fashion"),
    },
}
