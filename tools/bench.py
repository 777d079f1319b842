"""Speed, measured: each subcommand prints a table row and appends it to
BENCHMARKS.md with the machine, versions, date and the command that made it.

  python tools/bench.py distribute [--quick]   fit img/s: one device vs
                                               MirroredStrategy, 1 and 2 replicas
  python tools/bench.py eval [--quick]         seconds and peak RSS of `evaluate`
                                               (10k and 100k generated vs 10k real)
  python tools/bench.py presets [--quick]      each GAN preset's scores beside the
                                               real floor and the blurred yardstick
  python tools/bench.py train [--quick]        GAN.fit on the TF tutorial's DCGAN vs the
                                               tutorial's own tf.function loop, alternated;
                                               FLOPs per image-step and share of fp32 GEMM
                                               (--no-remapping: grappler's remapper off,
                                               as `tfgan-zoo train` runs)
  python tools/bench.py profile [--quick]      where a training step's time goes (op
                                               types by self time, tf.profiler) for the
                                               tutorial loop and GAN.fit (both modes)
  python tools/bench.py quality RECIPE... [--epochs N] [--quick]
                                               FID after each epoch against training
                                               wall time, per recipe (QUALITY_RECIPES)
  python tools/bench.py sample [--quick]       generators via Keras, SavedModel and
                                               LiteRT per quantization: size, batch-1
                                               latency, img/s, difference to Keras, FID
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402  (devices are configured later, per subcommand)

import tfgan_zoo  # noqa: E402
from tfgan_zoo.distribute import get_strategy  # noqa: E402
from zoo_models import dcgan  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
BENCHMARKS = os.path.join(ROOT, "BENCHMARKS.md")
DATA = os.path.join(ROOT, "..", "shared", "datasets", "fashion_mnist.npz")


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    gpus = [d.name for d in tf.config.list_physical_devices("GPU")]
    onednn = os.environ.get("TF_ENABLE_ONEDNN_OPTS")
    return (f"{cpu}, {os.cpu_count()} cores{', GPUs: ' + ', '.join(gpus) if gpus else ''}"
            f"{'; TF_ENABLE_ONEDNN_OPTS=' + onednn if onednn is not None else ''}; "
            f"TF {tf.__version__}, Keras {keras.__version__}, Python {platform.python_version()}; "
            f"{datetime.date.today()}")


def record(section, header, rows):
    """Appends a table under `## section` in BENCHMARKS.md (made if missing)."""
    command = "python tools/bench.py " + " ".join(sys.argv[1:])
    lines = [f"\n### {section}: `{command}`\n", f"{machine()}\n",
             "| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    text = "\n".join(lines) + "\n"
    print(text)
    if not os.path.exists(BENCHMARKS):
        text = "# Benchmarks\n\nEvery table was made by `tools/bench.py`; newest last.\n" + text
    with open(BENCHMARKS, "a") as f:
        f.write(text)


class EpochTimer(keras.callbacks.Callback):
    """Seconds of each epoch of a fit (an epoch here is one timed window)."""

    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.start)


def fit_images_per_second(strategy, batch_size, width, steps, windows):
    """Median img/s of `fit` over timed windows after one warm-up window."""
    dataset, info = tfgan_zoo.load_data(DATA, batch_size, epochs=range(windows + 1))
    with strategy.scope():
        keras.utils.set_random_seed(0)
        g, d = dcgan.build(info["image_shape"], width=width)
        gan = tfgan_zoo.GAN(g, d)
        gan.compile()
    timer = EpochTimer()
    gan.fit(dataset, epochs=windows + 1, steps_per_epoch=steps, verbose=0, callbacks=[timer])
    rates = [steps * batch_size / s for s in timer.seconds[1:]]
    return statistics.median(rates), min(rates), max(rates)


def distribute(args):
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
    record("fit throughput under tf.distribute",
           ["setup", "model", "global batch", "img/s (median)", "range"], rows)


def eval_child(num, num_real):
    """Runs in a child process, so that its peak RSS is its own."""
    g, d = dcgan.build((28, 28, 1), width=64)
    gan = tfgan_zoo.GAN(g, d)
    start = time.perf_counter()
    result = tfgan_zoo.metrics.evaluate(gan, DATA, num=num, num_real=num_real, verbose=0)
    print(json.dumps({"seconds": time.perf_counter() - start, "fid": result["fid"]}))


def evaluate_(args):
    sizes = [(1000, 1000), (10_000, 1000)] if args.quick else [(10_000, 10_000),
                                                                (100_000, 10_000)]
    rows = []
    for num, num_real in sizes:
        proc = subprocess.Popen([sys.executable, __file__, "_eval_child", str(num),
                                 str(num_real)], stdout=subprocess.PIPE, text=True)
        output = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        if status:
            raise SystemExit(f"evaluation child failed ({status}): {output}")
        child = json.loads(output.strip().splitlines()[-1])
        rows.append([f"{num:,} generated vs {num_real:,} real", "classifier_fashion_mnist",
                     f"{child['seconds']:.1f}", f"{usage.ru_maxrss / 1024:.0f}"])
        print(rows[-1], flush=True)
    record("evaluate (generate with an untrained DCGAN width 64, extract, FID/KID/IS/PR "
           "and the real floor)", ["run", "extractor", "seconds", "peak RSS (MiB)"], rows)


def _training_minutes(name):
    """Wall time of the run that made a preset (kept in runs/ by train_preset.py)."""
    path = os.path.join(ROOT, "runs", "presets", name, "history.json")
    if not os.path.exists(path):
        return "see card"
    return f"{sum(json.load(open(path))['seconds']) / 60:.0f}"


def presets_(args):
    """Scores every GAN preset with the extractor of its data."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from train_preset import GAN_RECIPES

    num = 2000 if args.quick else 10_000
    rows = []
    for name in tfgan_zoo.list_presets():
        recipe = GAN_RECIPES.get(name)
        if recipe is None:  # not a GAN preset
            continue
        path = os.path.join(os.path.dirname(DATA), recipe["data"])
        gan = tfgan_zoo.from_preset(name)
        scores = tfgan_zoo.metrics.evaluate(gan, path, num=num, verbose=0)
        test, _ = tfgan_zoo.data.load_arrays(path, "test")
        blur = tfgan_zoo.metrics.blurred(test[:num])
        yardstick = tfgan_zoo.metrics.evaluate(blur, path, num=len(blur), num_real=num,
                                               verbose=0)
        rows.append([name, recipe["loss"], recipe["epochs"], _training_minutes(name),
                     f"{scores['fid']:.2f}", f"{scores['floor']['fid']:.2f}",
                     f"{yardstick['fid']:.2f}", f"{scores['fid'] / yardstick['fid']:.2f}",
                     f"{scores['precision']:.3f}", f"{scores['recall']:.3f}"])
        print(rows[-1], flush=True)
    record(f"GAN presets ({num} generated vs {num} training images, the data's zoo "
           "classifier)", ["preset", "loss", "epochs", "train min", "FID", "floor FID",
                           "blurred FID", "FID / blurred", "precision", "recall"], rows)


