"""Reproduces a zoo preset from scratch: `python tools/train_preset.py NAME`.

Runs the preset's recipe (the `recipe` of its entry in its family's
`PRESETS`) on the data in --data-dir (default ../shared/datasets), with
checkpoints under runs/presets/NAME so that running the command again
resumes after a crash, then publishes the run into the preset's folder
(`tfgan_zoo.publish`: config, weights, card, grid, metrics, SHA256SUMS).
"""
import argparse
import os
import sys

import tfgan_zoo

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def main(argv=None):
    registry = tfgan_zoo.presets.registry()
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", choices=sorted(n for n, e in registry.items() if "recipe" in e))
    parser.add_argument("--data-dir", default=os.path.join(ROOT, "..", "shared", "datasets"))
    parser.add_argument("--epochs", type=int, help="override the recipe (smoke runs)")
    parser.add_argument("--out", help="the preset folder to write (default: the preset's "
                                      "own folder in the package, replaced)")
    args = parser.parse_args(argv)
    entry = registry[args.name]
    recipe = entry["recipe"]
    data = (recipe["data"] if recipe["data"].startswith("tfds:")  # built or fetched by TFDS
            else os.path.join(args.data_dir, recipe["data"]))
    if "task" in recipe:  # the training data is derived from `data`, once
        task = recipe["task"]
        data = task(data, os.path.join(ROOT, "runs", "data", task.__name__ + ".npz"))
    run_dir = os.path.join(ROOT, "runs", "presets", args.name)
    settings = dict(recipe["train"], **({"epochs": args.epochs} if args.epochs else {}))
    tfgan_zoo.train(data, run_dir, verbose=1 if sys.stdout.isatty() else 2, **settings)
    path = tfgan_zoo.publish(
        run_dir, args.name, out=args.out or entry["path"], description=entry["description"],
        data_license=recipe["data_license"], limits=recipe.get("limits"),
        extractor=recipe.get("extractor"), command="python tools/train_preset.py " + args.name,
        replace=True)
    print(f"Wrote {path}")


if __name__ == "__main__":
    sys.exit(main())
