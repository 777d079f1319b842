"""Each GAN preset's scores beside the real floor and the blurred yardstick
(both from `tfgan_zoo.metrics.evaluate`)."""
import json
import os

import tfgan_zoo

from . import common


def add_arguments(parser):
    common.add_quick(parser)


def training_minutes(name):
    """Wall time of the run that made a preset (kept in runs/presets/NAME by
    tools/train_preset.py), or "see card" without that run."""
    path = os.path.join(common.ROOT, "runs", "presets", name, "history.json")
    if not os.path.exists(path):
        return "see card"
    with open(path) as f:
        return f"{sum(json.load(f)['seconds']) / 60:.0f}"


def data_of(recipe):
    """The data a recipe trained on, derived as tools/train_preset.py derives it."""
    path = os.path.join(common.DATASETS, recipe["data"])
    if "task" in recipe:
        task = recipe["task"]
        path = task(path, os.path.join(common.ROOT, "runs", "data", task.__name__ + ".npz"))
    return path


def run(args):
    num = 2000 if args.quick else 10_000
    rows = []
    for name, entry in sorted(tfgan_zoo.presets.registry().items()):
        if entry["task"] != "generation" or "recipe" not in entry:
            continue
        recipe = entry["recipe"]
        scores = tfgan_zoo.metrics.evaluate(tfgan_zoo.load(name), data_of(recipe), num=num,
                                            extractor=recipe.get("extractor"), verbose=0)
        blurred = scores["blurred"]["fid"]
        rows.append([name, recipe["train"].get("loss", "non_saturating"),
                     recipe["train"]["epochs"], training_minutes(name),
                     f"{scores['fid']:.2f}", f"{scores['floor']['fid']:.2f}",
                     f"{blurred:.2f}", f"{scores['fid'] / blurred:.2f}",
                     f"{scores['precision']:.3f}", f"{scores['recall']:.3f}"])
        print(rows[-1], flush=True)
    return (f"GAN presets ({num} generated vs {num} training images, the data's zoo "
            "classifier)", ["preset", "loss", "epochs", "train min", "FID", "floor FID",
                            "blurred FID", "FID / blurred", "precision", "recall"], rows)