TUTORIAL_BATCH = 256


def _step_flops(fn, batch):
    """Float ops of one traced step (forward, backward, optimizer update), summed
    over the ops the step's outputs and updates depend on, with TF's per-op
    flop statistics (those the profiler uses). Walking back from the outputs
    skips the gradient ops that tape.gradient builds but nothing consumes
    (TF prunes them before running; the profiler alone would count them)."""
    from tensorflow.python.framework import ops as tf_ops

    graph = fn.get_concrete_function(tf.TensorSpec([batch, 28, 28, 1], tf.float32)).graph
    stack = [t.op for t in graph.outputs] + list(graph.control_outputs)
    seen, total = set(), 0
    while stack:
        op = stack.pop()
        if op.name in seen:
            continue
        seen.add(op.name)
        total += tf_ops.get_stats_for_node_def(graph, op.node_def, "flops").value or 0
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


def _tutorial_networks(dtype_policy=None):
    keras.utils.set_random_seed(0)
    return dcgan.build((28, 28, 1), architecture="tutorial", dtype_policy=dtype_policy)


def _reference_loop():
    """The tutorial's training step, verbatim in spirit: one generator forward,
    two tapes, BinaryCrossentropy, Adam(1e-4) each. Returns (step, window)."""
    generator, discriminator = _tutorial_networks()
    g_opt, d_opt = keras.optimizers.Adam(1e-4), keras.optimizers.Adam(1e-4)
    cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)

    @tf.function
    def train_step(images):
        noise = tf.random.normal([TUTORIAL_BATCH, 100])
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


