"""The family protocol: how the engine finds model families and talks to them.

A family is a module registered under the entry-point group
`tfgan_zoo.families` (in its package's metadata, e.g. setup.py's
`entry_points={"tfgan_zoo.families": ["NAME = package.module"]}`). The engine
imports it by that entry only and uses nothing of it but these four names
(and the optional `LOSS` and `AUGMENT` below). This docstring is the
protocol's one statement; BUILD.md links here.

`TASK`
    What its models do, one of `TASKS`: "generation" (GANs, unconditional or
    class-conditional), "paired_translation", "unpaired_translation" or
    "extraction" (classifiers whose features score generated images). The
    task picks the data loader (`data.LOADERS`), how `train` compiles the
    model, the sample grid, and the commands that apply.
`OPTIONS`
    A tuple of `Option`s: the keyword options of `build_model`, with type,
    default and help. `tfgan-zoo train --family NAME` offers them as
    `--name`, and `train` refuses any other.
`build_model(info, seed=0, **options)`
    An uncompiled trainable Keras model for data described by `info` (see
    `data.describe`: `image_shape`, `input_shape`, `num_classes`,
    `class_names`, `num_examples`, `steps_per_epoch`): a `tfgan_zoo.GAN` for
    generation, a `tfgan_zoo.Translator` subclass for translation (with
    `PAIRED`, and `reversible` and `generator_ba` if it translates back), a
    model with `features_and_logits()` (a Keras model of images ->
    [features, logits]) trained on (images, labels) for extraction. Its
    networks may be functional or subclassed, built or built on first call
    (the engine calls them once first; a subclassed network that takes
    images also names their shape as `input_image_shape`), and must
    round-trip through `get_config` (checked when a run starts). A discriminator may add its
    own losses with Keras's `add_loss` (FastGAN's reconstruction): those of
    its call on the real images join D's loss.
    A conditional generator takes `[z, labels]` with class ids [N]; walks
    between classes (`GAN.interpolate(labels=(a, b))`, the `interpolate`
    signature) also give it class weights [N, num_classes] float, which
    blend the class embeddings (zoo_models/common/embedding.py).
`PRESETS`
    `{name: entry}` (may be empty): `description`, where the preset is
    (`path` of a folder in the package, whose metrics.json holds the
    parameter count publish made; or `url`, `sha256` and `params` of a
    `.tar.gz`), and the `recipe` that made it: `data`, optional `task`
    (builds the training data), `train` (keyword arguments of
    `tfgan_zoo.train`), `data_license`, optional `extractor` and `limits`
    (`tfgan-zoo reproduce NAME` runs it and publishes the preset;
    see `publishing.reproduce`).

A generation family may also name `LOSS`: the GAN loss (`GAN.compile`)
that `train` uses when none is given (default "non_saturating"), for a
family designed around one; and `AUGMENT`: the augmentation (`train`'s
`augment`) it trains with when none is given (default none).

Importing the module registers its Keras classes (as
`keras.saving.register_keras_serializable`), so that `.keras` files and
preset configs that use them load.
"""
import dataclasses
import importlib
import sys
from importlib.metadata import entry_points

from tfgan_zoo import checks

GROUP = "tfgan_zoo.families"
TASKS = ("generation", "paired_translation", "unpaired_translation", "extraction")
TRANSLATION = ("paired_translation", "unpaired_translation")  # the translators' tasks
PROTOCOL = ("TASK", "OPTIONS", "build_model", "PRESETS")


@dataclasses.dataclass(frozen=True)
class Option:
    """A keyword option of a family's `build_model`.

    `type`: int, float, str or bool; `default`: what `build_model` uses when
    the option is not given (shown in help); `choices`: the allowed values
    of a str option; `rule`: a `checks.RULES` name for numbers.
    """
    name: str
    type: type
    default: object
    help: str
    choices: tuple = None
    rule: str = None


def _entries():
    return {entry.name: entry for entry in entry_points(group=GROUP)}


def available(task=None):
    """Names of the installed families (of `task`, if given: the families
    that import; see `usable`)."""
    names = sorted(_entries())
    return names if task is None else [n for n in names if (m := usable(n)) and m.TASK == task]


_WARNED = set()


def usable(name):
    """The family module `name`, or None (with a one-line warning, once) when
    it is broken: a broken plug-in must not break the commands and families
    that do not need it."""
    try:
        return get(name)
    except ValueError as error:
        if name not in _WARNED:
            _WARNED.add(name)
            print(f"tfgan-zoo: warning: skipped a broken family: {error}", file=sys.stderr)
        return None


def get(name):
    """Imports and returns the family module called `name`, checked against
    the protocol."""
    entries = _entries()
    if name not in entries:
        raise ValueError(f"Unknown model family {name!r}. Available: "
                         f"{', '.join(sorted(entries)) or 'none (is tfgan-zoo installed?)'}.")
    try:
        module = importlib.import_module(entries[name].value)
    except Exception as error:  # the plug-in's own code: any error, named in one line
        raise ValueError(f"Model family {name!r} ({entries[name].value}) does not import: "
                         f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
                         f"; fix or uninstall its package ({package(name) or '?'}).") from None
    missing = [attribute for attribute in PROTOCOL if not hasattr(module, attribute)]
    if missing or module.TASK not in TASKS:
        problem = (f"lacks {', '.join(missing)}" if missing
                   else f"has TASK {module.TASK!r}, not one of {', '.join(TASKS)}")
        raise ValueError(f"Model family {name!r} ({entries[name].value}) {problem}: see "
                         "tfgan_zoo/families.py for what a family provides.")
    return module


def package(name):
    """The installed distribution that provides family `name` (e.g. tfgan-zoo)."""
    entry = _entries().get(name)
    return entry.dist.name if entry is not None and entry.dist is not None else None


def check_options(name, options):
    """`options` without the ones given as None, after refusing any that
    family `name` does not declare."""
    declared = {option.name: option for option in get(name).OPTIONS}
    unknown = sorted(set(options) - set(declared))
    if unknown:
        raise ValueError(f"Family {name!r} has no option {', '.join(unknown)}: its options "
                         f"are {', '.join(sorted(declared)) or 'none'}.")
    for key, value in options.items():
        option = declared[key]
        if value is not None and option.choices and value not in option.choices:
            raise ValueError(f"{key}={value!r} is not a choice of family {name!r}: use one "
                             f"of {', '.join(map(str, option.choices))}.")
        if option.rule:
            checks.check(key, value, option.rule)
    return {key: value for key, value in options.items() if value is not None}


def load_all():
    """Imports every family so that Keras can deserialize their models
    (without the protocol check: a family that imports `tfgan_zoo` first
    is still half-imported here)."""
    for name, entry in _entries().items():
        try:
            importlib.import_module(entry.value)
        except Exception:  # named by `usable` when the family is asked for
            pass
