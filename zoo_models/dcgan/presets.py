"""DCGAN presets, each reproduced by `python tools/train_preset.py NAME`."""
import os

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "presets")

PRESETS = {}