def _fit_loop(simultaneous, dtype_policy=None, data=None, **compile_options):
    """(step, window) of GAN.fit on the tutorial networks; `data` replaces the
    window's dataset (a pipeline variant)."""
    generator, discriminator = _tutorial_networks(dtype_policy)
    gan = tfgan_zoo.GAN(generator, discriminator, seed=0)
    gan.compile(g_optimizer=keras.optimizers.Adam(1e-4),
                d_optimizer=keras.optimizers.Adam(1e-4), simultaneous=simultaneous,
                **compile_options)
    timer = EpochTimer()

    def window(dataset, steps):
        gan.fit(data or dataset, epochs=1, steps_per_epoch=steps, verbose=0, shuffle=False,
                callbacks=[timer])
        return timer.seconds[-1]
    return tf.function(gan.train_step), window


def _cached_pipeline():
    """`load_data`'s pipeline with the scaled float images cached before the
    shuffle, so that an epoch only shuffles and batches."""
    images, _ = tfgan_zoo.data.load_arrays(DATA, "train")
    return (tf.data.Dataset.from_tensor_slices(images)
            .map(tfgan_zoo.data._scale, num_parallel_calls=tf.data.AUTOTUNE).cache()
            .shuffle(len(images), seed=0).batch(TUTORIAL_BATCH, drop_remainder=True)
            .prefetch(tf.data.AUTOTUNE))


def train_(args):
    """Img/s of each setup in alternated windows of `steps` steps (median of
    `windows` after one warm-up window each), FLOPs per image-step of each
    setup's traced step, and the achieved share of this machine's GEMM rate."""
    steps, windows = (4, 2) if args.quick else (20, 5)
    dataset, _ = tfgan_zoo.load_data(DATA, TUTORIAL_BATCH)  # each window iterates anew
    cached = _cached_pipeline()
    setups = {
        "tutorial loop (reference)": _reference_loop(),
        "GAN.fit simultaneous": _fit_loop(True),
        "GAN.fit simultaneous, steps_per_execution=10": _fit_loop(
            True, steps_per_execution=10),
        "GAN.fit alternating (default)": _fit_loop(False),
        "GAN.fit simultaneous, jit_compile": _fit_loop(True, jit_compile=True),
        "GAN.fit simultaneous, mixed_bfloat16": _fit_loop(True, dtype_policy="mixed_bfloat16"),
        "GAN.fit simultaneous, cached pipeline": _fit_loop(True, data=cached),
    }
    if args.quick:
        setups.pop("GAN.fit simultaneous, steps_per_execution=10")
    gemm = gemm_gflops()

    def pipeline_window(dataset, steps):  # the input pipeline alone, no training
        iterator = iter(dataset)
        start = time.perf_counter()
        for _ in range(steps):
            next(iterator)
        return time.perf_counter() - start
    setups["tf.data pipeline alone (no training)"] = (None, pipeline_window)
    setups["tf.data pipeline alone, cached"] = (
        None, lambda dataset, steps: pipeline_window(cached, steps))
    seconds = {name: [] for name in setups}
    for round_ in range(windows + 1):
        for name, (_, window) in setups.items():
            elapsed = window(dataset, steps)
            if round_:  # the first round traces and warms up
                seconds[name].append(elapsed)
    reference = None
    rows = []
    for name, (step, _) in setups.items():
        rates = [steps * TUTORIAL_BATCH / s for s in seconds[name]]
        rate = statistics.median(rates)
        reference = reference or rate
        if step is None:
            rows.append([name, f"{rate:.0f}", f"{min(rates):.0f}-{max(rates):.0f}",
                         f"{rate / reference:.3f}", "-", "-", "-"])
            continue
        flops = _step_flops(step, TUTORIAL_BATCH) / TUTORIAL_BATCH
        achieved = flops * rate / 1e9
        rows.append([name, f"{rate:.0f}", f"{min(rates):.0f}-{max(rates):.0f}",
                     f"{rate / reference:.3f}", f"{flops / 1e9:.3f}", f"{achieved:.1f}",
                     f"{achieved / gemm:.0%}"])
        print(rows[-1], flush=True)
    record(f"Training speed, TF DCGAN tutorial networks, batch {TUTORIAL_BATCH} "
           f"(median of {windows} alternated windows of {steps} steps; fp32 GEMM "
           f"{gemm:.0f} GFLOP/s measured in the same run)",
           ["setup", "img/s", "range", "vs reference", "GFLOP / image-step",
            "GFLOP/s", "share of GEMM"], rows)


