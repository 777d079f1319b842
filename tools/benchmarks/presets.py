"""Each GAN preset's scores beside the real floor and the blurred yardsticks
(all from `tfgan_zoo.metrics.evaluate`), by the data's zoo classifier or by
the standard FID Inception (--extractor inception); the whole scores go to
runs/bench/presets-EXTRACTOR/NAME.json."""
import json
import os

import tfgan_zoo
from tfgan_zoo import files

from . import common


def add_arguments(parser):
    common.add_quick(parser)
    parser.add_argument("--extractor", help="inception, or the default: each recipe's own "
                                            "(its data's zoo classifier)")
    parser.add_argument("--num", type=int, help="generated and real images (default 10000; "
                                                 "--quick: 2000)")
    parser.add_argument("--add-to-presets", action="store_true",
                        help="with --extractor inception: write the scores into each preset "
                             "folder (metrics.json, card, SHA256SUMS: publishing.add_standard_scores)")
    parser.add_argument("presets", nargs="*", help="default: every GAN preset")


def training_minutes(name):
    """Wall time of the run that made a preset (kept in runs/presets/NAME by
    tools/train_preset.py), or "see card" without that run."""
    path = os.path.join(common.ROOT, "runs", "presets", name, "history.json")
    if not os.path.exists(path):
        return "see card"
    with open(path) as f:
        return f"{sum(json.load(f)['seconds']) / 60:.0f}"


def data_of(recipe):
    """The data a recipe trained on, as tools/train_preset.py reads it."""
    return tfgan_zoo.publishing.recipe_data(recipe, common.DATASETS,
                                            os.path.join(common.ROOT, "runs"))


def run(args):
    num = args.num or (2000 if args.quick else 10_000)
    if args.extractor == "inception":
        return _inception(args, num)
    rows = []
    for name, recipe in _presets(args):
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


def _presets(args):
    """(name, recipe) of the GAN presets asked for (default: all)."""
    for name, entry in sorted(tfgan_zoo.presets.registry().items()):
        if entry["task"] == "generation" and "recipe" in entry and (
                not args.presets or name in args.presets):
            yield name, entry["recipe"]


def _inception(args, num):
    out = os.path.join(common.ROOT, "runs", "bench", "presets-inception")
    os.makedirs(out, exist_ok=True)
    rows = []
    for name, recipe in _presets(args):
        path = os.path.join(out, name + ".json")
        scores = None
        if os.path.exists(path):  # a run cut short resumes with the presets it did
            with open(path) as f:
                scores = json.load(f)
        if scores is None or scores["num"] != num:
            scores = tfgan_zoo.metrics.evaluate(tfgan_zoo.load(name), data_of(recipe), num=num,
                                                extractor="inception", verbose=0)
            files.write_bytes(path, json.dumps(scores, indent=1).encode())
        if args.add_to_presets:  # the data as the card names it, not this machine's path
            tfgan_zoo.publishing.add_standard_scores(
                tfgan_zoo.presets.registry()[name]["path"], {**scores, "data": recipe["data"]})
        cells = [f"{s['fid']:.1f} / {s['kid']:.4f}" for s in (
            scores, scores["floor"], scores["blurred"], scores["blurred_8"])]
        rows.append([name, scores["data"], scores["num"], scores["num_real"],
                     scores["floor"]["num"], *cells, f"{scores['precision']:.3f}",
                     f"{scores['recall']:.3f}"])
        print(rows[-1], flush=True)
    return ("GAN presets by the standard FID Inception-v3 (FID / KID; bilinear resize to "
            "299; each against the stated training images)",
            ["preset", "data", "generated", "training", "test", "model", "held-out floor",
             "blurred 1/4", "blurred 1/8", "precision", "recall"], rows)
