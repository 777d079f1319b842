"""`train`: build a family's model for a data set and fit it, the way
`tfgan-zoo train` does, resuming from the last epoch after a crash."""
import functools
import os
import shutil
import tempfile

import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo import augment as augmentation
from tfgan_zoo import callbacks, checks, data, distribute, families, files, presets, runs
from tfgan_zoo.gan import GAN, LOSSES, check_augment, check_loss
from tfgan_zoo.settings import SETTINGS, TRANSLATION
from tfgan_zoo.settings import resolve as resolve_settings

# A GAN loss's optimizer and D steps are its record's `recipe` (gan.LOSSES),
# else these. Translators use the default Adam(2e-4, beta_1=0.5) too, the image-to-image
# papers' choice; extractors: Adam with cosine decay.
DEFAULT_RECIPE = {"d_steps": 1, "adam": {"learning_rate": 2e-4, "beta_1": 0.5}}
EXTRACTOR_LEARNING_RATE = 1e-3
def train(data_source, out, family, verbose="auto", **settings):
    """Trains a model of `family` (see `families`) on `data_source` into `out`.

    The family's task picks the data (`data.LOADERS`: images, with labels
    for a conditional GAN or an extractor; paired or unpaired images for
    translators) and the training: a GAN with `loss` (default: the
    family's `LOSS`, else non_saturating), `d_steps`, `ema_decay` and `simultaneous` (see
    `GAN.compile`); a translator with its own losses (`loss`: its
    adversarial loss, if it takes one); an extractor as a classifier of the
    data's labels (cross-entropy, Adam with cosine decay).
    Each epoch writes `out/samples/epoch_NNN.png` (fixed latents or
    examples; not for extractors), `out/checkpoints/epoch_NNN.keras` (the
    last two are kept) and `out/history.json`; the end writes
    `out/model.keras`. Every file is written to a temporary name first.
    `out` must be new, empty, or a folder of a run (`runs.RunFolder`), and
    one process at a time trains into it. If `out` holds checkpoints of the
    same run (same settings, same data by content) and `resume` is true,
    training continues after the last one that loads with the weights,
    optimizer and RNG states and data order it would have had;
    `resume=False` starts over (never replacing a finished run's
    model.keras). `batch_size` is global; `strategy` is a name for
    `distribute.get_strategy` or a `tf.distribute.Strategy`.
    `learning_rate` and `beta_1` override the defaults (for GANs, the
    loss's `recipe` in `gan.LOSSES`); `num_classes`, `pixel_range` and `image_size` (an
    int or (height, width): the images resized to it) see `data.load_images`. A GAN run whose discriminator logits explode or
    whose generator collapses stops with `callbacks.TrainingDiverged`
    (`on_divergence="stop"`) or warns (`"warn"`); see
    `callbacks.DivergenceGuard`. `augment` ("none", "diffaugment", a
    DiffAugment policy, or "ada") augments what a GAN's discriminator sees,
    for small data sets (`GAN.compile`). `decay_epochs` (default `epochs`)
    is the length of the schedules that decay the learning rate (extractors;
    GAN losses whose recipe decays it, and their gamma: rpgan), so that a
    run trained a few epochs at a time follows one schedule.
    The family's declared `OPTIONS` (e.g. `width=32`) come with the
    settings; one given as None keeps its default. Every setting, with its
    default, is in `SETTINGS` (listed below). Returns the trained model.
    """
    s = resolve_settings(family, settings)  # checked; family_options: the rest
    module, task = families.get(family), families.get(family).TASK
    for setting in SETTINGS:
        value = getattr(s, setting.name)
        if setting.tasks and value not in (None, False) and task not in setting.tasks:
            raise ValueError(f"{setting.name} does not apply to family {family!r} ({task}): "
                             f"it applies to {' and '.join(setting.tasks)} only.")
    if task == "generation" and s.num_classes is not None and not s.conditional:
        raise ValueError("num_classes applies to a conditional GAN: add --conditional.")
    if task == "generation":
        s.loss = check_loss(s.loss or getattr(module, "LOSS", "non_saturating"))  # before data
        s.augment = s.augment or getattr(module, "AUGMENT", None)
        # an unknown policy, or ADA with a loss it cannot adapt to, fails before anything is read
        check_augment(s.loss, augmentation.get(s.augment))
    run = {"data": str(data_source), "family": family}
    for setting in SETTINGS:
        value = getattr(s, setting.name)
        value = list(value) if isinstance(value, tuple) else value
        applies = not setting.tasks or task in setting.tasks
        if (setting.record == "always" and applies) or (
                setting.record == "set" and value not in (None, False)):
            run[setting.name] = value
    run.update(s.family_options)
    labels = s.conditional or task == "extraction"
    load = functools.partial(data.LOADERS[task], data_source, s.batch_size, seed=s.seed,
                             limit=s.limit, pixel_range=s.pixel_range,
                             **({"labels": labels, "num_classes": s.num_classes,
                                 "image_size": s.image_size}
                                if task not in TRANSLATION else {}))

    def build(info):
        try:
            model = module.build_model(info, seed=s.seed, **s.family_options)
        except (TypeError, AttributeError, KeyError) as error:  # the family's own code
            raise ValueError(f"Family {family!r} could not build its model: "
                             f"{type(error).__name__}: {error}") from None
        if task == "generation" and model.conditional:
            model.class_names = info["class_names"]
        _compile(model, task, s, (s.decay_epochs or s.epochs) * info["steps_per_epoch"])
        if task == "generation":
            _check_rebuilds(model)
        return model

    grid, guard = None, None
    if task == "generation":
        guard = callbacks.DivergenceGuard(seed=s.seed, action=s.on_divergence)
        grid = functools.partial(callbacks.SampleGrid, seed=s.seed)
    elif task in TRANSLATION:
        def grid(directory):  # fixed examples: the first batch of the first epoch
            return callbacks.TranslationGrid(directory, load(epochs=range(1))[0])
    return _fit(build, run, data_source, load, out, s.epochs, s.seed, s.strategy, s.resume,
                verbose, grid=grid, guard=guard)


