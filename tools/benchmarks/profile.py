"""A tf.profiler trace of a few training steps of the tutorial loop and
GAN.fit (both modes), and their ms per step under the profiler
(its overhead included).

The traces (`.xplane.pb` under runs/profile/SETUP) open in TensorBoard's
Profile tab or XProf, which show the op types by self time. This benchmark no
longer tabulates those itself: TensorFlow reads them back only through a
private module (`tensorflow.python.profiler.internal`), and the public
`tf.profiler.experimental` API only starts and stops traces."""
import os
import re

import tensorflow as tf

import tfgan_zoo

from . import common, train


def add_arguments(parser):
    common.add_quick(parser)


def run(args):
    steps = 2 if args.quick else 5
    dataset, _ = tfgan_zoo.load_images(common.DATA, train.TUTORIAL_BATCH)
    # Not XLA: its compiled step is one executable, opaque to framework op stats.
    setups = {"tutorial loop (reference)": train.reference_loop(),
              "GAN.fit simultaneous": train.fit_loop(True),
              "GAN.fit alternating (default)": train.fit_loop(False)}
    rows = []
    for name, (_, window) in setups.items():
        window(dataset, 2)  # trace and compile outside the profile
        logdir = os.path.join(common.ROOT, "runs", "profile",
                              re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_"))
        tf.profiler.experimental.start(logdir)
        seconds = window(dataset, steps)
        tf.profiler.experimental.stop()
        rows.append([name, f"{1000 * seconds / steps:.1f}",
                     os.path.relpath(logdir, common.ROOT)])
        print(rows[-1], flush=True)
    return (f"Training steps under tf.profiler ({steps} steps each, tutorial networks, batch "
            f"{train.TUTORIAL_BATCH}; op types by self time: open the trace in TensorBoard's "
            "Profile tab or XProf)",
            ["setup", "ms / step (profiler overhead included)", "trace (logdir)"], rows)
