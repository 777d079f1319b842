"""Reproduces a zoo preset from scratch: `python tools/train_preset.py NAME`.

Trains with the recipe below on the data in --data-dir (default
../shared/datasets), checkpoints every epoch under runs/presets/NAME so that
re-running the command resumes after a crash, and writes the preset folder
(config, weights, card with the command, epochs, wall time and metrics,
SHA256SUMS; for GANs a sample grid) into the family's presets/ directory.
GAN presets are scored by the zoo's extractor beside two yardsticks: real
test images (the floor) and test images blurred to 7x7 and back.
"""
import argparse
import datetime
import json
import os
import platform
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

import tfgan_zoo  # noqa: E402
from tfgan_zoo import callbacks, data, images, presets  # noqa: E402
from tfgan_zoo.metrics import blurred, evaluate  # noqa: E402
from zoo_models import dcgan  # noqa: E402
from zoo_models.classifier import PRESETS as CLASSIFIER_PRESETS, Classifier  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

CLASSIFIER_RECIPES = {
    "classifier_fashion_mnist": {"data": "fashion_mnist.npz", "epochs": 15,
                                 "batch_size": 128, "learning_rate": 2e-3,
                                 "data_license": "MIT (Zalando Research)"},
    "classifier_mnist": {"data": "mnist.npz", "epochs": 30, "batch_size": 128,
                         "learning_rate": 2e-3,
                         "data_license": "CC BY-SA 3.0 (LeCun, Cortes, Burges); "
                                         "this copy: 8k train / 2k test images"},
}

FASHION_LICENSE = "MIT (Zalando Research)"
MNIST_LICENSE = ("CC BY-SA 3.0 (LeCun, Cortes, Burges); this copy: 8k train / 2k test "
                 "images")
GAN_RECIPES = {
    "dcgan_fashion_mnist": {
        "description": "DCGAN (non-saturating loss) on Fashion-MNIST, 28x28x1",
        "data": "fashion_mnist.npz", "family": "dcgan", "loss": "non_saturating",
        "epochs": 30, "batch_size": 64, "width": 32, "ema_decay": 0.999,
        "extractor": "classifier_fashion_mnist", "data_license": FASHION_LICENSE},
    "lsgan_mnist": {
        "description": "LSGAN (least-squares loss) DCGAN on MNIST, 28x28x1",
        "data": "mnist.npz", "family": "dcgan", "loss": "least_squares",
        "epochs": 40, "batch_size": 64, "width": 32, "ema_decay": 0.999,
        "extractor": "classifier_mnist", "data_license": MNIST_LICENSE},
    "cdcgan_fashion_mnist": {
        "description": "Class-conditional DCGAN (non-saturating loss, projection "
                       "discriminator) on Fashion-MNIST, 28x28x1, sampled by label",
        "data": "fashion_mnist.npz", "family": "dcgan", "loss": "non_saturating",
        "conditional": True, "epochs": 20, "batch_size": 64, "width": 32,
        "ema_decay": 0.999, "extractor": "classifier_fashion_mnist",
        "data_license": FASHION_LICENSE},
    "wgan_gp_fashion_mnist": {
        "description": "WGAN-GP (5 critic steps per generator step) DCGAN on "
                       "Fashion-MNIST, 28x28x1",
        "data": "fashion_mnist.npz", "family": "dcgan", "loss": "wgan_gp",
        "epochs": 25, "batch_size": 64, "width": 32, "ema_decay": 0.999,
        "extractor": "classifier_fashion_mnist", "data_license": FASHION_LICENSE},
}

