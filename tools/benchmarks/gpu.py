"""The accelerator run: GAN.fit vs the TF tutorial's loop in float32,
mixed_float16 and with jit_compile, MirroredStrategy on one device vs the
default strategy, the DCGAN at 64x64 and the largest family at batches that
fill the device, SavedModel sampling throughput, and the GPU-marked tests.

One prepared command for a lent GPU machine (`--out` there: a folder that
comes back, e.g. $OUT), whose reduced mode (`--quick`: tiny batches and
images, a few steps) runs the same code end to end on a CPU, so that a lent
session spends its minutes measuring, not debugging. Data are synthetic
(the machine has no data sets; speed does not depend on the pixels).
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

import keras
import numpy as np
import tensorflow as tf

import tfgan_zoo
from tfgan_zoo import export

from . import common, train

# tutorial batch, big batches for the DCGAN and the largest family, their
# image side, width and CycleGAN blocks, steps per window, windows, images
# to sample: full, and reduced (the same code on a CPU in about a minute)
FULL = {"batch": 256, "dcgan64_batch": 2048, "largest_batch": 128, "side": 64, "width": 64,
        "blocks": 9, "steps": 20, "windows": 3, "sample": 8192}
QUICK = {"batch": 16, "dcgan64_batch": 8, "largest_batch": 2, "side": 16, "width": 8,
         "blocks": 2, "steps": 2, "windows": 1, "sample": 64}


def add_arguments(parser):
    common.add_quick(parser, help="the reduced mode: runs on a CPU in about a minute")
    parser.add_argument("--out", help="also write the table to OUT/gpu.md (a folder that "
                                      "comes back from the device machine)")
    parser.add_argument("--tests", action="store_true",
                        help="run the GPU-marked tests first (pytest -m gpu) and report them")


def device_name():
    """The first GPU's name, or the CPU's."""
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        return tf.config.experimental.get_device_details(gpus[0]).get("device_name", "GPU")
    return "CPU: " + common.machine().split(",")[0]


def synthetic(shape, count, seed=0):
    """uint8 images of `shape`, like a data set's."""
    return np.random.default_rng(seed).integers(0, 256, (count,) + tuple(shape), np.uint8)


def peak_memory():
    """Peak GPU memory so far in GiB (the note column), or "" on a CPU."""
    if not tf.config.list_physical_devices("GPU"):
        return ""
    return f"peak GPU memory {tf.config.experimental.get_memory_info('GPU:0')['peak'] / 2**30:.1f} GiB"


def fit_window(model):
    """`window(dataset, steps)`: seconds of `steps` steps of `model.fit`."""
    timer = common.EpochTimer()

    def window(dataset, steps):
        model.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0, shuffle=False,
                  callbacks=[timer])
        return timer.seconds[-1]
    return window


def family_fit(family, image_shape, batch_size, **options):
    """A synthetic data set of `image_shape` images for `family` (two domains
    for translators) and a fit window of the family's model."""
    module = tfgan_zoo.families.get(family)
    translator = module.TASK in tfgan_zoo.families.TRANSLATION
    info = tfgan_zoo.data.describe(image_shape, 1024, batch_size,
                                   input_shape=image_shape if translator else None)
    keras.utils.set_random_seed(0)
    model = module.build_model(info, **options)
    model.compile(g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
                  d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5))
    x = synthetic(image_shape, 4 * batch_size)
    source = (x, synthetic(image_shape, 4 * batch_size, seed=1)) if translator else x
    loader = tfgan_zoo.data.LOADERS[module.TASK]
    return loader(source, batch_size)[0], fit_window(model)


def sampling_rate(size, count):
    """Images per second of a SavedModel's serving_default (the 64x64 DCGAN's
    generator) at batch `batch`, after a warm-up call."""
    gan = common.dcgan((size["side"], size["side"], 3), width=32)
    with tempfile.TemporaryDirectory() as folder:
        path = export.export_serving(gan, folder, name="dcgan", warmup=False)
        serve = tf.saved_model.load(path).signatures["serving_default"]
        size = min(count, export.MAX_COUNT)
        z = tf.random.normal([size, gan.latent_dim])
        serve(z=z)["images"].numpy()
        start = time.perf_counter()
        for _ in range(count // size):
            serve(z=z)["images"].numpy()
        return (count // size) * size / (time.perf_counter() - start)


def gpu_tests():
    """The outcome line of `pytest -m gpu` in a child process ("2 passed",
    "3 skipped", "1 failed, ...")."""
    # -n 0: one process (pytest.ini asks for 2 workers), for tests that share one
    # device; GPU tests live in tests/test_gpu.py (pytest.ini), so only it is collected
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "0", "-m", "gpu", "-p",
                           "no:cacheprovider", os.path.join(common.ROOT, "tests", "test_gpu.py")],
                          capture_output=True, text=True, cwd=common.ROOT)
    lines = proc.stdout.strip().splitlines()
    return lines[-1] if lines else proc.stderr[-200:]