def profile_(args):
    """Op types by self time per step, from a tf.profiler trace of a few steps
    of each setup (the tool data TensorBoard's profile plugin shows)."""
    import collections
    import glob
    import tempfile

    from tensorflow.python.profiler.internal import _pywrap_profiler_plugin

    steps, top = (2, 5) if args.quick else (5, 8)
    dataset, _ = tfgan_zoo.load_data(DATA, TUTORIAL_BATCH)
    # Not XLA: its compiled step is one executable, opaque to framework op stats.
    setups = {"tutorial loop (reference)": _reference_loop(),
              "GAN.fit simultaneous": _fit_loop(True),
              "GAN.fit alternating (default)": _fit_loop(False)}
    rows = []
    for name, (_, window) in setups.items():
        window(dataset, 2)  # trace and compile outside the profile
        logdir = tempfile.mkdtemp()
        tf.profiler.experimental.start(logdir)
        window(dataset, steps)
        tf.profiler.experimental.stop()
        xplanes = glob.glob(os.path.join(logdir, "**", "*.xplane.pb"), recursive=True)
        raw, _ = _pywrap_profiler_plugin.xspace_to_tools_data(xplanes, "framework_op_stats",
                                                              {})
        table = json.loads(raw)[0]
        names = [c["id"] for c in table["cols"]]
        by_type = collections.Counter()
        for row in table["rows"]:
            cells = dict(zip(names, (c.get("v") for c in row["c"])))
            if cells["type"] != "IDLE":
                by_type[cells["type"]] += cells["total_self_time"] / steps / 1000
        total = sum(by_type.values())
        for op_type, ms in by_type.most_common(top):
            rows.append([name, op_type, f"{ms:.1f}", f"{ms / total:.0%}"])
        rows.append([name, "(all op types)", f"{total:.1f}", "100%"])
        print(rows[-1], flush=True)
    record(f"Where a training step goes: op types by self time, ms per step (tf.profiler, "
           f"{steps} steps each, tutorial networks, batch {TUTORIAL_BATCH})",
           ["setup", "op type", "ms / step", "share"], rows)


# Recipes on Fashion-MNIST for `quality`: keyword arguments of `tfgan_zoo.train`.
QUALITY_RECIPES = {
    "dcgan_w32_b64": {"width": 32, "batch_size": 64, "ema_decay": 0.999},  # the preset's
    "dcgan_w64_b64": {"width": 64, "batch_size": 64, "ema_decay": 0.999},
    "dcgan_w32_b128": {"width": 32, "batch_size": 128, "ema_decay": 0.999},
    "dcgan_w32_b64_lr1e-4": {"width": 32, "batch_size": 64, "ema_decay": 0.999,
                             "learning_rate": 1e-4},
    "dcgan_w32_b64_bf16": {"width": 32, "batch_size": 64, "ema_decay": 0.999,
                           "dtype_policy": "mixed_bfloat16"},
    "dcgan_w32_b64_hinge": {"width": 32, "batch_size": 64, "ema_decay": 0.999,
                            "loss": "hinge"},
    # The TF DCGAN tutorial: its networks, Adam(1e-4), batch 256, its simultaneous loop
    "tutorial": {"architecture": "tutorial", "batch_size": 256, "learning_rate": 1e-4,
                 "beta_1": 0.9, "simultaneous": True},
    "wgan_gp_w32_d5": {"width": 32, "batch_size": 64, "ema_decay": 0.999,
                       "loss": "wgan_gp"},  # the preset's
    "wgan_gp_w32_d2": {"width": 32, "batch_size": 64, "ema_decay": 0.999,
                       "loss": "wgan_gp", "d_steps": 2},
}


