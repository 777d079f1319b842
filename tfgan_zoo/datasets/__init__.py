"""Data sets that tfgan-zoo builds itself, as TFDS builders: importing this
module registers them with TFDS (`tfds.load("emoji/64")`)."""
from tfgan_zoo.datasets import emoji  # noqa: F401
