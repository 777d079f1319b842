"""A tf.profiler trace of a few training steps of the tutorial loop and
GAN.fit (both modes), and their ms per step under the profiler
(its overhead included). With `--models`: where a training step's time
goes, per model (`BREAKDOWN`: families at about equal parameters), by timing its
parts alone: G forward, D forward and backward, the R1 penalty, and whole
steps with and without R1 and R2.

The traces (`.xplane.pb` under runs/profile/SETUP) open in TensorBoard's
Profile tab or XProf, which show the op types by self time. This benchmark no
longer tabulates those itself: TensorFlow reads them back only through a
private module (`tensorflow.python.profiler.internal`), and the public
`tf.profiler.experimental` API only starts and stops traces."""
import os
import re
import statistics
import time

import keras
import tensorflow as tf

import tfgan_zoo

from . import common, train


# Name -> (family, its options on 28x28x1, the losses its steps are timed
# with): R3GAN's default widths, the DCGAN width of about as many
# parameters, and R3GAN at a quarter of the width (a 16th of the FLOPs).
BREAKDOWN = {"r3gan": ("r3gan", {}, ("rpgan",)),
             "dcgan": ("dcgan", {"width": 36}, ("non_saturating", "rpgan")),
             "r3gan_w32": ("r3gan", {"width": 32}, ("rpgan",))}
GAMMA = 0.05  # R1 and R2 weights of the penalized steps (R3GAN's CIFAR-10 start)


def add_arguments(parser):
    common.add_quick(parser)
    parser.add_argument("--models", nargs="+", choices=sorted(BREAKDOWN),
                        help="time the parts of a training step of these models (BREAKDOWN) "
                             "instead")


def run(args):
    if args.models:
        return breakdown(args.models, 2 if args.quick else 10)
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


def _median_ms(fn, steps):
    """Median ms of `steps` calls of `fn` (whose result is fetched), after two
    calls that trace and warm up."""
    for _ in range(2):
        tf.nest.map_structure(lambda t: None if t is None else t.numpy(), fn())
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        tf.nest.map_structure(lambda t: None if t is None else t.numpy(), fn())
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _fit_ms(gan, dataset, steps):
    """Median ms per step of GAN.fit over windows of `steps` steps (the first
    window traces). The data repeats, so that the windows share one iterator
    and do not refill the shuffle buffer each time."""
    timer = common.EpochTimer()
    gan.fit(dataset.repeat(), epochs=4, steps_per_epoch=steps, verbose=0, callbacks=[timer])
    return statistics.median(timer.seconds[1:]) / steps * 1000


def breakdown(names, steps, batch=64):
    """Rows of ms per part of a step, per model and loss: batch 64 of
    Fashion-MNIST, float32, alternating G and D steps (the default)."""
    dataset, info = tfgan_zoo.load_images(common.DATA, batch)
    real = next(iter(dataset))
    rows = []
    for name in names:
        family, options, losses = BREAKDOWN[name]
        keras.utils.set_random_seed(0)
        gan = tfgan_zoo.families.get(family).build_model(info, seed=0, **options)
        g, d = gan.generator, gan.discriminator
        z = tf.random.normal([batch, gan.latent_dim])

        def d_forward_backward():
            with tf.GradientTape() as tape:
                out = tf.reduce_sum(d(real, training=True))
            return tape.gradient(out, d.trainable_variables)

        def r1():  # the penalty and its gradient: D forward, input gradient, both backward
            with tf.GradientTape() as tape:
                penalty = tf.reduce_sum(tfgan_zoo.losses.r1_penalty(
                    real, lambda x: d(x, training=True), reduction="none"))
            return tape.gradient(penalty, d.trainable_variables)

        parts = {"G forward": tf.function(lambda: g(z, training=True)),
                 "D forward": tf.function(lambda: d(real, training=True)),
                 "D forward + backward": tf.function(d_forward_backward),
                 "R1 penalty + its gradient": tf.function(r1)}
        params = f"{g.count_params():,} + {d.count_params():,}"
        for part, fn in parts.items():
            rows.append([name, params, part, f"{_median_ms(fn, steps):.1f}"])
            print(rows[-1], flush=True)
        for loss in losses:
            for gamma in (0.0, GAMMA):
                gan.compile(g_optimizer=keras.optimizers.Adam(2e-4),
                            d_optimizer=keras.optimizers.Adam(2e-4), loss=loss,
                            r1_weight=gamma, r2_weight=gamma)
                step = f"step (G + D), {loss}" + (f", R1 + R2 (gamma {gamma})" if gamma else "")
                rows.append([name, params, step, f"{_fit_ms(gan, dataset, steps):.1f}"])
                print(rows[-1], flush=True)
    return (f"Where a training step's time goes (batch {batch}, 28x28x1, float32; median ms "
            "of each part alone; steps: median over windows of GAN.fit)",
            ["model", "params (G + D)", "part", "ms"], rows)
