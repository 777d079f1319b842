"""Quality on small data: FID of 10k samples after the same number of images
seen, without augmentation vs DiffAugment vs ADA, on the first 2,000 and
6,000 Fashion-MNIST training images; and the Fashion-MNIST DCGAN preset
fine-tuned on 500 MNIST images with each. Resumable (runs/augment/...)."""
import json
import math
import os

import tfgan_zoo

from . import common

AUGMENTS = ("none", "diffaugment", "ada")
RECIPE = {"width": 32, "batch_size": 64, "ema_decay": 0.999}  # dcgan_fashion_mnist's
PRESET = "dcgan_fashion_mnist"
MNIST = os.path.join(common.DATASETS, "mnist.npz")


def add_arguments(parser):
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 6000],
                        help="training images of each from-scratch run (default: 2000 6000)")
    parser.add_argument("--kimg", type=float, default=300,
                        help="thousands of images seen by each from-scratch run (default 300)")
    parser.add_argument("--finetune-size", type=int, default=500,
                        help="MNIST images of the fine-tunes (default 500)")
    parser.add_argument("--finetune-kimg", type=float, default=32,
                        help="thousands of images seen by each fine-tune (default 32)")
    parser.add_argument("--augments", nargs="+", default=list(AUGMENTS),
                        help="none, diffaugment, ada or DiffAugment policies")
    parser.add_argument("--grids", default="docs/augment",
                        help="folder (under the project) for each run's sample grid")
    common.add_quick(parser, help="256 images, 2 epochs each, 500 samples")


def run(args):
    """Trains (or resumes) each run into runs/augment[_quick]/NAME, scores it
    with `tfgan_zoo.metrics.evaluate` (FID of `num` samples against `num`
    training images of the whole data set, the floor and the blurred
    yardstick) and writes a grid of 64 samples per run."""
    num = 500 if args.quick else 10_000
    root = os.path.join(common.ROOT, "runs", "augment" + ("_quick" if args.quick else ""))
    grids = os.path.join(common.ROOT, args.grids + ("_quick" if args.quick else ""))
    sizes = [256] if args.quick else args.sizes
    rows = []
    for size in sizes:
        epochs = 2 if args.quick else math.ceil(args.kimg * 1000 / size)
        for augment in args.augments:
            name = f"fashion_n{size}_{augment.replace(',', '+')}"
            result = common.scored_run(
                os.path.join(root, name), lambda out: tfgan_zoo.train(
                    common.DATA, out, family="dcgan", epochs=epochs, limit=size,
                    augment=augment, verbose=0, **RECIPE),
                common.DATA, os.path.join(grids, name + ".png"), num=num)
            rows.append(_row("Fashion-MNIST", size, augment, epochs, RECIPE["batch_size"],
                             result))
    size = 256 if args.quick else args.finetune_size
    epochs = 2 if args.quick else math.ceil(args.finetune_kimg * 1000 / size)
    for augment in args.augments:
        name = f"finetune_mnist_n{size}_{augment.replace(',', '+')}"
        result = common.scored_run(
            os.path.join(root, name), lambda out: tfgan_zoo.finetune(
                PRESET, MNIST, out, epochs=epochs, limit=size, augment=augment, verbose=0),
            MNIST, os.path.join(grids, name + ".png"), num=num)
        rows.append(_row(f"MNIST, fine-tuning {PRESET}", size, augment, epochs, 64, result))
    for data, result in (("Fashion-MNIST", result_of(root, "fashion")),
                         (f"MNIST, fine-tuning {PRESET}", result_of(root, "finetune"))):
        if result:
            for key, label in (("floor", "real test images (floor)"),
                               ("blurred", "blurred test images")):
                scores = result["scores"][key]
                rows.append([data, "", label, "", "", "", f"{scores['fid']:.2f}",
                             f"{1e3 * scores['kid']:.2f}", f"{scores['precision']:.3f}",
                             f"{scores['recall']:.3f}", ""])
    return (f"Small data: FID of {num} samples against {num} training images of the whole "
            "data set (zoo classifier) after the same images seen, per augmentation; the "
            "DCGAN preset recipe (width 32, batch 64, EMA 0.999); grids in "
            f"{args.grids}/",
            ["data", "train images", "augment", "epochs", "kimg seen", "train min", "FID",
             "KID x1e3", "precision", "recall", "ADA p"], rows)


def result_of(root, prefix):
    """Any scored run of `prefix` (for the floor rows, which all runs share)."""
    for name in sorted(os.listdir(root)) if os.path.isdir(root) else []:
        path = os.path.join(root, name, "scores.json")
        if name.startswith(prefix) and os.path.exists(path):
            with open(path) as f:
                return json.load(f)
    return None


def _row(data, size, augment, epochs, batch_size, result):
    scores = result["scores"]
    return [data, size, augment, epochs, f"{epochs * size / 1000:.0f}",
            f"{result['seconds'] / 60:.1f}", f"{scores['fid']:.2f}",
            f"{1e3 * scores['kid']:.2f}", f"{scores['precision']:.3f}",
            f"{scores['recall']:.3f}", "" if result["p"] is None else f"{result['p']:.3f}"]