def quality(args):
    """Trains each recipe one epoch at a time (resumable: runs/quality/RECIPE),
    scoring FID of 5,000 samples (EMA and live generator) against 5,000
    training images by the zoo classifier after every epoch. Training time is
    the fit time of the epochs only (from history.json)."""
    import numpy as np

    from tfgan_zoo import files, images
    from tfgan_zoo.metrics import extractors, frechet_distance

    num = 1000 if args.quick else 5000
    epochs = args.epochs or (1 if args.quick else 5)
    extract = extractors.get("classifier_fashion_mnist")
    train_images, _ = tfgan_zoo.data.load_arrays(DATA, "train")
    real = train_images[np.random.default_rng(0).permutation(len(train_images))[:num]]
    real_features, _ = extract(images.to_float(real))
    rows = []
    for name in args.recipes:
        out = os.path.join(ROOT, "runs", "quality" + ("_quick" if args.quick else ""), name)
        scores_path = os.path.join(out, "quality.json")
        scores = json.load(open(scores_path)) if os.path.exists(scores_path) else {}
        for epoch in range(1, epochs + 1):
            if str(epoch) not in scores:
                gan = tfgan_zoo.train(DATA, out, epochs=epoch, verbose=0,
                                      limit=2000 if args.quick else None,
                                      **QUALITY_RECIPES[name])
                seconds = sum(json.load(open(os.path.join(out, "history.json")))["seconds"])
                fids = {}
                for kind, use_ema in (("ema", True), ("live", False)):
                    features, _ = extract(gan.generate(num, seed=0, use_ema=use_ema))
                    fids[kind] = frechet_distance(real_features, features)
                scores[str(epoch)] = {"seconds": seconds, **fids}
                files.write_bytes(scores_path, json.dumps(scores, indent=1).encode())
            entry = scores[str(epoch)]
            rows.append([name, epoch, f"{entry['seconds'] / 60:.1f}", f"{entry['ema']:.2f}",
                         f"{entry['live']:.2f}"])
            print(rows[-1], flush=True)
    record(f"Time to quality on Fashion-MNIST (FID of {num} samples vs {num} training "
           f"images, zoo classifier, after each epoch; plot: {args.plot})",
           ["recipe", "epoch", "train min", "FID (EMA G)", "FID (live G)"], rows)
    if not args.quick:
        _plot_quality(rows, os.path.join(ROOT, args.plot))


