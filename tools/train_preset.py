"""Reproduces a zoo preset from scratch: `python tools/train_preset.py NAME`.

Trains with the recipe below on the data in --data-dir (default
../shared/datasets), checkpoints every epoch under runs/presets/NAME so that
re-running the command resumes after a crash, and writes the preset folder
(config, weights, card with the command, epochs, wall time and metrics,
SHA256SUMS) into the family's presets/ directory.
"""
import argparse
import datetime
import json
import os
import platform
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from tfgan_zoo import data, presets  # noqa: E402
from zoo_models.classifier import PRESETS as CLASSIFIER_PRESETS, Classifier  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

CLASSIFIER_RECIPES = {
    "classifier_fashion_mnist": {"data": "fashion_mnist.npz", "epochs": 15,
                                 "batch_size": 128, "learning_rate": 2e-3,
                                 "data_license": "MIT (Zalando Research)"},
    "classifier_mnist": {"data": "mnist.npz", "epochs": 30, "batch_size": 128,
                         "learning_rate": 2e-3,
                         "data_license": "CC BY-SA 3.0 (LeCun, Cortes, Burges); "
                                         "this copy: 8k train / 2k test images"},
}

CARD = """# {name}

{description}

| | |
| --- | --- |
| family | classifier (`zoo_models/classifier`) |
| task | {num_classes}-class image classification; its `features` layer ({feature_dim}-d) and logits are the zoo's evaluation extractor |
| data | `{data}`: {num_train} training images (x_train), {num_test} test images (x_test) |
| command | `{command}` |
| epochs | {epochs} (batch {batch_size}, Adam {learning_rate:g} with cosine decay, random 10% translations) |
| wall time | {wall_time} ({machine}) |
| parameters | {params:,} |
| **test accuracy** | **{accuracy:.2%}** on the {num_test} test images |

## Intended use and limits
Feature extractor for FID, KID, precision/recall (penultimate layer) and
Inception-Score-style scores (logits) of GANs trained on the same data, so
numbers are comparable inside this zoo. They are not comparable with
InceptionV3-based FID/IS from papers. Inputs are images in [-1, 1] of shape
{image_shape}; other domains give meaningless features.

## Data license
{data_license}
"""


class WallClock(keras.callbacks.Callback):
    """Adds each epoch's seconds to a JSON file, so resumed runs sum up."""

    def __init__(self, path):
        super().__init__()
        self.path = path

    def seconds(self):
        return json.load(open(self.path)) if os.path.exists(self.path) else []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = self.seconds()[:epoch] + [time.perf_counter() - self.start]
        with open(self.path + ".tmp", "w") as f:
            json.dump(seconds, f)
        os.replace(self.path + ".tmp", self.path)


def train_classifier(name, data_dir, epochs=None):
    recipe = dict(CLASSIFIER_RECIPES[name])
    epochs = epochs or recipe["epochs"]
    path = os.path.join(data_dir, recipe["data"])
    x, y = data.load_arrays(path, "train")
    x_test, y_test = data.load_arrays(path, "test")
    scale = lambda images: images.astype("float32") / 127.5 - 1.0  # noqa: E731
    work = os.path.join(ROOT, "runs", "presets", name)
    os.makedirs(work, exist_ok=True)
    keras.utils.set_random_seed(0)
    model = Classifier(x.shape[1:], num_classes=int(y.max()) + 1, name=name)
    steps = epochs * (len(x) // recipe["batch_size"] + 1)
    model.compile(keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(
                      recipe["learning_rate"], steps)),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    clock = WallClock(os.path.join(work, "epoch_seconds.json"))
    model.fit(scale(x), y, batch_size=recipe["batch_size"], epochs=epochs,
              verbose=1 if sys.stdout.isatty() else 2,
              validation_data=(scale(x_test), y_test), callbacks=[
                  keras.callbacks.BackupAndRestore(os.path.join(work, "backup")), clock])
    accuracy = model.evaluate(scale(x_test), y_test, verbose=0, return_dict=True)["accuracy"]
    wall = sum(clock.seconds())
    card = CARD.format(
        name=name, description=CLASSIFIER_PRESETS[name]["description"] + ".",
        num_classes=model.num_classes, feature_dim=model.feature_dim, data=recipe["data"],
        num_train=len(x), num_test=len(x_test), command="python tools/train_preset.py " + name,
        epochs=epochs, batch_size=recipe["batch_size"], learning_rate=recipe["learning_rate"],
        wall_time=f"{wall / 60:.1f} min", params=model.count_params(),
        machine=f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPU cores, "
                f"TF {tf.__version__}, {datetime.date.today()}",
        accuracy=accuracy, image_shape=tuple(x.shape[1:]), data_license=recipe["data_license"])
    presets.save_network(model, CLASSIFIER_PRESETS[name]["path"], card)
    print(f"{name}: test accuracy {accuracy:.4f}, {wall / 60:.1f} min; wrote "
          f"{CLASSIFIER_PRESETS[name]['path']}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", choices=sorted(CLASSIFIER_RECIPES))
    parser.add_argument("--data-dir", default=os.path.join(ROOT, "..", "shared", "datasets"))
    parser.add_argument("--epochs", type=int, help="override the recipe (smoke runs)")
    args = parser.parse_args(argv)
    train_classifier(args.name, args.data_dir, args.epochs)


if __name__ == "__main__":
    sys.exit(main())
