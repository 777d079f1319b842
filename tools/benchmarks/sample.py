"""Generators served four ways, on the same latents: Keras `predict` and a
plain tf.function call (clipped to [-1, 1], as `GAN.generate`), the exported
SavedModel, and LiteRT per quantization. Size, batch-1 latency, img/s in
batches of 256, difference to Keras, FID of the images (zoo classifier, as
the preset cards)."""
import os
import tempfile
import time

import numpy as np
import tensorflow as tf

import tfgan_zoo
from tfgan_zoo import export, images

from . import common


def add_arguments(parser):
    parser.add_argument("presets", nargs="*", default=["dcgan_fashion_mnist",
                                                       "cdcgan_fashion_mnist"],
                        help="GAN presets (default: the two Fashion-MNIST DCGANs); FID on "
                             "each one's recipe data by its extractor")
    common.add_quick(parser)


def recipe_data(name):
    """(data source, extractor or None) that a preset's recipe trained and scores on."""
    recipe = tfgan_zoo.presets.registry()[name]["recipe"]
    data = recipe["data"]
    return (data if data.startswith("tfds:") else os.path.join(common.DATASETS, data),
            recipe.get("extractor"))


def folder_kb(path):
    return sum(os.path.getsize(os.path.join(root, n))
               for root, _, names in os.walk(path) for n in names) // 1024


def runners(gan, name, work, batch):
    """{format: run(z, labels) -> images} and {format: size in KB}."""
    from ai_edge_litert.interpreter import Interpreter  # only this benchmark needs LiteRT

    generator = gan.ema_generator or gan.generator

    def inputs(z, y):
        return [z, y] if gan.conditional else z
    call = tf.function(lambda z, y: generator(inputs(z, y), training=False))
    # Clipped to [-1, 1] as GAN.generate and the exports clip: a generator without a
    # final tanh (R3GAN's) may step outside.
    found = {
        "Keras predict": lambda z, y: np.clip(generator.predict(
            inputs(z, y), batch_size=batch, verbose=0), -1, 1),
        "Keras call (tf.function)": lambda z, y: np.clip(call(z, y).numpy(), -1, 1),
    }
    path = export.export_serving(gan, work, name=name)
    served = tf.saved_model.load(path).signatures["serving_default"]
    found["SavedModel serving_default"] = lambda z, y: served(
        **({"z": tf.constant(z)} | ({"labels": tf.constant(y)} if y is not None
                                   else {})))["images"].numpy()
    sizes = {"SavedModel serving_default": folder_kb(path)}
    for quantize in export.QUANTIZATIONS:
        file = export.export_tflite(gan, os.path.join(work, f"{quantize}.tflite"),
                                    quantize=quantize)
        runner = Interpreter(model_path=file).get_signature_runner()
        found[f"TFLite {quantize}"] = lambda z, y, runner=runner: runner(
            **({"z": z} | ({"labels": y} if y is not None else {})))["images"]
        sizes[f"TFLite {quantize}"] = os.path.getsize(file) // 1024
    return found, sizes


def run(args):
    num, repeats, batch = (1000, 20, 256) if args.quick else (10_000, 200, 256)
    rows = []
    for name in args.presets:
        gan = tfgan_zoo.load(name)
        data, extractor = recipe_data(name)
        z = np.asarray(gan.latents(num, 0))
        labels = gan.class_cycle(num)
        labels = None if labels is None else labels.astype(np.int64)
        work = tempfile.mkdtemp()
        found, sizes = runners(gan, name, work, batch)
        reference = None
        for kind, run_ in found.items():
            y1 = None if labels is None else labels[:1]
            latency = common.median_ms(lambda: run_(z[:1], y1), repeats)
            start = time.perf_counter()
            out = np.concatenate([run_(z[i:i + batch], None if labels is None
                                       else labels[i:i + batch])
                                  for i in range(0, num, batch)])
            rate = num / (time.perf_counter() - start)
            reference = out if reference is None else reference
            diff = np.abs(out - reference)
            fid = tfgan_zoo.metrics.evaluate(images.to_uint8(out), data, num=num,
                                             extractor=extractor, verbose=0)["fid"]
            rows.append([name, kind, sizes.get(kind, "-"), latency, f"{rate:.0f}",
                         f"{diff.max():.4f}", f"{diff.mean():.5f}", f"{fid:.2f}"])
            print(rows[-1], flush=True)
        tf.io.gfile.rmtree(work)
    return (f"Sampling and export ({num} images from the same latents; batch-1 latency: "
            f"median of {repeats} calls; img/s in batches of {batch}; LiteRT default "
            "threads)", ["preset", "format", "size KB", "batch-1 ms", "img/s",
                         "max |diff| to Keras", "mean |diff|", "FID"], rows)
