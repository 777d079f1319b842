"""`train`: build a family's networks for a data set and fit a GAN, the way
`tfgan-zoo train` does, resuming from the last epoch after a crash."""
import functools
import json
import os
import shutil
import tempfile

import keras

from tfgan_zoo import callbacks, data, distribute, families, files, presets
from tfgan_zoo.gan import GAN

# Optimizer and D-steps per loss, from the papers that introduced them.
RECIPES = {
    "wgan_gp": {"d_steps": 5, "adam": {"learning_rate": 1e-4, "beta_1": 0.0, "beta_2": 0.9}},
}
DEFAULT_RECIPE = {"d_steps": 1, "adam": {"learning_rate": 2e-4, "beta_1": 0.5}}


def train(data_source, out, family="dcgan", loss=None, epochs=1,
          batch_size=64, conditional=False, d_steps=None, learning_rate=None,
          beta_1=None, ema_decay=None, simultaneous=False, seed=0, limit=None,
          strategy="default", resume=True, verbose="auto", **family_options):
    """Trains a GAN of `family` on `data_source` (see `data.load`) into `out`.

    Each epoch writes `out/samples/epoch_NNN.png` (fixed latents),
    `out/checkpoints/epoch_NNN.keras` (the last two are kept) and
    `out/history.json`; the end writes `out/model.keras`. Every file is
    written to a temporary name first. If `out` holds checkpoints of the same
    run and `resume` is true, training continues after the last one with the
    weights, optimizer and RNG states and data order it would have had;
    `resume=False` starts over. `batch_size` is global; `strategy` is a name
    for `distribute.get_strategy` or a `tf.distribute.Strategy`.
    `learning_rate` and `beta_1` override the loss's Adam settings (`RECIPES`);
    `simultaneous` see `GAN.compile`. `family_options` go to the family's
    `build` (e.g. `width=32`); one given as None keeps the family's default.
    Returns the trained `GAN`.
    """
    family_options = {k: v for k, v in family_options.items() if v is not None}
    module = families.get(family)
    if hasattr(module, "build_model"):
        gan_only = {"conditional": conditional, "d_steps": d_steps, "ema_decay": ema_decay,
                    "simultaneous": simultaneous}
        given = [name for name, value in gan_only.items() if value not in (None, False)]
        if given:
            raise ValueError(f"{family} is an image-to-image family: {', '.join(given)} "
                             "apply to GANs only.")
        return _train_translator(module, data_source, out, family, loss, epochs, batch_size,
                                 learning_rate, beta_1, seed, limit, strategy, resume, verbose,
                                 family_options)
    loss = loss or "non_saturating"
    run = {"data": str(data_source), "family": family, "loss": loss,
           "batch_size": batch_size, "conditional": conditional, "d_steps": d_steps,
           "learning_rate": learning_rate, "ema_decay": ema_decay, "seed": seed,
           "limit": limit, **family_options}
    # Recorded only when set, so that runs.json files of older runs still match.
    if beta_1 is not None:
        run["beta_1"] = beta_1
    if simultaneous:
        run["simultaneous"] = True
    adam = {k: v for k, v in (("learning_rate", learning_rate), ("beta_1", beta_1))
            if v is not None}

    def build(info):
        return _build(family, loss, info, conditional, d_steps, adam, ema_decay,
                      simultaneous, seed, family_options)

    load = functools.partial(data.load, data_source, batch_size, labels=conditional, seed=seed,
                             limit=limit)
    return _fit(build, run, load, out, epochs, seed, strategy, resume, verbose)


def _train_translator(module, data_source, out, family, loss, epochs, batch_size,
                      learning_rate, beta_1, seed, limit, strategy, resume, verbose,
                      family_options):
    """`train` for pix2pix and CycleGAN: Adam(2e-4, beta_1=0.5) for both
    players (the papers'), `loss` for pix2pix's adversarial term."""
    run = {"data": str(data_source), "family": family, "loss": loss,
           "batch_size": batch_size, "learning_rate": learning_rate, "beta_1": beta_1,
           "seed": seed, "limit": limit, **family_options}
    if not module.PAIRED and loss not in (None, "least_squares"):
        raise ValueError(f"CycleGAN trains with its least-squares loss, not {loss!r}.")
    adam = {"learning_rate": learning_rate or 2e-4, "beta_1": 0.5 if beta_1 is None else beta_1}

    def build(info):
        model = module.build_model(info, seed=seed, **family_options)
        options = {"loss": loss or "non_saturating"} if module.PAIRED else {}
        model.compile(g_optimizer=keras.optimizers.Adam(**adam),
                      d_optimizer=keras.optimizers.Adam(**adam), **options)
        return model

    load = functools.partial(data.load_paired if module.PAIRED else data.load_unpaired,
                             data_source, batch_size, seed=seed, limit=limit)

    def grid(directory):  # fixed examples: the first batch of the first epoch
        return callbacks.TranslationGrid(directory, load(epochs=range(1))[0])
    return _fit(build, run, load, out, epochs, seed, strategy, resume, verbose, grid=grid)


