"""fit img/s: one device vs MirroredStrategy, 1 and 2 replicas (and the GPUs, if any)."""
import statistics

import tensorflow as tf

import tfgan_zoo
from tfgan_zoo.distribute import get_strategy

from . import common


def add_arguments(parser):
    common.add_quick(parser)


def fit_images_per_second(strategy, batch_size, width, steps, windows):
    """Median, min and max img/s of `fit` over timed windows after one warm-up window."""
    dataset, _ = tfgan_zoo.load_images(common.DATA, batch_size, epochs=range(windows + 1))
    with strategy.scope():
        gan = common.dcgan(batch_size=batch_size, width=width)
        gan.compile()
    timer = common.EpochTimer()
    gan.fit(dataset, epochs=windows + 1, steps_per_epoch=steps, verbose=0, callbacks=[timer])
    rates = [steps * batch_size / s for s in timer.seconds[1:]]
    return statistics.median(rates), min(rates), max(rates)


def run(args):
    # Two logical CPUs for a 2-replica strategy; must happen before TF
    # initializes its devices, i.e. before any other TF call of this run.
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

    setups = [("one device (default strategy)", tf.distribute.get_strategy()),
              ("MirroredStrategy, 1 replica", get_strategy("mirrored", ["/cpu:0"])),
              ("MirroredStrategy, 2 replicas (2 logical CPUs)",
               get_strategy("mirrored", ["/cpu:0", "/cpu:1"]))]
    gpus = tf.config.list_logical_devices("GPU")
    if gpus:
        setups.append((f"MirroredStrategy, {len(gpus)} GPU(s)", get_strategy("mirrored")))
    steps, windows = (5, 2) if args.quick else (40, 5)
    rows = []
    for width in (32, 64):
        for name, strategy in setups:
            median, low, high = fit_images_per_second(strategy, 64, width, steps, windows)
            rows.append([name, f"DCGAN 28x28 width {width}", 64, f"{median:.0f}",
                         f"{low:.0f}-{high:.0f}"])
            print(rows[-1], flush=True)
    return ("fit throughput under tf.distribute",
            ["setup", "model", "global batch", "img/s (median)", "range"], rows)