# Image-to-image presets: tasks built from Fashion-MNIST by the family's `tasks` module.
TRANSLATOR_RECIPES = {
    "pix2pix_edges2fashion": {
        "description": "Pix2Pix (U-Net generator, conditional PatchGAN) from Sobel edge maps "
                       "of Fashion-MNIST to the garments, 28x28x1",
        "task": "zoo_models.pix2pix.tasks:edges2fashion", "family": "pix2pix",
        "loss": "non_saturating", "epochs": 10, "batch_size": 64, "options": {"width": 32},
        "limits": "Seen in its grid: shapes follow the edges closely; brightness and "
                  "print patterns, which edge maps barely carry, are guessed.",
        "extractor": "classifier_fashion_mnist", "data_license": FASHION_LICENSE},
    "cyclegan_sneaker2boot": {
        "description": "CycleGAN (ResNet generators, PatchGAN discriminators) between "
                       "Fashion-MNIST sneakers (A, class 7) and ankle boots (B, class 9), "
                       "unpaired, 28x28x1",
        "task": "zoo_models.cyclegan.tasks:sneaker2boot", "family": "cyclegan",
        "loss": None, "epochs": 20, "batch_size": 32,
        "options": {"width": 16, "num_blocks": 6},
        "limits": "Seen in its grid: boots and sneakers of the right outline, but "
                  "with speckled texture where the shape changes (CycleGAN is known to "
                  "handle geometric changes poorly); boot -> sneaker outputs are the "
                  "noisier. 8 epochs gave FID 34.2 / 36.8, 20 epochs 20.4 / 19.6.",
        "extractor": "classifier_fashion_mnist", "data_license": FASHION_LICENSE},
}

CARD = """# {name}

{description}

| | |
| --- | --- |
| family | classifier (`zoo_models/classifier`) |
| task | {num_classes}-class image classification; its `features` layer ({feature_dim}-d) and logits are the zoo's evaluation extractor |
| data | `{data}`: {num_train} training images (x_train), {num_test} test images (x_test) |
| command | `{command}` |
| epochs | {epochs} (batch {batch_size}, Adam {learning_rate:g} with cosine decay, random 10% translations) |
| wall time | {wall_time} ({machine}) |
| parameters | {params:,} |
| **test accuracy** | **{accuracy:.2%}** on the {num_test} test images |

## Intended use and limits
Feature extractor for FID, KID, precision/recall (penultimate layer) and
Inception-Score-style scores (logits) of GANs trained on the same data, so
numbers are comparable inside this zoo. They are not comparable with
InceptionV3-based FID/IS from papers. Inputs are images in [-1, 1] of shape
{image_shape}; other domains give meaningless features.

## Data license
{data_license}
"""


