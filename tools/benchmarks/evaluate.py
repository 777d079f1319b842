"""Seconds and peak RSS of `tfgan_zoo.metrics.evaluate` (10k and 100k generated
vs 10k real), each in a child process so that its peak RSS is its own; with
--extractor inception, the standard FID Inception's images per second (grey
28x28 and RGB 64x64 inputs, resized to 299) and what `evaluate` of 10k
samples takes at that rate.

The child is this module run as `python -m benchmarks.evaluate NUM NUM_REAL`
from tools/ (where the package sits), so it needs no path set-up."""
import json
import os
import subprocess
import sys
import time

import tfgan_zoo

from . import common


def add_arguments(parser):
    common.add_quick(parser)
    parser.add_argument("--extractor", choices=["inception"],
                        help="time the standard FID Inception instead")


def child(num, num_real):
    """Times one evaluation with an untrained DCGAN of width 64 (as fast as a
    trained one) and prints the result as a JSON line."""
    gan = common.dcgan(width=64)
    start = time.perf_counter()
    result = tfgan_zoo.metrics.evaluate(gan, common.DATA, num=num, num_real=num_real,
                                        verbose=0)
    print(json.dumps({"seconds": time.perf_counter() - start, "fid": result["fid"]}))


def inception(args):
    import numpy as np

    from tfgan_zoo.metrics import extractors

    extract = extractors.get("inception")
    num = 100 if args.quick else 1000
    rows = []
    for shape in ((28, 28, 1), (64, 64, 3)):
        images = np.random.default_rng(0).uniform(-1, 1, (num,) + shape).astype(np.float32)
        extract(images[:50])  # traced and warm
        start = time.perf_counter()
        extract(images)
        rate = num / (time.perf_counter() - start)
        # evaluate's first run: 10k generated, 10k training images, 10k test images as the
        # floor and at two blurs; later runs read the real images' features from the cache
        rows.append(["x".join(map(str, shape)), num, f"{rate:.1f}",
                     f"{50_000 / rate / 60:.0f}", f"{10_000 / rate / 60:.0f}"])
        print(rows[-1], flush=True)
    return ("The standard FID Inception-v3 on the CPU (batches of 50, resized to 299x299 "
            "bilinearly)", ["input", "images", "images/s", "evaluate 10k, first run (min)",
                           "evaluate 10k, real features cached (min)"], rows)


def run(args):
    if args.extractor == "inception":
        return inception(args)
    sizes = [(1000, 1000), (10_000, 1000)] if args.quick else [(10_000, 10_000),
                                                                (100_000, 10_000)]
    rows = []
    for num, num_real in sizes:
        proc = subprocess.Popen([sys.executable, "-m", "benchmarks.evaluate", str(num),
                                 str(num_real)], cwd=common.TOOLS, stdout=subprocess.PIPE,
                                text=True)
        output = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)  # the child's own rusage: its peak RSS
        if status:
            raise SystemExit(f"evaluation child failed ({status}): {output}")
        result = json.loads(output.strip().splitlines()[-1])
        rows.append([f"{num:,} generated vs {num_real:,} real", "classifier_fashion_mnist",
                     f"{result['seconds']:.1f}", f"{usage.ru_maxrss / 1024:.0f}"])
        print(rows[-1], flush=True)
    return ("evaluate (generate with an untrained DCGAN width 64, extract, FID/KID/IS/PR "
            "and the real floor)", ["run", "extractor", "seconds", "peak RSS (MiB)"], rows)


if __name__ == "__main__":
    child(int(sys.argv[1]), int(sys.argv[2]))
