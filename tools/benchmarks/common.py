"""What the benchmarks share: paths, the machine line, recording into
BENCHMARKS.md, timing helpers, the DCGAN they build and scored runs."""
import datetime
import json
import os
import platform
import statistics
import time

import keras
import tensorflow as tf

import tfgan_zoo
from tfgan_zoo import files, images

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
TOOLS = os.path.join(ROOT, "tools")
BENCHMARKS = os.path.join(ROOT, "BENCHMARKS.md")
DATASETS = os.path.join(ROOT, "..", "shared", "datasets")
DATA = os.path.join(DATASETS, "fashion_mnist.npz")


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    gpus = [d.name for d in tf.config.list_physical_devices("GPU")]
    onednn = os.environ.get("TF_ENABLE_ONEDNN_OPTS")
    return (f"{cpu}, {os.cpu_count()} cores{', GPUs: ' + ', '.join(gpus) if gpus else ''}"
            f"{'; TF_ENABLE_ONEDNN_OPTS=' + onednn if onednn is not None else ''}; "
            f"TF {tf.__version__}, Keras {keras.__version__}, Python {platform.python_version()}; "
            f"{datetime.date.today()}")


def record(section, header, rows, command, dry_run=False):
    """Prints the table and appends it under `### section` to BENCHMARKS.md
    (made if missing), unless `dry_run`."""
    lines = [f"\n### {section}: `{command}`\n", f"{machine()}\n",
             "| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    text = "\n".join(lines) + "\n"
    print(text)
    if dry_run:
        print("(--dry-run: nothing appended to BENCHMARKS.md)")
        return
    if not os.path.exists(BENCHMARKS):
        text = "# Benchmarks\n\nEvery table was made by `tools/bench.py`; newest last.\n" + text
    with open(BENCHMARKS, "a") as f:
        f.write(text)


def add_quick(parser, help="a smoke run of a minute or less"):
    parser.add_argument("--quick", action="store_true", help=help)


class EpochTimer(keras.callbacks.Callback):
    """Seconds of each epoch of a fit (an epoch here is one timed window)."""

    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.start)


def median_ms(fn, repeats):
    """Median milliseconds of `repeats` calls of `fn`, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return f"{1000 * statistics.median(times):.2f}"


def dcgan(image_shape=(28, 28, 1), batch_size=64, seed=0, **options):
    """An uncompiled GAN of the dcgan family (`options`: its build options)
    for images of `image_shape`; Keras' global seed is set first, so that
    every setup starts from the same weights."""
    keras.utils.set_random_seed(seed)
    info = tfgan_zoo.data.describe(image_shape, num_examples=60_000, batch_size=batch_size)
    return tfgan_zoo.families.get("dcgan").build_model(info, seed=seed, **options)


def scored_run(out, make, data, grid, scores="scores.json", **evaluate_options):
    """The scores of the run in `out`, saved in its `scores` file: made first
    if missing by `make(out)` (which trains or loads a GAN), scored with
    `tfgan_zoo.metrics.evaluate(gan, data, **evaluate_options)`, with a grid
    of 64 samples written to `grid`. Training seconds and G steps count only
    a run trained into `out` (its history.json); "p" is ADA's last p."""
    path = os.path.join(out, scores)
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)
    gan = make(out)
    seconds, steps = 0.0, 0
    if os.path.exists(os.path.join(out, "history.json")):
        with open(os.path.join(out, "history.json")) as f:
            seconds = sum(json.load(f)["seconds"])
        steps = int(gan.g_optimizer.iterations.numpy())
    p = getattr(gan.augmenter, "p", None)
    result = {"seconds": seconds, "steps": steps, "p": None if p is None else float(p),
              "scores": tfgan_zoo.metrics.evaluate(gan, data, verbose=0, **evaluate_options)}
    images.save_samples(gan.generate(64, seed=0), grid)
    os.makedirs(out, exist_ok=True)
    files.write_bytes(path, json.dumps(result, indent=1).encode())
    return result
