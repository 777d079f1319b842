"""GAN.fit on the TF DCGAN tutorial's networks vs the tutorial's own
tf.function loop, in alternated windows; FLOPs per image-step and the share
of this machine's fp32 GEMM rate. The loops are also `profile`'s setups."""
import contextlib
import statistics
import time

import keras
import tensorflow as tf

import tfgan_zoo

from . import common

TUTORIAL_BATCH = 256


def add_arguments(parser):
    common.add_quick(parser)
    parser.add_argument("--no-remapping", action="store_true",
                        help="grappler's remapper off, as tfgan_zoo.train and `tfgan-zoo train` run (see training._fit)")


def tutorial_gan(dtype_policy=None, batch_size=TUTORIAL_BATCH):
    return common.dcgan(batch_size=batch_size, architecture="tutorial",
                        dtype_policy=dtype_policy)


def reference_loop(batch_size=TUTORIAL_BATCH):
    """The tutorial's training step, verbatim in spirit: one generator forward,
    two tapes, BinaryCrossentropy, Adam(1e-4) each. Returns (step, window):
    `window(dataset, steps)` times `steps` steps."""
    gan = tutorial_gan(batch_size=batch_size)
    generator, discriminator = gan.generator, gan.discriminator
    g_opt, d_opt = keras.optimizers.Adam(1e-4), keras.optimizers.Adam(1e-4)
    cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)

    @tf.function
    def train_step(images):
        noise = tf.random.normal([batch_size, 100])
        with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
            generated_images = generator(noise, training=True)
            real_output = discriminator(images, training=True)
            fake_output = discriminator(generated_images, training=True)
            gen_loss = cross_entropy(tf.ones_like(fake_output), fake_output)
            disc_loss = (cross_entropy(tf.ones_like(real_output), real_output)
                         + cross_entropy(tf.zeros_like(fake_output), fake_output))
        g_opt.apply_gradients(zip(gen_tape.gradient(gen_loss, generator.trainable_variables),
                                  generator.trainable_variables))
        d_opt.apply_gradients(zip(disc_tape.gradient(disc_loss,
                                                     discriminator.trainable_variables),
                                  discriminator.trainable_variables))
        return gen_loss

    def window(dataset, steps):
        iterator = iter(dataset)
        start = time.perf_counter()
        for _ in range(steps):
            loss = train_step(next(iterator))
        loss.numpy()
        return time.perf_counter() - start
    return train_step, window


def fit_loop(simultaneous, dtype_policy=None, data=None, batch_size=TUTORIAL_BATCH,
             strategy=None, **compile_options):
    """(step, window) of GAN.fit on the tutorial networks; `data` replaces the
    window's dataset (a pipeline variant); `strategy`: built and fitted under it."""
    with strategy.scope() if strategy else contextlib.nullcontext():
        return _fit_loop(simultaneous, dtype_policy, data, batch_size, compile_options)


def _fit_loop(simultaneous, dtype_policy, data, batch_size, compile_options):
    gan = tutorial_gan(dtype_policy, batch_size)
    gan.compile(g_optimizer=keras.optimizers.Adam(1e-4),
                d_optimizer=keras.optimizers.Adam(1e-4), simultaneous=simultaneous,
                **compile_options)
    timer = common.EpochTimer()

    def window(dataset, steps):
        gan.fit(data or dataset, epochs=1, steps_per_epoch=steps, verbose=0, shuffle=False,
                callbacks=[timer])
        return timer.seconds[-1]
    return tf.function(gan.train_step), window


def cached_pipeline():
    """The tutorial's preprocessing ((x - 127.5) / 127.5, as float32) cached
    before the shuffle, so that an epoch only shuffles and batches."""
    images, _ = tfgan_zoo.data.load_arrays(common.DATA, "train")
    return (tf.data.Dataset.from_tensor_slices(images)
            .map(lambda x: (tf.cast(x, tf.float32) - 127.5) / 127.5,
                 num_parallel_calls=tf.data.AUTOTUNE).cache()
            .shuffle(len(images), seed=0).batch(TUTORIAL_BATCH, drop_remainder=True)
            .prefetch(tf.data.AUTOTUNE))


FLOPS_METHOD = ("FLOPs: 2 x the multiply-adds of the traced step's Conv2D, Conv2DBackprop* "
                "and MatMul ops, from their shapes; element-wise ops not counted")


def op_flops(op):
    """2 x multiply-adds of a convolution or matmul op (0 for any other op)."""
    if op.type in ("Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter"):
        # Every element on the convolution's output side (the output, or the
        # gradient that flows into it) is a kh x kw x in_channels dot product.
        outputs = op.outputs[0] if op.type == "Conv2D" else op.inputs[2]
        kernel = op.outputs[0] if op.type == "Conv2DBackpropFilter" else op.inputs[1]
        kh, kw, in_channels, _ = kernel.shape
        return 2 * outputs.shape.num_elements() * kh * kw * in_channels
    if op.type in ("MatMul", "BatchMatMulV2", "BatchMatMulV3"):
        transposed = op.get_attr("transpose_a" if op.type == "MatMul" else "adj_x")
        inner = op.inputs[0].shape[-2 if transposed else -1]
        return 2 * op.outputs[0].shape.num_elements() * inner
    return 0


