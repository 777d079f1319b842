"""The preset registry: every family's `PRESETS` dict, and preset folders.

A preset folder holds `config.json` (the Keras-serialized network),
`model.weights.h5`, `card.md` and `SHA256SUMS` (`sha256  file` lines for the
other files), and is verified before anything in it is loaded.
"""
import difflib
import hashlib
import json
import os
import shutil
import tempfile

import keras

from tfgan_zoo import families

SUMS = "SHA256SUMS"


def registry():
    """name -> preset entry (`description`, `params`, `path`) of every family."""
    entries = {}
    for module in families.modules():
        entries.update(getattr(module, "PRESETS", {}))
    return entries


def list_presets():
    return sorted(registry())


def resolve(name_or_dir):
    """The verified folder of a built-in preset name or a local folder."""
    if os.path.isdir(name_or_dir):
        directory = name_or_dir
    else:
        presets = registry()
        if name_or_dir not in presets:
            close = difflib.get_close_matches(name_or_dir, presets, n=3, cutoff=0.5)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise ValueError(f"Unknown preset {name_or_dir!r}.{hint} Available: "
                             f"{', '.join(sorted(presets))}.")
        directory = presets[name_or_dir]["path"]
    verify(directory)
    return directory


def _sha256(path):
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def verify(directory):
    """Checks every file listed in `directory/SHA256SUMS`; raises on a mismatch."""
    sums = os.path.join(directory, SUMS)
    if not os.path.exists(sums):
        raise ValueError(f"{directory} is not a preset: it has no {SUMS}.")
    for line in open(sums):
        expected, name = line.split()
        path = os.path.join(directory, name)
        if not os.path.exists(path):
            raise ValueError(f"Preset {directory} is missing {name}.")
        if _sha256(path) != expected:
            raise ValueError(f"Checksum mismatch for {path}: the file is corrupt or was "
                             "changed; fetch the preset again.")


def load_network(name_or_dir):
    """The Keras network of a network preset (e.g. a classifier), weights loaded."""
    directory = resolve(name_or_dir)
    with open(os.path.join(directory, "config.json")) as f:
        model = keras.saving.deserialize_keras_object(json.load(f))
    model.load_weights(os.path.join(directory, "model.weights.h5"))
    return model


def save_network(model, directory, card):
    """Writes a network preset folder whole, or not at all (temp folder, rename)."""
    parent = os.path.dirname(os.path.abspath(directory))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".partial-", dir=parent)
    try:
        with open(os.path.join(tmp, "config.json"), "w") as f:
            json.dump(keras.saving.serialize_keras_object(model), f, indent=1)
        model.save_weights(os.path.join(tmp, "model.weights.h5"))
        with open(os.path.join(tmp, "card.md"), "w") as f:
            f.write(card)
        names = sorted(os.listdir(tmp))
        with open(os.path.join(tmp, SUMS), "w") as f:
            f.writelines(f"{_sha256(os.path.join(tmp, n))}  {n}\n" for n in names)
        if os.path.exists(directory):
            shutil.rmtree(directory)
        os.replace(tmp, directory)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
