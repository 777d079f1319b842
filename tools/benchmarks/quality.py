"""FID (and KID) against training wall time, per recipe (RECIPES), on any
data, by the data's default extractor (the zoo classifier for grey data,
the standard Inception for colour) or --extractor; resumable in
runs/quality/RECIPE; with a plot of FID against minutes. --minutes trains
each recipe for the same wall time (a bake-off)."""
import json
import os

import numpy as np

import tfgan_zoo
from tfgan_zoo import files, images
from tfgan_zoo.metrics import extractors, frechet_distance, kernel_distance

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
    # Colour (--data tfds:emoji/64): dcgan_emoji64's recipe against the projected family
    # (hinge, DiffAugment) with its feature network seeing the images at 64, 128, 224 px
    "dcgan_emoji64": {"width": 32, "batch_size": 64, "ema_decay": 0.999, "augment": "ada"},
    "projected_f64": {"family": "projected", "batch_size": 32, "ema_decay": 0.999,
                      "feature_size": 64},
    "projected_f128": {"family": "projected", "batch_size": 32, "ema_decay": 0.999,
                       "feature_size": 128},
    "projected_f224": {"family": "projected", "batch_size": 32, "ema_decay": 0.999,
                       "feature_size": 224},
    # DiffAugment without its colour policy: a D taught that brightness, saturation and
    # contrast changes are real leaves G's colours free (a D of projected_f64 rates real
    # emoji with a cyan background or inverted colours as real)
    "projected_f64_tc": {"family": "projected", "batch_size": 32, "ema_decay": 0.999,
                         "feature_size": 64, "augment": "translation,cutout"},
    # FastGAN: the projected family's G against FastGAN's reconstructing D
    "fastgan_d32": {"family": "fastgan", "batch_size": 32, "ema_decay": 0.999},
    # The bake-off's pick on Fashion-MNIST (features at 32 px), against dcgan_w32_b64 in
    # its first minutes: epochs of 10,000 images, so that it is scored every few minutes
    "projected_fmnist": {"family": "projected", "batch_size": 32, "ema_decay": 0.999,
                         "augment": "translation,cutout", "limit": 10_000},
}


def add_arguments(parser):
    parser.add_argument("recipes", nargs="+", choices=sorted(RECIPES))
    parser.add_argument("--epochs", type=int, nargs="+",
                        help="default 5 (1 with --quick); or one number per recipe")
    parser.add_argument("--num", type=int, default=5000,
                        help="samples (and training images) of each FID (default 5000; "
                             "1000 with --quick); other numbers score runs of their own")
    parser.add_argument("--data", default=common.DATA,
                        help="a data source of `tfgan-zoo train` (default: Fashion-MNIST)")
    parser.add_argument("--extractor", help="default: the data's (evaluate's default)")
    parser.add_argument("--minutes", type=float,
                        help="train each recipe for this many minutes of fit time (the "
                             "epoch that passes it is the last) instead of --epochs")
    parser.add_argument("--every", type=int, default=1,
                        help="score after every N-th epoch (and the last; default 1)")
    parser.add_argument("--every-minutes", type=float,
                        help="score after the epoch that passes each multiple of this many "
                             "minutes of fit time (and the last) instead of --every")
    common.add_quick(parser, help="2,000 images, 1 epoch")
    parser.add_argument("--plot", default="docs/time_to_quality.png",
                        help="PNG of FID against training time (under the project)")