def _plot_quality(rows, path):
    """FID (what `generate` gives: the EMA G when there is one) against
    training minutes, one line per recipe."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    from tfgan_zoo import files

    figure, axes = pyplot.subplots(figsize=(7, 4.5))
    for name in dict.fromkeys(row[0] for row in rows):
        points = [(float(r[2]), float(r[3])) for r in rows if r[0] == name]
        axes.plot(*zip(*points), marker="o", label=name)
    axes.set(xlabel="training wall time (min, 2-core CPU)", ylabel="FID (zoo classifier)",
             yscale="log", title="Fashion-MNIST: FID after each epoch")
    for axis in (axes.yaxis.set_major_formatter, axes.yaxis.set_minor_formatter):
        axis(matplotlib.ticker.ScalarFormatter())
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    with files.atomic_path(path) as tmp:
        figure.savefig(tmp, format="png", dpi=100, bbox_inches="tight")


def _median_ms(fn, repeats):
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return f"{1000 * statistics.median(times):.2f}"


def _folder_kb(path):
    return sum(os.path.getsize(os.path.join(root, n))
               for root, _, names in os.walk(path) for n in names) // 1024


def sample_(args):
    """Generators served four ways, on the same latents: Keras `predict` and a
    plain tf.function call, the exported SavedModel, and LiteRT per
    quantization. Batch-1 latency, images/s in batches of 256, difference to
    Keras, FID of the images (zoo classifier, as the preset cards)."""
    import tempfile

    import numpy as np
    from ai_edge_litert.interpreter import Interpreter

    from tfgan_zoo import export, images

    num, repeats, batch = (1000, 20, 256) if args.quick else (10_000, 200, 256)
    data = os.path.join(os.path.dirname(DATA), "fashion_mnist.npz")
    rows = []
    for name in ("dcgan_fashion_mnist", "cdcgan_fashion_mnist"):
        gan = tfgan_zoo.from_preset(name)
        generator = gan.ema_generator or gan.generator
        z = np.asarray(gan.latents(num, 0))
        labels = gan.class_cycle(num)
        labels = None if labels is None else labels.astype(np.int64)
        call = tf.function(lambda z, y: generator([z, y] if gan.conditional else z,
                                                  training=False))
        runners = {
            "Keras predict": lambda z, y: generator.predict(
                [z, y] if gan.conditional else z, batch_size=batch, verbose=0),
            "Keras call (tf.function)": lambda z, y: call(z, y).numpy(),
        }
        sizes = {}
        work = tempfile.mkdtemp()
        path = export.export_serving(gan, work, name=name)
        served = tf.saved_model.load(path).signatures["serving_default"]
        runners["SavedModel serving_default"] = lambda z, y: served(
            **({"z": tf.constant(z)} | ({"labels": tf.constant(y)} if y is not None
                                       else {})))["images"].numpy()
        sizes["SavedModel serving_default"] = _folder_kb(path)
        for quantize in export.QUANTIZATIONS:
            file = export.export_tflite(gan, os.path.join(work, f"{quantize}.tflite"),
                                        quantize=quantize)
            runner = Interpreter(model_path=file).get_signature_runner()
            runners[f"TFLite {quantize}"] = lambda z, y, runner=runner: runner(
                **({"z": z} | ({"labels": y} if y is not None else {})))["images"]
            sizes[f"TFLite {quantize}"] = os.path.getsize(file) // 1024
        reference = None
        for kind, run in runners.items():
            y1 = None if labels is None else labels[:1]
            latency = _median_ms(lambda: run(z[:1], y1), repeats)
            start = time.perf_counter()
            out = np.concatenate([run(z[i:i + batch], None if labels is None
                                      else labels[i:i + batch])
                                  for i in range(0, num, batch)])
            rate = num / (time.perf_counter() - start)
            reference = out if reference is None else reference
            diff = np.abs(out - reference)
            fid = tfgan_zoo.metrics.evaluate(images.to_uint8(out), data, num=num,
                                             verbose=0)["fid"]
            rows.append([name, kind, sizes.get(kind, "-"), latency, f"{rate:.0f}",
                         f"{diff.max():.4f}", f"{diff.mean():.5f}", f"{fid:.2f}"])
            print(rows[-1], flush=True)
        tf.io.gfile.rmtree(work)
    record(f"Sampling and export ({num} images from the same latents; batch-1 latency: "
           f"median of {repeats} calls; img/s in batches of {batch}; LiteRT default "
           "threads)", ["preset", "format", "size KB", "batch-1 ms", "img/s",
                        "max |diff| to Keras", "mean |diff|", "FID"], rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("distribute", "eval", "presets", "sample", "train", "profile"):
        commands.add_parser(name).add_argument("--quick", action="store_true",
                                               help="a smoke run of a minute or less")
    commands.choices["train"].add_argument(
        "--no-remapping", action="store_true",
        help="grappler's remapper off, as `tfgan-zoo train` runs (see cli.main)")
    quality_ = commands.add_parser("quality")
    quality_.add_argument("recipes", nargs="+", choices=sorted(QUALITY_RECIPES))
    quality_.add_argument("--epochs", type=int, help="default 5 (1 with --quick)")
    quality_.add_argument("--quick", action="store_true", help="2,000 images, 1 epoch")
    quality_.add_argument("--plot", default="docs/time_to_quality.png",
                          help="PNG of FID against training time (under the project)")
    if len(sys.argv) == 4 and sys.argv[1] == "_eval_child":
        return eval_child(int(sys.argv[2]), int(sys.argv[3]))
    args = parser.parse_args()
    if getattr(args, "no_remapping", False):
        tf.config.optimizer.set_experimental_options({"remapping": False})
    {"distribute": distribute, "eval": evaluate_, "presets": presets_,
     "sample": sample_, "quality": quality, "train": train_,
     "profile": profile_}[args.command](args)


if __name__ == "__main__":
    main()