def _compile(model, task, s, steps):
    """Compiles a freshly built model of `task` with `train`'s settings `s`
    (`_settings`), over `steps` steps in all (the decaying schedules')."""
    loss, learning_rate, beta_1 = s.loss, s.learning_rate, s.beta_1
    if task == "extraction":
        schedule = keras.optimizers.schedules.CosineDecay(
            learning_rate or EXTRACTOR_LEARNING_RATE, steps)
        model.compile(keras.optimizers.Adam(schedule),
                      keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      metrics=["accuracy"])
        return
    asked = {k: v for k, v in (("learning_rate", learning_rate), ("beta_1", beta_1))
             if v is not None}
    if task == "generation":
        recipe = LOSSES[loss].recipe or DEFAULT_RECIPE
        adam = dict(recipe["adam"], **asked)
        settings = {"loss": loss, "d_steps": s.d_steps or recipe["d_steps"],
                    **{setting.name: getattr(s, setting.name) for setting in SETTINGS
                       if setting.compile and getattr(s, setting.name) is not None}}
        if "gamma" in recipe:
            settings["r1_weight"] = settings["r2_weight"] = (
                keras.optimizers.schedules.CosineDecay(recipe["gamma"], steps,
                                                       alpha=recipe["gamma_decay_to"]))
        if "lr_decay_to" in recipe:
            adam["learning_rate"] = keras.optimizers.schedules.CosineDecay(
                adam["learning_rate"], steps, alpha=recipe["lr_decay_to"])
    else:
        adam = dict(DEFAULT_RECIPE["adam"], **asked)
        settings = {"loss": loss} if loss else {}
    model.compile(g_optimizer=keras.optimizers.Adam(**adam),
                  d_optimizer=keras.optimizers.Adam(**adam), **settings)


def _check_rebuilds(gan):
    """Refuses a GAN whose networks do not come back from their configs with
    the same outputs: a resume, a preset or a `.keras` file would silently
    train or sample another network (e.g. a `get_config` that leaves out an
    argument that changes no weight shape)."""
    labels = tf.zeros([2], tf.int32) if gan.conditional else None
    z = gan.latents(2, 1)
    for network, inputs in ((gan.generator, [z, labels] if gan.conditional else z),
                            (gan.discriminator, None)):
        if inputs is None:
            made = gan._generate(z, labels, training=False)
            inputs = [made, labels] if gan.conditional else made
        name = type(network).__name__
        try:
            clone = keras.saving.deserialize_keras_object(
                keras.saving.serialize_keras_object(network))
            clone(inputs, training=False)
            clone.set_weights(network.get_weights())
        except (NotImplementedError, TypeError, ValueError, AttributeError) as error:
            raise ValueError(f"{name} does not rebuild from its config ({type(error).__name__}: "
                             f"{str(error).splitlines()[0][:120]}): give it a get_config that "
                             "returns every constructor argument, so that runs resume and "
                             "presets load (BUILD.md).") from None
        same = np.allclose(keras.ops.convert_to_numpy(clone(inputs, training=False)),
                           keras.ops.convert_to_numpy(network(inputs, training=False)),
                           atol=1e-5)
        if not same:
            raise ValueError(f"{name} rebuilt from its config computes other outputs: its "
                             "get_config leaves out a constructor argument; return every one "
                             "(BUILD.md).")