def run(args):
    """Trains each recipe one epoch at a time, scoring FID and KID of `num`
    samples of the live generator and of the EMA one (by the Inception: the
    live one, and the EMA one at the last epoch only; it is slow) against
    `num` training images after every `--every`-th epoch. Training time is
    the number of epochs times the median fit time of an epoch (from
    history.json): the median ignores the epochs that something else on the
    machine slowed, so curves stay comparable."""
    num = 1000 if args.quick else args.num
    epochs = args.epochs or [1 if args.quick else 5]
    if len(epochs) not in (1, len(args.recipes)):
        raise SystemExit(f"--epochs: one number, or one per recipe ({len(args.recipes)})")
    epochs = dict(zip(args.recipes, epochs * len(args.recipes) if len(epochs) == 1 else epochs))
    train_images, _ = tfgan_zoo.data.load_arrays(args.data, "train")
    name = args.extractor or extractors.default_for(args.data, train_images.shape[-1])
    extract = extractors.get(name)
    live = name != extractors.INCEPTION  # the Inception is too slow to score both
    real = train_images[np.random.default_rng(0).permutation(len(train_images))[:num]]
    real_features, _ = extract(images.to_float(real))
    suffix = "" if args.data == common.DATA else "_" + _slug(args.data)
    rows = []
    for recipe_name in args.recipes:
        out = os.path.join(common.ROOT, "runs", "quality" + ("_quick" if args.quick else ""),
                           recipe_name + suffix + ("" if args.quick or num == 5000
                                                   else f"_n{num}"))
        scores_path = os.path.join(out, "quality.json")
        scores = {}
        if os.path.exists(scores_path):
            with open(scores_path) as f:
                scores = json.load(f)
        epoch, seconds = 0, 0.0
        while (seconds < args.minutes * 60) if args.minutes else (epoch < epochs[recipe_name]):
            epoch += 1
            if str(epoch) in scores:
                seconds = scores[str(epoch)]["seconds"]
                continue
            recipe = {"family": "dcgan", **RECIPES[recipe_name]}
            if recipe.get("loss") == "rpgan":  # one cosine schedule over all epochs
                recipe["decay_epochs"] = epochs[recipe_name]
            limit = recipe.pop("limit", None)  # a recipe's own (epochs of that many images)
            gan = tfgan_zoo.train(args.data, out, epochs=epoch, verbose=0,
                                  limit=2000 if args.quick else limit, **recipe)
            with open(os.path.join(out, "history.json")) as f:
                epoch_seconds = json.load(f)["seconds"]
            before, seconds = seconds, epoch * float(np.median(epoch_seconds))
            last = (seconds >= args.minutes * 60) if args.minutes else epoch == epochs[recipe_name]
            entry = {"seconds": seconds, "wall_seconds": sum(epoch_seconds)}
            if args.every_minutes:
                due = seconds // (args.every_minutes * 60) > before // (args.every_minutes * 60)
            else:
                due = epoch % args.every == 0
            if last or due:
                kinds = (("live", False), ("ema", True)) if (live or last) else (("live", False),)
                for kind, use_ema in kinds:
                    made = gan.generate(num, seed=0, use_ema=use_ema,
                                        labels=gan.class_cycle(num))
                    features, _ = extract(made)
                    entry[kind] = frechet_distance(real_features, features)
                    entry["kid" if use_ema else "kid_live"] = kernel_distance(
                        real_features, features)[0]
                for kind, use_ema in kinds:  # grids at each scored time, to compare by eye
                    images.save_samples(
                        gan.generate(64, seed=1, labels=gan.class_cycle(64), use_ema=use_ema),
                        os.path.join(out, f"samples_epoch{epoch}_{kind}.png"))
            scores[str(epoch)] = entry
            files.write_bytes(scores_path, json.dumps(scores, indent=1).encode())
        for key in sorted(scores, key=int):
            entry = scores[key]
            if "ema" in entry or "live" in entry:
                rows.append([recipe_name, int(key), f"{entry['seconds'] / 60:.1f}"]
                            + [f"{entry[k]:.2f}" if k in entry else "-" for k in ("ema", "live")]
                            + [f"{entry[k]:.4f}" if k in entry else "-"
                               for k in ("kid", "kid_live")])
                print(rows[-1], flush=True)
    if not (args.quick or args.dry_run):
        plot(rows, os.path.join(common.ROOT, args.plot), args.data, name)
    return (f"Time to quality on {args.data} (FID of {num} samples vs {num} training images "
            f"by {name}; plot: {args.plot})",
            ["recipe", "epoch", "train min", "FID (EMA G)", "FID (live G)", "KID (EMA G)",
             "KID (live G)"], rows)


def _slug(data):
    return "".join(c if c.isalnum() else "_" for c in str(data)).strip("_")


def plot(rows, path, data="Fashion-MNIST", extractor="zoo classifier"):
    """FID against training minutes, one line per recipe: the live
    generator's where it was scored (an EMA of 0.999 lags far behind in
    short runs), else the EMA one's."""
    import matplotlib  # only here: an optional dependency (the `bench` extra)

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(7, 4.5))
    for name in dict.fromkeys(row[0] for row in rows):
        points = [(float(r[2]), float(r[4] if r[4] != "-" else r[3]))
                  for r in rows if r[0] == name]
        axes.plot(*zip(*points), marker="o", label=name)
    axes.set(xlabel="training wall time (min, 2-core CPU)", ylabel=f"FID ({extractor})",
             yscale="log", title=f"{os.path.basename(str(data))}: FID against training time")
    for axis in (axes.yaxis.set_major_formatter, axes.yaxis.set_minor_formatter):
        axis(matplotlib.ticker.ScalarFormatter())
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    with files.atomic_path(path) as tmp:
        figure.savefig(tmp, format="png", dpi=100, bbox_inches="tight")