def train_classifier(name, data_dir, epochs=None):
    recipe = dict(CLASSIFIER_RECIPES[name])
    epochs = epochs or recipe["epochs"]
    path = os.path.join(data_dir, recipe["data"])
    x, y = data.load_arrays(path, "train")
    x_test, y_test = data.load_arrays(path, "test")
    scale = images.to_float
    work = os.path.join(ROOT, "runs", "presets", name)
    os.makedirs(work, exist_ok=True)
    keras.utils.set_random_seed(0)
    model = Classifier(x.shape[1:], num_classes=int(y.max()) + 1, name=name)
    steps = epochs * (len(x) // recipe["batch_size"] + 1)
    model.compile(keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(
                      recipe["learning_rate"], steps)),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    history_path = os.path.join(work, "history.json")
    history = callbacks.HistoryFile(history_path, json.load(open(history_path))
                                    if os.path.exists(history_path) else None)
    model.fit(scale(x), y, batch_size=recipe["batch_size"], epochs=epochs,
              verbose=1 if sys.stdout.isatty() else 2,
              validation_data=(scale(x_test), y_test), callbacks=[
                  keras.callbacks.BackupAndRestore(os.path.join(work, "backup")), history])
    accuracy = model.evaluate(scale(x_test), y_test, verbose=0, return_dict=True)["accuracy"]
    wall = sum(history.history["seconds"])
    card = CARD.format(
        name=name, description=CLASSIFIER_PRESETS[name]["description"] + ".",
        num_classes=model.num_classes, feature_dim=model.feature_dim, data=recipe["data"],
        num_train=len(x), num_test=len(x_test), command="python tools/train_preset.py " + name,
        epochs=epochs, batch_size=recipe["batch_size"], learning_rate=recipe["learning_rate"],
        wall_time=f"{wall / 60:.1f} min", params=model.count_params(),
        machine=_machine(),
        accuracy=accuracy, image_shape=tuple(x.shape[1:]), data_license=recipe["data_license"])
    presets.save_network(model, CLASSIFIER_PRESETS[name]["path"], card)
    print(f"{name}: test accuracy {accuracy:.4f}, {wall / 60:.1f} min; wrote "
          f"{CLASSIFIER_PRESETS[name]['path']}")


GAN_CARD = """# {name}

{description}.

| | |
| --- | --- |
| family | {family} (`zoo_models/{family}`), generator {g_params:,} and discriminator {d_params:,} parameters |
| loss | {loss}, {d_steps} D step(s) per G step, Adam(lr {lr:g}, beta_1 {beta_1:g}), EMA decay {ema_decay} |
| data | `{data}`: {num_train} training images, scored against its test split |
| command | `{command}` |
| epochs | {epochs} (batch {batch_size}) |
| wall time | {wall_time} ({machine}) |

## Metrics ({extractor} features, {num} generated vs {num} training images)

| | FID | KID | IS | precision | recall | density | coverage |
| --- | --- | --- | --- | --- | --- | --- | --- |
{metric_rows}

"real test images" is the floor a perfect generator would reach; "blurred
test images" (down to 7x7 and back to 28x28) is a yardstick a useful
generator must beat. Samples from the EMA generator{ema_note}:

![samples](samples.png)

## Intended use and limits
Sampling, fine-tuning (`tfgan-zoo finetune {name} ...`) and serving of
{image_shape} images like its training data; a research and teaching model,
not a source of realistic imagery. The metrics use the zoo's own classifier,
so they compare models within this zoo, not with InceptionV3-based numbers
from papers.

## Data license
{data_license}
"""


TRANSLATOR_CARD = """# {name}

{description}.

| | |
| --- | --- |
| family | {family} (`zoo_models/{family}`), {networks} |
| losses | {losses}; Adam(lr {lr:g}, beta_1 {beta_1:g}) for each player |
| data | `{task}` built from `fashion_mnist.npz` by `{task_fn}`: {data_sizes} |
| command | `{command}` |
| epochs | {epochs} (batch {batch_size}) |
| wall time | {wall_time} ({machine}) |

## Metrics ({num_test} held-out test images; FID by {extractor} features)

{metric_table}

The identity row maps every input to itself: the trivial baseline a useful
model must beat.{identity_note}

## Before and after

{grid_note}

![before and after](samples.png)

## Intended use and limits
Translation, fine-tuning and serving (`tfgan-zoo translate {name} --input
in.png --out out.png`; `tfgan-zoo export {name} ...`) of {image_shape}
images like its training data; a research and teaching model. FID uses the
zoo's own classifier, so it compares models within this zoo only. {limits}

## Data license
{data_license}
"""


def write_translator_preset(name, recipe, model, path, epochs, seconds):
    """Scores `model` on the task's test split and writes its preset folder."""
    import numpy as np

    from tfgan_zoo.metrics import translation

    family = recipe["family"]
    arrays = np.load(path)
    a_test, b_test = arrays["a_test"], arrays["b_test"]
    settings = model.get_compile_config()
    optimizer = settings["g_optimizer"]["config"]
    extractor = recipe["extractor"]
    sizes = {key: len(arrays[key]) for key in ("a_train", "b_train", "a_test", "b_test")}
    if family == "pix2pix":
        made = model.translate(a_test)
        scores = translation.paired_scores(made, a_test, b_test, extractor)
        table = ["| | L1 to target (0-2) | SSIM to target | FID to targets |",
                 "| --- | --- | --- | --- |"]
        for label, key in (("this model", "model"), ("identity (the edge map)", "identity")):
            row = scores[key]
            table.append(f"| {label} | {row['l1']:.4f} | {row['ssim']:.4f} | "
                         f"{row['fid']:.2f} |")
        networks = (f"U-Net generator {model.generator.count_params():,}, PatchGAN "
                    f"discriminator {model.discriminator.count_params():,} parameters "
                    f"(patch {model.discriminator.receptive_field} px)")
        losses = (f"{settings['loss']} adversarial (patch logits) + "
                  f"{model.l1_weight:g} x L1")
        data_sizes = (f"{sizes['a_train']} training pairs (edge map, garment), "
                      f"{sizes['a_test']} test pairs")
        identity_note = ""
        grid_note = ("Rows: edge maps (input), translations, ground truth; the first 10 "
                     "test pairs.")
        rows = [a_test[:10], made[:10], b_test[:10]]
        headline = f"L1 {scores['model']['l1']:.4f}, SSIM {scores['model']['ssim']:.3f}"
    else:
        scores = translation.unpaired_scores(model, a_test, b_test, extractor)
        table = ["| direction | FID to the target domain | identity FID | "
                 "cycle-reconstruction L1 (0-2) |", "| --- | --- | --- | --- |"]
        for label, key in (("A -> B (sneaker -> boot)", "a_to_b"),
                           ("B -> A (boot -> sneaker)", "b_to_a")):
            row = scores[key]
            table.append(f"| {label} | {row['fid']:.2f} | {row['identity_fid']:.2f} | "
                         f"{row['cycle_l1']:.4f} |")
        networks = (f"two ResNet generators {model.generator.count_params():,} "
                    f"parameters each, two PatchGAN discriminators "
                    f"{model.discriminator_a.count_params():,} each "
                    f"(patch {model.discriminator_a.receptive_field} px)")
        losses = (f"least squares + {model.cycle_weight:g} x cycle L1 + "
                  f"{model.identity_weight * model.cycle_weight:g} x identity L1, history "
                  f"pool of {model.pool_size}")
        data_sizes = (f"{sizes['a_train']} A and {sizes['b_train']} B training images "
                      f"(unpaired), {sizes['a_test']} + {sizes['b_test']} test images")
        identity_note = (" Its cycle L1 is 0 by construction, so cycle L1 is read against "
                         "the L1 between two random images of a domain "
                         f"({translation.l1(a_test[:500], a_test[500:1000]):.3f} for A).")
        grid_note = ("Rows: test sneakers, their boot translations, test boots, their "
                     "sneaker translations.")
        rows = [a_test[:10], model.translate(a_test[:10]), b_test[:10],
                model.translate(b_test[:10], reverse=True)]
        headline = (f"FID A->B {scores['a_to_b']['fid']:.2f} (identity "
                    f"{scores['a_to_b']['identity_fid']:.2f})")
    grid = images.grid(np.concatenate([images.to_uint8(images.to_float(r)) for r in rows]),
                       columns=10)
    card = TRANSLATOR_CARD.format(
        name=name, description=recipe["description"], family=family, networks=networks,
        losses=losses, lr=optimizer["learning_rate"], beta_1=optimizer["beta_1"],
        task=os.path.basename(path), task_fn=recipe["task"].replace(":", "."),
        data_sizes=data_sizes, command="python tools/train_preset.py " + name,
        epochs=epochs, batch_size=recipe["batch_size"],
        wall_time=f"{seconds / 60:.1f} min of training", machine=_machine(),
        num_test=len(a_test), extractor=extractor, metric_table="\n".join(table),
        identity_note=identity_note, grid_note=grid_note,
        image_shape="x".join(map(str, model.generator.output_shape[1:])),
        limits=recipe.get("limits", ""), data_license=recipe["data_license"])
    target = os.path.join(ROOT, "zoo_models", family, "presets", name)
    presets.save_network(model, target, card,
                         extra_files={"samples.png": tf.io.encode_png(grid).numpy(),
                                      "metrics.json": json.dumps(scores, indent=1).encode()})
    print(f"{name}: {headline}; wrote {target}")


def _metric_row(label, scores):
    return (f"| {label} | {scores['fid']:.2f} | {scores['kid']:.4f} | {scores['is']:.2f} | "
            f"{scores['precision']:.3f} | {scores['recall']:.3f} | {scores['density']:.3f} | "
            f"{scores['coverage']:.3f} |")


def train_gan(name, data_dir, epochs=None):
    recipe = dict(GAN_RECIPES[name])
    epochs = epochs or recipe["epochs"]
    path = os.path.join(data_dir, recipe["data"])
    out = os.path.join(ROOT, "runs", "presets", name)
    gan = tfgan_zoo.train(path, out, family=recipe["family"], loss=recipe["loss"],
                          epochs=epochs, batch_size=recipe["batch_size"],
                          conditional=recipe.get("conditional", False),
                          ema_decay=recipe.get("ema_decay"), width=recipe["width"],
                          verbose=1 if sys.stdout.isatty() else 2)
    history = json.load(open(os.path.join(out, "history.json")))
    num = 10_000
    scores = evaluate(gan, path, num=num, extractor=recipe["extractor"])
    test, _ = data.load_arrays(path, "test")
    blur = blurred(test[:num])
    yardstick = evaluate(blur, path, num=len(blur), num_real=num,
                         extractor=recipe["extractor"])
    settings = gan.get_compile_config()
    optimizer = settings["g_optimizer"]["config"]
    grid = images.grid(images.to_uint8(gan.generate(100, seed=0,
                                                    labels=gan.class_cycle(100))), columns=10)
    card = GAN_CARD.format(
        name=name, description=recipe["description"], family=recipe["family"],
        g_params=gan.generator.count_params(), d_params=gan.discriminator.count_params(),
        loss=recipe["loss"], d_steps=settings["d_steps"], lr=optimizer["learning_rate"],
        beta_1=optimizer["beta_1"], ema_decay=settings["ema_decay"], data=recipe["data"],
        num_train=len(data.load_arrays(path, "train")[0]),
        command="python tools/train_preset.py " + name, epochs=epochs,
        batch_size=recipe["batch_size"],
        wall_time=f"{sum(history['seconds']) / 60:.1f} min of training",
        machine=_machine(), extractor=recipe["extractor"], num=scores["num"],
        metric_rows="\n".join([_metric_row("this model", scores),
                                _metric_row("real test images", scores["floor"]),
                                _metric_row("blurred test images", yardstick)]),
        ema_note="" if gan.ema_generator is not None else " (none: the live generator)",
        image_shape="x".join(map(str, gan.generator.output_shape[1:])),
        data_license=recipe["data_license"])
    target = os.path.join(os.path.dirname(dcgan.__file__), "presets", name)
    presets.save_network(gan, target, card,
                         extra_files={"samples.png": tf.io.encode_png(grid).numpy()})
    print(f"{name}: FID {scores['fid']:.2f} (floor {scores['floor']['fid']:.2f}, blurred "
          f"{yardstick['fid']:.2f}); wrote {target}")


def _task_data(recipe, data_dir):
    """Builds (or reuses) the recipe's task .npz under runs/data from the shared data."""
    import importlib

    module, function = recipe["task"].split(":")
    make = getattr(importlib.import_module(module), function)
    out = os.path.join(ROOT, "runs", "data", function + ".npz")
    return make(os.path.join(data_dir, "fashion_mnist.npz"), out)


def train_translator(name, data_dir, epochs=None):
    recipe = dict(TRANSLATOR_RECIPES[name])
    epochs = epochs or recipe["epochs"]
    path = _task_data(recipe, data_dir)
    out = os.path.join(ROOT, "runs", "presets", name)
    model = tfgan_zoo.train(path, out, family=recipe["family"], loss=recipe["loss"],
                            epochs=epochs, batch_size=recipe["batch_size"],
                            verbose=1 if sys.stdout.isatty() else 2, **recipe["options"])
    history = json.load(open(os.path.join(out, "history.json")))
    write_translator_preset(name, recipe, model, path, epochs, sum(history["seconds"]))


def _machine():
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPU cores, "
            f"TF {tf.__version__}, {datetime.date.today()}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", choices=sorted(CLASSIFIER_RECIPES) + sorted(GAN_RECIPES)
                        + sorted(TRANSLATOR_RECIPES))
    parser.add_argument("--data-dir", default=os.path.join(ROOT, "..", "shared", "datasets"))
    parser.add_argument("--epochs", type=int, help="override the recipe (smoke runs)")
    args = parser.parse_args(argv)
    if args.name in GAN_RECIPES:
        train_gan(args.name, args.data_dir, args.epochs)
    elif args.name in TRANSLATOR_RECIPES:
        train_translator(args.name, args.data_dir, args.epochs)
    else:
        train_classifier(args.name, args.data_dir, args.epochs)


if __name__ == "__main__":
    sys.exit(main())