def finetune(preset, data_source, out, epochs=1, batch_size=64, learning_rate=None,
             freeze_d=0, ema_decay=None, seed=0, limit=None, strategy="default",
             resume=True, verbose="auto"):
    """Continues training a preset's G and D (and EMA G) on `data_source`.

    Keeps the preset's loss and settings with fresh optimizers of the same
    kind (`learning_rate` and `ema_decay` override theirs; a short fine-tune
    wants a faster EMA than a long training). `freeze_d=N` freezes the first
    N weight layers of the discriminator (FreezeD, Mo et al. 2020,
    arXiv:2002.10964). Writes `out` and resumes as `train` does.
    """
    config = presets.read_config(preset)["config"]
    conditional = config.get("num_classes") is not None
    run = {"preset": preset, "data": str(data_source), "batch_size": batch_size,
           "learning_rate": learning_rate, "freeze_d": freeze_d, "ema_decay": ema_decay,
           "seed": seed, "limit": limit}

    load = functools.partial(data.load, data_source, batch_size, labels=conditional, seed=seed,
                             limit=limit)

    def build(info):
        gan = presets.from_preset(preset)
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
        if ema_decay is not None:
            settings["ema_decay"] = ema_decay
        gan.compile(**settings)
        return gan
    return _fit(build, run, load, out, epochs, seed, strategy, resume, verbose)


def _fit(build, run, load, out, epochs, seed, strategy, resume, verbose, grid=None):
    """Fits `build(data_info)`'s model on `load(epochs=...)`'s data into `out`,
    resuming from its checkpoints; `grid(directory)` makes the callback that
    writes the sample grids (default: a GAN's `SampleGrid`)."""
    if isinstance(strategy, str):
        strategy = distribute.get_strategy(strategy)
    # Non-chief workers of a cluster train in step but write to a scratch folder.
    chief = distribute.is_chief()
    final_out, out = out, (out if chief else tempfile.mkdtemp(prefix="tfgan-zoo-worker-"))
    checkpoints = os.path.join(final_out, "checkpoints")
    start_epoch, latest = _resume_point(final_out, run, resume and os.path.isdir(checkpoints))
    if chief:
        os.makedirs(out, exist_ok=True)
        files.remove_partials(out)
        if not latest:
            shutil.rmtree(checkpoints, ignore_errors=True)
        files.write_bytes(os.path.join(out, "run.json"), json.dumps(run, indent=1).encode())

    keras.utils.set_random_seed(seed)
    if start_epoch >= epochs:
        print(f"{final_out} already holds {start_epoch} epochs (asked for {epochs}): "
              "nothing to train.")
    dataset, info = load(epochs=range(start_epoch, epochs))
    with strategy.scope():
        if latest:
            print(f"Resuming after epoch {start_epoch} from {latest}")
            gan = keras.models.load_model(latest)
        else:
            gan = build(info)
    previous = _read_json(os.path.join(final_out, "history.json")) if latest else {}
    gan.fit(dataset, epochs=epochs, initial_epoch=start_epoch,
            steps_per_epoch=info["steps_per_epoch"], verbose=verbose, shuffle=False,
            callbacks=[
                callbacks.StopOnNaN(),
                (grid or functools.partial(callbacks.SampleGrid, seed=seed))(
                    os.path.join(out, "samples")),
                # History first: if a kill falls between the two, the
                # resumed run overwrites the extra epoch of history.
                callbacks.HistoryFile(os.path.join(out, "history.json"), previous),
                callbacks.EpochCheckpoint(os.path.join(out, "checkpoints")),
            ])
    with files.atomic_path(os.path.join(out, "model.keras")) as tmp:
        gan.save(tmp)
    if not chief:
        shutil.rmtree(out, ignore_errors=True)
    return gan


def _build(family, loss, info, conditional, d_steps, adam, ema_decay, simultaneous, seed,
           family_options):
    recipe = RECIPES.get(loss, DEFAULT_RECIPE)
    adam = dict(recipe["adam"], **adam)
    generator, discriminator = families.get(family).build(
        info["image_shape"], num_classes=info["num_classes"] if conditional else None,
        **family_options)
    gan = GAN(generator, discriminator, seed=seed, name=f"{family}_gan")
    gan.compile(g_optimizer=keras.optimizers.Adam(**adam),
                d_optimizer=keras.optimizers.Adam(**adam), loss=loss,
                d_steps=d_steps or recipe["d_steps"], ema_decay=ema_decay,
                simultaneous=simultaneous)
    return gan


def _read_json(path):
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return json.load(f)


def _resume_point(out, run, resume):
    """(epochs done, checkpoint path or None) for a run in `out`."""
    found = callbacks.list_checkpoints(os.path.join(out, "checkpoints")) if resume else []
    if not found:
        return 0, None
    previous = _read_json(os.path.join(out, "run.json"))
    if previous != run:
        changed = sorted(k for k in set(previous) | set(run) if previous.get(k) != run.get(k))
        raise ValueError(
            f"{out} holds checkpoints of a run with other settings ({', '.join(changed)}): "
            "use another --out, or --no-resume to start over there.")
    return found[-1]
