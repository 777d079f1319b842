"""`train`: build a family's networks for a data set and fit a GAN, the way
`tfgan-zoo train` does."""
import json
import os

import keras

from tfgan_zoo import callbacks, data, families, files
from tfgan_zoo.gan import GAN

# Optimizer and D-steps per loss, from the papers that introduced them.
RECIPES = {
    "wgan_gp": {"d_steps": 5, "adam": {"learning_rate": 1e-4, "beta_1": 0.0, "beta_2": 0.9}},
}
DEFAULT_RECIPE = {"d_steps": 1, "adam": {"learning_rate": 2e-4, "beta_1": 0.5}}


def train(data_source, out, family="dcgan", loss="non_saturating", epochs=1,
          batch_size=64, conditional=False, d_steps=None, learning_rate=None,
          ema_decay=None, seed=0, limit=None, verbose="auto", **family_options):
    """Trains a GAN of `family` on `data_source` (see `data.load`) into `out`.

    Writes, each epoch, `out/samples/epoch_NNN.png` (fixed latents) and
    `out/checkpoint.keras`; at the end `out/model.keras` and
    `out/history.json`. Every file is written to a temporary name first.
    `family_options` go to the family's `build` (e.g. `width=32`).
    Returns the trained `GAN`.
    """
    recipe = RECIPES.get(loss, DEFAULT_RECIPE)
    adam = dict(recipe["adam"], **({"learning_rate": learning_rate} if learning_rate else {}))
    dataset, info = data.load(data_source, batch_size, labels=conditional, seed=seed,
                              limit=limit)
    num_classes = info["num_classes"] if conditional else None
    keras.utils.set_random_seed(seed)
    generator, discriminator = families.get(family).build(
        info["image_shape"], num_classes=num_classes, **family_options)
    gan = GAN(generator, discriminator, seed=seed, name=f"{family}_gan")
    gan.compile(g_optimizer=keras.optimizers.Adam(**adam),
                d_optimizer=keras.optimizers.Adam(**adam), loss=loss,
                d_steps=d_steps or recipe["d_steps"], ema_decay=ema_decay)

    os.makedirs(out, exist_ok=True)
    files.remove_partials(out)
    history = gan.fit(dataset, epochs=epochs, verbose=verbose, shuffle=False, callbacks=[
        callbacks.StopOnNaN(),
        callbacks.SampleGrid(os.path.join(out, "samples"), seed=seed),
        callbacks.AtomicCheckpoint(os.path.join(out, "checkpoint.keras")),
    ])
    with files.atomic_path(os.path.join(out, "model.keras")) as tmp:
        gan.save(tmp)
    files.write_bytes(os.path.join(out, "history.json"),
                      json.dumps(history.history, indent=1).encode())
    return gan
