"""Seconds and peak RSS of `tfgan_zoo.metrics.evaluate` (10k and 100k generated
vs 10k real), each in a child process so that its peak RSS is its own.

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


def child(num, num_real):
    """Times one evaluation with an untrained DCGAN of width 64 (as fast as a
    trained one) and prints the result as a JSON line."""
    gan = common.dcgan(width=64)
    start = time.perf_counter()
    result = tfgan_zoo.metrics.evaluate(gan, common.DATA, num=num, num_real=num_real,
                                        verbose=0)
    print(json.dumps({"seconds": time.perf_counter() - start, "fid": result["fid"]}))


def run(args):
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