def finetune(preset, data_source, out, epochs=1, batch_size=64, learning_rate=None,
             freeze_d=0, ema_decay=None, seed=0, limit=None, strategy="default",
             resume=True, verbose="auto", pixel_range=None, on_divergence="stop",
             augment=None, image_size=None):
    """Continues training a preset's G and D (and EMA G) on `data_source`.

    Keeps the preset's loss and settings with fresh optimizers of the same
    kind (`learning_rate` overrides theirs). `ema_decay` defaults to the
    preset's, capped so that the EMA follows the fine-tuning: its time
    constant 1 / (1 - decay) is at most a tenth of the run's steps (a
    0.999 EMA over a 300-step run would still show mostly the preset).
    `freeze_d=N` freezes the first N weight layers of the discriminator
    (FreezeD, Mo et al. 2020, arXiv:2002.10964). `augment` as in `train`
    (None keeps the preset's; "ada" adapts p five times faster than from
    scratch, 100 kimg from 0 to 1, as the ADA paper fine-tunes). The data's
    images must have the preset's size, or be resized to it with
    `image_size` (as in `train`). Writes
    `out`, resumes and guards against divergence as `train` does.
    """
    checks.check_settings(epochs=epochs, batch_size=batch_size, learning_rate=learning_rate,
                    freeze_d=freeze_d, ema_decay=ema_decay, limit=limit)
    augmentation.get(augment)  # an unknown policy fails before the preset is read
    image_size = data.check_image_size(image_size)
    preset_gan = presets.load_as(preset, (GAN,), "finetune continues a GAN preset")
    num_classes = preset_gan.num_classes
    makes = preset_gan.image_shape
    if image_size is not None and image_size != makes[:2]:  # before any image is read
        raise ValueError(f"{preset} makes {makes[0]}x{makes[1]} images, not "
                         f"{image_size[0]}x{image_size[1]}: resize the data to its size "
                         f"(--image-size {makes[0]}x{makes[1]}).")
    run = {"preset": preset, "data": str(data_source), "batch_size": batch_size,
           "learning_rate": learning_rate, "freeze_d": freeze_d, "ema_decay": ema_decay,
           "seed": seed, "limit": limit}
    for key, value in (("pixel_range", pixel_range), ("augment", augment),
                       ("image_size", image_size and list(image_size))):
        if value is not None:  # recorded only when set, as train does
            run[key] = value

    load = functools.partial(data.load_images, data_source, batch_size,
                             labels=num_classes is not None, seed=seed, limit=limit,
                             num_classes=num_classes, pixel_range=pixel_range,
                             image_size=image_size)

    def build(info):
        gan = preset_gan
        has = info["image_shape"]
        if has != makes:
            fix = (f"convert them to {makes[2]} channel(s)" if has[:2] == makes[:2] else
                   f"resize them with image_size={makes[:2]} (--image-size "
                   f"{makes[0]}x{makes[1]})")
            raise ValueError(f"{data_source} has {'x'.join(map(str, has))} images but {preset} "
                             f"makes {'x'.join(map(str, makes))}: {fix}.")
        weighted = [layer for layer in gan.discriminator.layers if layer.weights]
        if freeze_d > len(weighted):
            raise ValueError(f"freeze_d={freeze_d} but the discriminator has only "
                             f"{len(weighted)} weight layers.")
        for layer in weighted[:freeze_d]:
            layer.trainable = False  # recorded in the GAN config, so resumes keep it
        settings = gan.get_compile_config()
        for key in ("g_optimizer", "d_optimizer"):
            settings[key] = keras.optimizers.deserialize(settings[key])
            if learning_rate:
                settings[key].learning_rate = learning_rate
        settings["ema_decay"] = _finetune_ema(settings["ema_decay"], ema_decay,
                                              epochs * info["steps_per_epoch"])
        if augment is not None:
            settings["augment"] = augmentation.get(augment, finetuning=True)
        gan.compile(**settings)
        return gan
    return _fit(build, run, data_source, load, out, epochs, seed, strategy, resume, verbose,
                grid=functools.partial(callbacks.SampleGrid, seed=seed),
                guard=callbacks.DivergenceGuard(seed=seed, action=on_divergence))