def step_flops(fn, batch):
    """FLOPs of one traced step (forward, backward, optimizer update), summed
    over the ops the step's outputs and updates depend on: walking back from
    the outputs skips the gradient ops that tape.gradient builds but nothing
    consumes (TF prunes them before running)."""
    graph = fn.get_concrete_function(tf.TensorSpec([batch, 28, 28, 1], tf.float32)).graph
    stack = [t.op for t in graph.outputs] + list(graph.control_outputs)
    seen, total = set(), 0
    while stack:
        op = stack.pop()
        if op.name in seen:
            continue
        seen.add(op.name)
        total += op_flops(op)
        stack.extend([t.op for t in op.inputs] + list(op.control_inputs))
    return total


def gemm_gflops(n=2048, repeats=10):
    """Median fp32 GFLOP/s of an n x n x n tf.matmul on this machine."""
    a, b = tf.random.normal([n, n]), tf.random.normal([n, n])
    matmul = tf.function(lambda: tf.reduce_sum(tf.matmul(a, b)))
    matmul().numpy()
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        matmul().numpy()
        rates.append(2 * n ** 3 / (time.perf_counter() - start) / 1e9)
    return statistics.median(rates)


def pipeline_window(dataset, steps):
    """The input pipeline alone, no training."""
    iterator = iter(dataset)
    start = time.perf_counter()
    for _ in range(steps):
        next(iterator)
    return time.perf_counter() - start


def run(args):
    """Img/s of each setup in alternated windows of `steps` steps (median of
    `windows` after one warm-up window each), FLOPs per image-step of each
    setup's traced step, and the achieved share of this machine's GEMM rate."""
    if args.no_remapping:
        tf.config.optimizer.set_experimental_options({"remapping": False})
    steps, windows = (4, 2) if args.quick else (20, 5)
    dataset, _ = tfgan_zoo.load_images(common.DATA, TUTORIAL_BATCH)  # each window iterates anew
    cached = cached_pipeline()
    setups = {
        "tutorial loop (reference)": reference_loop(),
        "GAN.fit simultaneous": fit_loop(True),
        "GAN.fit simultaneous, steps_per_execution=10": fit_loop(
            True, steps_per_execution=10),
        "GAN.fit alternating (default)": fit_loop(False),
        "GAN.fit simultaneous, jit_compile": fit_loop(True, jit_compile=True),
        "GAN.fit simultaneous, mixed_bfloat16": fit_loop(True, dtype_policy="mixed_bfloat16"),
        "GAN.fit simultaneous, cached pipeline": fit_loop(True, data=cached),
        "tf.data pipeline alone (no training)": (None, pipeline_window),
        "tf.data pipeline alone, cached": (
            None, lambda dataset, steps: pipeline_window(cached, steps)),
    }
    if args.quick:
        setups.pop("GAN.fit simultaneous, steps_per_execution=10")
    gemm = gemm_gflops()
    seconds = {name: [] for name in setups}
    for round_ in range(windows + 1):
        for name, (_, window) in setups.items():
            elapsed = window(dataset, steps)
            if round_:  # the first round traces and warms up
                seconds[name].append(elapsed)
        print(f"round {round_} of {windows} done (0: the warm-up)", flush=True)
    reference = None
    rows = []
    for name, (step, _) in setups.items():
        rates = [steps * TUTORIAL_BATCH / s for s in seconds[name]]
        rate = statistics.median(rates)
        reference = reference or rate
        row = [name, f"{rate:.0f}", f"{min(rates):.0f}-{max(rates):.0f}",
               f"{rate / reference:.3f}"]
        if step is None:
            rows.append(row + ["-", "-", "-"])
        else:
            flops = step_flops(step, TUTORIAL_BATCH) / TUTORIAL_BATCH
            achieved = flops * rate / 1e9
            rows.append(row + [f"{flops / 1e9:.3f}", f"{achieved:.1f}",
                               f"{achieved / gemm:.0%}"])
        print(rows[-1], flush=True)
    return (f"Training speed, TF DCGAN tutorial networks, batch {TUTORIAL_BATCH} "
            f"(median of {windows} alternated windows of {steps} steps; fp32 GEMM "
            f"{gemm:.0f} GFLOP/s measured in the same run; {FLOPS_METHOD})",
            ["setup", "img/s", "range", "vs reference", "GFLOP / image-step",
             "GFLOP/s", "share of GEMM"], rows)