def run(args):
    size = QUICK if args.quick else FULL
    rows = []
    if args.tests:
        outcome = gpu_tests()
        rows.append(["pytest -m gpu", "-", "-", "-", "-", outcome])
        print(outcome, flush=True)
    batch, side, width = size["batch"], size["side"], size["width"]
    tutorial_data = tfgan_zoo.load_images(synthetic((28, 28, 1), 4 * batch), batch)[0]
    setups = {
        "tutorial loop float32 (reference)": (batch, tutorial_data,
                                              train.reference_loop(batch)[1]),
        "GAN.fit simultaneous float32": (batch, tutorial_data,
                                         train.fit_loop(True, batch_size=batch)[1]),
        "GAN.fit simultaneous mixed_float16": (batch, tutorial_data, train.fit_loop(
            True, dtype_policy="mixed_float16", batch_size=batch)[1]),
        "GAN.fit simultaneous jit_compile": (batch, tutorial_data, train.fit_loop(
            True, batch_size=batch, jit_compile=True)[1]),
        "GAN.fit alternating float32": (batch, tutorial_data,
                                        train.fit_loop(False, batch_size=batch)[1]),
        "GAN.fit simultaneous, MirroredStrategy on 1 device": (
            batch, tutorial_data, train.fit_loop(
                True, batch_size=batch,
                strategy=tf.distribute.MirroredStrategy(devices=[_first_device()]))[1]),
        f"DCGAN {side}x{side}x3 width {width}, fit alternating": (
            size["dcgan64_batch"], *family_fit("dcgan", (side, side, 3),
                                               size["dcgan64_batch"], width=width)),
        f"CycleGAN {side}x{side}x3 width {width} (largest family), fit": (
            size["largest_batch"], *family_fit("cyclegan", (side, side, 3),
                                               size["largest_batch"], width=width,
                                               num_blocks=size["blocks"])),
    }
    seconds = {name: [] for name in setups}
    notes = {}
    for round_ in range(size["windows"] + 1):  # round 0 traces and warms up
        for name, (_, data, window) in setups.items():
            elapsed = window(data, size["steps"])
            notes[name] = peak_memory()  # grows with each setup: the largest so far
            if round_:
                seconds[name].append(elapsed)
        print(f"round {round_} of {size['windows']} done", flush=True)
    device = device_name()
    reference = None
    for name, (batch_size, _, _) in setups.items():
        rate = statistics.median(size["steps"] * batch_size / s for s in seconds[name])
        reference = reference or rate
        vs = f"{rate / reference:.3f}" if batch_size == batch else "-"
        rows.append([name, device, batch_size, f"{rate:.0f}", vs, notes[name]])
    rate = sampling_rate(size, size["sample"])
    rows.append([f"SavedModel serving_default, DCGAN {side}x{side}x3 generator", device,
                 min(size["sample"], export.MAX_COUNT), f"{rate:.0f}", "-", ""])
    header = ["setup", "device", "batch", "img/s", "vs reference", "note"]
    section = (f"Accelerator run{' (reduced mode)' if args.quick else ''}: median of "
               f"{size['windows']} alternated windows of {size['steps']} steps, synthetic data")
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        with open(os.path.join(args.out, "gpu.md"), "w") as f:
            f.write(f"### {section}\n\n{common.machine()}\n\n| " + " | ".join(header) + " |\n|"
                    + " --- |" * len(header) + "\n"
                    + "".join("| " + " | ".join(map(str, r)) + " |\n" for r in rows))
    return section, header, rows


def _first_device():
    gpus = tf.config.list_logical_devices("GPU")
    return (gpus or tf.config.list_logical_devices("CPU"))[0].name