def _finetune_ema(preset_decay, asked, steps):
    if asked is not None or preset_decay is None:
        return asked if asked is not None else preset_decay
    decay = min(preset_decay, max(0.0, 1.0 - 10.0 / steps))
    if decay < preset_decay:
        print(f"EMA decay {decay:.4g} instead of the preset's {preset_decay:g}, so that the "
              f"samples follow these {steps} steps (choose with --ema-decay).")
    return decay


def _fit(build, run, data_source, load, out, epochs, seed, strategy, resume, verbose,
         grid=None, guard=None):
    """Fits `build(data_info)`'s model on `load(epochs=...)`'s data into `out`,
    resuming from its checkpoints; `grid(directory)` makes the callback that
    writes the sample grids (None: no grids), `guard` is a callback that
    stops a diverged run. The run's settings `run` record
    `data_source` by its digest."""
    # Under oneDNN (x86 CPUs) grappler's remapper tries to fuse each Conv2D +
    # BiasAdd + LeakyRelu of a discriminator although LeakyReluGrad still
    # reads the BiasAdd, fails, logs "remapper failed" and keeps the graph as
    # it was; off, the step is the same graph at the same speed (BENCHMARKS.md).
    tf.config.optimizer.set_experimental_options({"remapping": False})
    run = {**run, "data_sha256": data.fingerprint(data_source)}
    if isinstance(strategy, str):
        strategy = distribute.get_strategy(strategy)
    # Non-chief workers of a cluster train in step but write to a scratch folder.
    folder = runs.RunFolder(out)
    if not distribute.is_chief():
        scratch = tempfile.mkdtemp(prefix="tfgan-zoo-worker-")
        try:
            return _fit_in(folder, scratch, build, run, load, epochs, seed, strategy, resume,
                           verbose, grid, guard)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    with folder.claim():
        return _fit_in(folder, out, build, run, load, epochs, seed, strategy, resume,
                       verbose, grid, guard)


def _fit_in(folder, out, build, run, load, epochs, seed, strategy, resume, verbose, grid,
            guard):
    chief = folder.path == out
    if resume and runs.list_checkpoints(folder.checkpoints):
        changed = folder.changed_settings(run)
        if changed:
            raise runs.RunFolderError(
                f"{folder.path} holds checkpoints of a run with other settings "
                f"({', '.join(changed)}): use another --out, or --no-resume to start over "
                "there.")
    with strategy.scope():
        start_epoch, gan = folder.load_latest() if resume else (0, None)
    keras.utils.set_random_seed(seed)
    dataset, info = load(epochs=range(start_epoch, epochs))  # checks the data first
    resumed = gan is not None
    if not resumed and start_epoch < epochs:
        with strategy.scope():
            gan = build(info)  # checks the family's settings before anything is written
    if info.get("class_names"):
        run = {**run, "class_names": list(info["class_names"])}
    if chief:
        if not resumed:
            folder.start_over()  # refuses to replace a finished run's model.keras
        folder.write_settings(run)
    if resumed:
        print(f"Resuming after epoch {start_epoch} from "
              f"{runs.checkpoint_path(folder.checkpoints, start_epoch)}")
    if start_epoch >= epochs:
        print(f"{folder.path} already holds {start_epoch} epochs (asked for {epochs}): "
              "nothing to train.")
    if start_epoch < epochs:
        previous = runs.read_json(os.path.join(folder.path, "history.json")) \
            if start_epoch else {}
        gan.fit(dataset, epochs=epochs, initial_epoch=start_epoch,
                steps_per_epoch=info["steps_per_epoch"], verbose=verbose, shuffle=False,
                callbacks=[
                    callbacks.StopOnNaN(),
                    *([guard] if guard else []),  # after StopOnNaN, which names a NaN first
                    *([grid(os.path.join(out, "samples"))] if grid else []),
                    # History first: if a kill falls between the two, the
                    # resumed run overwrites the extra epoch of history.
                    callbacks.HistoryFile(os.path.join(out, "history.json"), previous),
                    callbacks.EpochCheckpoint(os.path.join(out, "checkpoints")),
                ])
    if start_epoch < epochs or not os.path.exists(os.path.join(out, "model.keras")):
        with files.atomic_path(os.path.join(out, "model.keras")) as tmp:
            gan.save(tmp)
    return gan


train.__doc__ += "\n    Settings:\n" + "".join(
    f"\n    `{setting.name}` (default {setting.default!r}): {setting.help}"
    for setting in SETTINGS)
