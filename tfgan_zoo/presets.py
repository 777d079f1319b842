"""The preset registry: every family's `PRESETS` dict, preset folders, and
the download cache.

A preset folder holds `config.json` (the Keras-serialized network or GAN,
with its compile settings), `model.weights.h5`, `card.md` and `SHA256SUMS`
(`sha256  file` lines for the other files). It is verified before anything
in it is loaded, and loaded in Keras `safe_mode` (no code from a preset
runs). A registry entry is `{description, params, path}` for a preset that
ships inside the package, or `{description, params, url, sha256}` for one
published as a `.tar.gz` of such a folder.
"""
import difflib
import hashlib
import json
import os
import shutil
import tarfile

import keras

from tfgan_zoo import families, files

SUMS = "SHA256SUMS"


def home():
    """The cache root: `$TFGAN_ZOO_HOME`, default `~/.cache/tfgan_zoo`."""
    return os.environ.get("TFGAN_ZOO_HOME",
                          os.path.join(os.path.expanduser("~"), ".cache", "tfgan_zoo"))


def registry():
    """name -> preset entry of every installed family."""
    entries = {}
    for module in families.modules():
        entries.update(getattr(module, "PRESETS", {}))
    return entries


def list_presets():
    return sorted(registry())


def resolve(source):
    """The verified folder of a preset: a registry name, a local folder, a
    `file://` folder or archive, or an `https://` archive (cached)."""
    if source.startswith("file://"):
        source = source[len("file://"):]
        directory = source if os.path.isdir(source) else fetch("file://" + source)
    elif source.startswith(("https://", "http://")):
        directory = fetch(source)
    elif os.path.isdir(source):
        directory = source
    else:
        presets = registry()
        if source not in presets:
            close = difflib.get_close_matches(source, presets, n=3, cutoff=0.5)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise ValueError(f"Unknown preset {source!r}.{hint} Available: "
                             f"{', '.join(sorted(presets))}.")
        entry = presets[source]
        directory = entry.get("path") or fetch(entry["url"], entry["sha256"], source)
    verify(directory)
    return directory


def _sha256(path):
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def verify(directory):
    """Checks every file listed in `directory/SHA256SUMS`; raises on a
    mismatch, a missing file, or a name that leads out of the folder."""
    sums = os.path.join(directory, SUMS)
    if not os.path.exists(sums):
        raise ValueError(f"{directory} is not a preset: it has no {SUMS}.")
    root = os.path.realpath(directory)
    for line in open(sums):
        expected, name = line.split()
        path = os.path.realpath(os.path.join(root, name))
        if os.path.dirname(path) != root:
            raise ValueError(f"Preset {directory} lists {name!r}, which is not a file of "
                             "the preset folder: refused.")
        if not os.path.exists(path):
            raise ValueError(f"Preset {directory} is missing {name}.")
        if _sha256(path) != expected:
            raise ValueError(f"Checksum mismatch for {path}: the file is corrupt or was "
                             "changed; fetch the preset again.")


def fetch(url, sha256=None, name=None):
    """Downloads and unpacks a preset archive into the cache, once.

    The archive goes to a temporary folder in the cache, is checked against
    `sha256` (when known), unpacked (refusing paths that leave the folder)
    and verified, then renamed into place; a failure leaves nothing behind.
    A cached copy is used without the network. When two processes fetch at
    once, the first rename wins and both use that copy.
    """
    name = name or os.path.basename(url).split(".")[0]
    key = sha256 or hashlib.sha256(url.encode()).hexdigest()
    cache = os.path.join(home(), "presets")
    final = os.path.join(cache, f"{name}-{key[:16]}")
    if os.path.isdir(final):
        return final
    os.makedirs(cache, exist_ok=True)
    tmp = files.make_temp_dir(cache)
    try:
        try:
            archive = keras.utils.get_file("preset.tar.gz", origin=url, cache_dir=tmp,
                                           cache_subdir="")
        except Exception as error:  # get_file raises a bare Exception
            raise OSError(f"Could not download preset {name} from {url}: {error}") from None
        if sha256 and _sha256(archive) != sha256:
            raise ValueError(f"Checksum mismatch for {url}: expected sha256 {sha256}, "
                             f"got {_sha256(archive)}. The download is corrupt or the "
                             "preset was changed; nothing was cached.")
        unpacked = os.path.join(tmp, "preset")
        try:
            with tarfile.open(archive) as tar:
                tar.extractall(unpacked, filter="data")
        except (tarfile.TarError, EOFError) as error:
            raise ValueError(f"{url} is not a preset archive (.tar.gz): {error}") from None
        verify(unpacked)
        try:
            os.rename(unpacked, final)
        except OSError:
            if not os.path.isdir(final):  # not a concurrent fetch that won
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def pack(directory, archive):
    """Writes `directory` as a `.tar.gz` for publishing; returns its sha256."""
    verify(directory)
    with tarfile.open(archive, "w:gz") as tar:
        for name in sorted(os.listdir(directory)):
            tar.add(os.path.join(directory, name), arcname=name)
    return _sha256(archive)


def load_network(source):
    """The Keras model of a preset (a classifier, or a compiled `GAN`), with
    its weights; deserialized in `safe_mode`."""
    directory = resolve(source)
    with open(os.path.join(directory, "config.json")) as f:
        model = keras.saving.deserialize_keras_object(json.load(f), safe_mode=True)
    model.load_weights(os.path.join(directory, "model.weights.h5"))
    return model


def save_network(model, directory, card, extra_files=None):
    """Writes a preset folder whole, or not at all (temp folder, rename).

    `extra_files`: {name: bytes}, e.g. a sample grid the card shows.
    """
    parent = os.path.dirname(os.path.abspath(directory))
    os.makedirs(parent, exist_ok=True)
    tmp = files.make_temp_dir(parent)
    try:
        with open(os.path.join(tmp, "config.json"), "w") as f:
            json.dump(keras.saving.serialize_keras_object(model), f, indent=1)
        model.save_weights(os.path.join(tmp, "model.weights.h5"))
        with open(os.path.join(tmp, "card.md"), "w") as f:
            f.write(card)
        for name, content in (extra_files or {}).items():
            with open(os.path.join(tmp, name), "wb") as f:
                f.write(content)
        names = sorted(os.listdir(tmp))
        with open(os.path.join(tmp, SUMS), "w") as f:
            f.writelines(f"{_sha256(os.path.join(tmp, n))}  {n}\n" for n in names)
        if os.path.exists(directory):
            shutil.rmtree(directory)
        os.replace(tmp, directory)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def read_config(source):
    """The verified `config.json` of a preset, as a dict (nothing is built)."""
    with open(os.path.join(resolve(source), "config.json")) as f:
        return json.load(f)


class NotAGANError(ValueError):
    """A preset (e.g. a feature extractor) that holds another kind of model."""


def from_preset(source):
    """A ready, compiled `GAN` (generator, discriminator, EMA generator if
    any, and the compile settings it was trained with) from a preset name,
    folder, `file://` or `https://` URL."""
    from tfgan_zoo.gan import GAN

    model = load_network(source)
    if not isinstance(model, GAN):
        raise NotAGANError(f"Preset {source!r} holds a {type(model).__name__}, not a GAN.")
    return model
