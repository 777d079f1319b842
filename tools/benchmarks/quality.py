"""FID after each epoch against training wall time, per recipe (RECIPES),
resumable in runs/quality/RECIPE; with a plot of FID against minutes."""
import json
import os

import numpy as np

import tfgan_zoo
from tfgan_zoo import files, images
from tfgan_zoo.metrics import extractors, frechet_distance

from . import common

# Recipes on Fashion-MNIST: keyword arguments of `tfgan_zoo.train`.
RECIPES = {
    "dcgan_w32_b64": {"width": 32, "batch_size": 64, "ema_decay": 0.999},  # the preset's
    "dcgan_w64_b64": {"width": 64, "batch_size": 64, "ema_decay": 0.999},
    "dcgan_w32_b128": {"width": 32, "batch_size": 128, "ema_decay": 0.999},
    "dcgan_w32_b64_lr1e-4": {"width": 32, "batch_size": 64, "ema_decay": 0.999,
                             "learning_rate": 1e-4},
    "dcgan_w32_b64_bf16": {"width": 32, "batch_size": 64, "ema_decay": 0.999,
                           "dtype_policy": "mixed_bfloat16"},
    "dcgan_w32_b64_hinge": {"width": 32, "batch_size": 64, "ema_decay": 0.999,
                            "loss": "hinge"},
    # The TF DCGAN tutorial: its networks, Adam(1e-4), batch 256, its simultaneous loop
    "tutorial": {"architecture": "tutorial", "batch_size": 256, "learning_rate": 1e-4,
                 "beta_1": 0.9, "simultaneous": True},
    "wgan_gp_w32_d5": {"width": 32, "batch_size": 64, "ema_decay": 0.999,
                       "loss": "wgan_gp"},  # the preset's
    "wgan_gp_w32_d2": {"width": 32, "batch_size": 64, "ema_decay": 0.999,
                       "loss": "wgan_gp", "d_steps": 2},
    # R3GAN: relativistic pairing with R1 and R2, its ResNet; its schedules span --epochs
    "r3gan_w128_b64": {"family": "r3gan", "loss": "rpgan", "width": 128, "batch_size": 64,
                       "ema_decay": 0.999},
    "r3gan_w64_b64": {"family": "r3gan", "loss": "rpgan", "width": 64, "batch_size": 64,
                      "ema_decay": 0.999},
    # a quarter of the default width: what this CPU affords (bench.py profile --models)
    "r3gan_w32_b64": {"family": "r3gan", "loss": "rpgan", "width": 32, "batch_size": 64,
                      "ema_decay": 0.999},
}


def add_arguments(parser):
    parser.add_argument("recipes", nargs="+", choices=sorted(RECIPES))
    parser.add_argument("--epochs", type=int, nargs="+",
                        help="default 5 (1 with --quick); or one number per recipe")
    parser.add_argument("--num", type=int, default=5000,
                        help="samples (and training images) of each FID (default 5000; "
                             "1000 with --quick); other numbers score runs of their own")
    common.add_quick(parser, help="2,000 images, 1 epoch")
    parser.add_argument("--plot", default="docs/time_to_quality.png",
                        help="PNG of FID against training time (under the project)")


def run(args):
    """Trains each recipe one epoch at a time, scoring FID of `num` samples
    (EMA and live generator) against `num` training images by the zoo
    classifier after every epoch. Training time is the fit time of the epochs
    only (from history.json)."""
    num = 1000 if args.quick else args.num
    epochs = args.epochs or [1 if args.quick else 5]
    if len(epochs) not in (1, len(args.recipes)):
        raise SystemExit(f"--epochs: one number, or one per recipe ({len(args.recipes)})")
    epochs = dict(zip(args.recipes, epochs * len(args.recipes) if len(epochs) == 1 else epochs))
    extract = extractors.get("classifier_fashion_mnist")
    train_images, _ = tfgan_zoo.data.load_arrays(common.DATA, "train")
    real = train_images[np.random.default_rng(0).permutation(len(train_images))[:num]]
    real_features, _ = extract(images.to_float(real))
    rows = []
    for name in args.recipes:
        out = os.path.join(common.ROOT, "runs", "quality" + ("_quick" if args.quick else ""),
                           name + ("" if args.quick or num == 5000 else f"_n{num}"))
        scores_path = os.path.join(out, "quality.json")
        scores = {}
        if os.path.exists(scores_path):
            with open(scores_path) as f:
                scores = json.load(f)
        for epoch in range(1, epochs[name] + 1):
            if str(epoch) not in scores:
                recipe = {"family": "dcgan", **RECIPES[name]}
                if recipe.get("loss") == "rpgan":  # one cosine schedule over all epochs
                    recipe["decay_epochs"] = epochs[name]
                gan = tfgan_zoo.train(common.DATA, out, epochs=epoch, verbose=0,
                                      limit=2000 if args.quick else None, **recipe)
                with open(os.path.join(out, "history.json")) as f:
                    seconds = sum(json.load(f)["seconds"])
                fids = {}
                for kind, use_ema in (("ema", True), ("live", False)):
                    features, _ = extract(gan.generate(num, seed=0, use_ema=use_ema))
                    fids[kind] = frechet_distance(real_features, features)
                scores[str(epoch)] = {"seconds": seconds, **fids}
                files.write_bytes(scores_path, json.dumps(scores, indent=1).encode())
            entry = scores[str(epoch)]
            rows.append([name, epoch, f"{entry['seconds'] / 60:.1f}", f"{entry['ema']:.2f}",
                         f"{entry['live']:.2f}"])
            print(rows[-1], flush=True)
    if not (args.quick or args.dry_run):
        plot(rows, os.path.join(common.ROOT, args.plot))
    return (f"Time to quality on Fashion-MNIST (FID of {num} samples vs {num} training "
            f"images, zoo classifier, after each epoch; plot: {args.plot})",
            ["recipe", "epoch", "train min", "FID (EMA G)", "FID (live G)"], rows)


def plot(rows, path):
    """FID (what `generate` gives: the EMA G when there is one) against
    training minutes, one line per recipe."""
    import matplotlib  # only here: an optional dependency (the `bench` extra)

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(7, 4.5))
    for name in dict.fromkeys(row[0] for row in rows):
        points = [(float(r[2]), float(r[3])) for r in rows if r[0] == name]
        axes.plot(*zip(*points), marker="o", label=name)
    axes.set(xlabel="training wall time (min, 2-core CPU)", ylabel="FID (zoo classifier)",
             yscale="log", title="Fashion-MNIST: FID after each epoch")
    for axis in (axes.yaxis.set_major_formatter, axes.yaxis.set_minor_formatter):
        axis(matplotlib.ticker.ScalarFormatter())
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    with files.atomic_path(path) as tmp:
        figure.savefig(tmp, format="png", dpi=100, bbox_inches="tight")
