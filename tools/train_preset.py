"""Remakes a zoo preset in its own folder of the package (in a clone):
`python tools/train_preset.py NAME` is `tfgan-zoo reproduce NAME` with the
run in runs/presets/NAME (running it again resumes after a crash), the data
from ../shared/datasets, and the preset's own folder replaced by the
published run (`publishing.reproduce`)."""
import argparse
import os
import sys

import tfgan_zoo

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def main(argv=None):
    registry = tfgan_zoo.presets.registry()
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", choices=sorted(n for n, e in registry.items()
                                               if "recipe" in e and "path" in e))
    parser.add_argument("--data-dir", default=os.path.join(ROOT, "..", "shared", "datasets"))
    parser.add_argument("--epochs", type=int, help="override the recipe (smoke runs)")
    parser.add_argument("--out", help="the preset folder to write (default: the preset's "
                                      "own folder in the package, replaced)")
    args = parser.parse_args(argv)
    path = tfgan_zoo.publishing.reproduce(
        args.name, out=args.out or registry[args.name]["path"],
        run_dir=os.path.join(ROOT, "runs", "presets", args.name), data_dir=args.data_dir,
        epochs=args.epochs, replace=True, command="python tools/train_preset.py " + args.name,
        verbose=1 if sys.stdout.isatty() else 2)
    print(f"Wrote {path}")


if __name__ == "__main__":
    sys.exit(main())
