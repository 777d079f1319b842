"""The preset registry: every family's `PRESETS` dict, preset folders, and
the download cache.

A preset folder holds `config.json` (the Keras-serialized network or GAN,
with its compile settings), `model.weights.h5`, `card.md` and `SHA256SUMS`
(one `sha256  file` line for each other file, and nothing else; no
subfolders). It is verified before anything in it is loaded, and loaded in
Keras `safe_mode` (no code from a preset runs). A registry entry is
`{description, path}` for a preset that ships inside the package (its
parameter count is in its `metrics.json`, counted by publish), or
`{description, params, url, sha256}` for one published as a `.tar.gz` of
such a folder.

Downloads give up when the server stalls: by default after 60 s without
progress, set by `fetch(..., timeout=SECONDS)` or, for every fetch (the
CLI's too), by the environment variable `TFGAN_ZOO_DOWNLOAD_TIMEOUT`.
"""
import difflib
import hashlib
import http.client
import json
import os
import re
import stat
import tarfile
import time
import urllib.request
import zipfile

import keras

from tfgan_zoo import families, files

SUMS = "SHA256SUMS"
DOWNLOAD_TIMEOUT = 60  # seconds without progress
MAX_UNPACKED = 2 * 2**30  # bytes a preset archive may unpack to (a gzip bomb is refused)
MIN_PROGRESS = 1024  # bytes per `timeout` seconds
_SUMS_LINE = re.compile(r"([0-9a-f]{64})  (.+)")
GIVE_A_MODEL = "give a .keras file written by `tfgan-zoo train` (OUT/model.keras) or a preset"


def home():
    """The cache root: `$TFGAN_ZOO_HOME`, default `~/.cache/tfgan_zoo`."""
    return os.environ.get("TFGAN_ZOO_HOME",
                          os.path.join(os.path.expanduser("~"), ".cache", "tfgan_zoo"))


def registry():
    """name -> preset entry of every installed family, with the family's
    name and task added (`family`, `task`)."""
    entries = {}
    for family in families.available():
        module = families.usable(family)
        if module is None:  # a broken plug-in: warned about, the others work
            continue
        for name, entry in module.PRESETS.items():
            entries[name] = {**entry, "family": family, "task": module.TASK}
    return entries


def list_presets():
    return sorted(registry())


def params(entry):
    """A registry entry's parameter count: its own `params`, else the one
    publish counted into its folder's metrics.json (None when absent)."""
    if "params" in entry:
        return entry["params"]
    try:
        with open(os.path.join(entry["path"], "metrics.json")) as f:
            return json.load(f).get("params")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):  # no path, file, count
        return None


def registry_entry(name):
    """The registry's entry of preset `name`, or a one-line error that names
    the nearest names and every preset."""
    presets = registry()
    if name not in presets:
        close = difflib.get_close_matches(name, presets, n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise ValueError(f"Unknown preset {name!r}.{hint} Available: "
                         f"{', '.join(sorted(presets))}.")
    return presets[name]


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
        entry = registry_entry(source)
        directory = entry.get("path") or fetch(entry["url"], entry["sha256"], source)
    verify(directory)
    return directory


def file_sha256(path):
    """The sha256 hex digest of the file `path`."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def verify(directory):
    """Checks `directory` against its `SHA256SUMS`, which must list every
    other file of the folder, each once, with its sha256. Raises on a
    mismatch, a missing or unlisted file, a subfolder, an empty or malformed
    `SHA256SUMS`, or a name that leads out of the folder: the sums vouch for
    the whole folder, so nothing unchecked is ever loaded."""
    sums = os.path.join(directory, SUMS)
    if not os.path.isfile(sums):
        raise ValueError(f"{directory} is not a preset: it has no {SUMS}.")
    refetch = "fetch the preset again, or publish it again from its run"
    listed = {}
    with open(sums) as f:
        for number, line in enumerate(f, 1):
            match = _SUMS_LINE.fullmatch(line.rstrip("\n"))
            if not match:
                raise ValueError(f"{sums} line {number} is not `SHA256  FILE`: "
                                 f"{line.strip()[:80]!r}. The preset is damaged: {refetch}.")
            digest, name = match.groups()
            if name in listed:
                raise ValueError(f"{sums} lists {name} twice: refused; {refetch}.")
            listed[name] = digest
    if not listed:
        raise ValueError(f"{sums} is empty, so it vouches for nothing: refused; {refetch}.")
    root = os.path.realpath(directory)
    for name in listed:
        if os.path.dirname(os.path.realpath(os.path.join(root, name))) != root:
            raise ValueError(f"Preset {directory} lists {name!r}, which is not a file of "
                             "the preset folder: refused.")
    for name in sorted(os.listdir(directory)):
        if os.path.isdir(os.path.join(directory, name)):
            raise ValueError(f"Preset {directory} holds a folder {name!r}: refused, a "
                             f"preset folder holds only files; {refetch}.")
        if not stat.S_ISREG(os.stat(os.path.join(directory, name)).st_mode):
            raise ValueError(f"Preset {directory} holds {name!r}, which is not a regular file "
                             f"(a pipe or device would hang the check): refused; {refetch}.")
        if name != SUMS and name not in listed:
            raise ValueError(f"Preset {directory} holds {name!r}, which {SUMS} does not "
                             f"list: refused. Remove the file, or {refetch}.")
    for name, expected in listed.items():
        path = os.path.join(root, name)
        if not os.path.exists(path):
            raise ValueError(f"Preset {directory} is missing {name}: {refetch}.")
        if file_sha256(path) != expected:
            raise ValueError(f"Checksum mismatch for {path}: the file is corrupt or was "
                             f"changed; {refetch}.")


def fetch(url, sha256=None, name=None, timeout=None):
    """Downloads and unpacks a preset archive into the cache, once.

    The archive goes to a temporary folder in the cache, is checked against
    `sha256` (when known), unpacked (refusing paths that leave the folder)
    and verified, then renamed into place; a failure leaves nothing behind,
    and the temporary folders of fetches that were killed are removed by the
    next one. A cached copy is used without the network. When two processes
    fetch at once, the first rename wins and both use that copy. `timeout`:
    the seconds a stalled download waits (see `download`; default
    `$TFGAN_ZOO_DOWNLOAD_TIMEOUT`, else 60).
    """
    name = name or os.path.basename(url).split(".")[0]
    key = sha256 or hashlib.sha256(url.encode()).hexdigest()
    cache = os.path.join(home(), "presets")
    final = os.path.join(cache, f"{name}-{key[:16]}")
    if os.path.isdir(final):
        return final
    timeout = _timeout(timeout)
    try:
        with files.atomic_dir(final) as tmp:
            _fetch_into(tmp, url, sha256, name, timeout)
    except FileExistsError:  # a concurrent fetch won: its copy is verified too
        pass
    return final


def _fetch_into(tmp, url, sha256, name, timeout):
    """Downloads, checks and unpacks the archive `url` into the folder `tmp`."""
    archive = tmp + ".tar.gz"  # a sibling with tmp's .partial-PID- name
    try:
        try:
            download(url, archive, timeout)
        except (OSError, http.client.HTTPException) as error:
            if isinstance(getattr(error, "reason", error), TimeoutError):
                error = (f"the server sent less than {MIN_PROGRESS} bytes in {timeout:g} s. "
                         "Try again later, or give it longer with timeout=SECONDS or "
                         "TFGAN_ZOO_DOWNLOAD_TIMEOUT=SECONDS")
            raise OSError(f"Could not download preset {name} from {url}: {error}") from None
        if sha256 and file_sha256(archive) != sha256:
            raise ValueError(f"Checksum mismatch for {url}: expected sha256 {sha256}, "
                             f"got {file_sha256(archive)}. The download is corrupt or the "
                             "preset was changed; nothing was cached.")
        try:
            with tarfile.open(archive) as tar:
                unpacked = sum(member.size for member in tar.getmembers())
                if unpacked > MAX_UNPACKED:
                    raise ValueError(f"{url} unpacks to {unpacked / 2**30:.1f} GiB, over the "
                                     f"{MAX_UNPACKED // 2**30} GiB a preset may take: refused, "
                                     "nothing was unpacked.")
                tar.extractall(tmp, filter="data")
        except (tarfile.TarError, EOFError) as error:
            raise ValueError(f"{url} is not a preset archive (.tar.gz): {error}") from None
    finally:
        if os.path.exists(archive):
            os.remove(archive)
    verify(tmp)


def download_file(url, sha256, directory, timeout=None):
    """The file `url` in `directory` (cached: downloaded once, through a
    temporary file checked against `sha256` before it is renamed into place)."""
    path = os.path.join(directory, os.path.basename(url))
    if os.path.isfile(path):
        return path
    timeout = _timeout(timeout)
    with files.atomic_path(path) as tmp:
        try:
            download(url, tmp, timeout)
        except (OSError, http.client.HTTPException) as error:
            raise OSError(f"could not download {url}: {error}") from None
        if file_sha256(tmp) != sha256:
            raise ValueError(f"Checksum mismatch for {url}: expected sha256 {sha256}, got "
                             f"{file_sha256(tmp)}; nothing was cached.")
    return path


def _timeout(timeout):
    if timeout is None:
        timeout = os.environ.get("TFGAN_ZOO_DOWNLOAD_TIMEOUT", DOWNLOAD_TIMEOUT)
    try:
        seconds = float(timeout)
    except ValueError:
        seconds = None
    if not (seconds and 0 < seconds < float("inf")):
        raise ValueError(f"The download timeout must be a number of seconds > 0, got "
                         f"{timeout!r} (timeout= or TFGAN_ZOO_DOWNLOAD_TIMEOUT).")
    return seconds


def download(url, path, timeout=None):
    """Streams `url` into the file `path`, with a Keras progress bar.

    A stalled server raises `TimeoutError`: a read that waits `timeout`
    seconds (default `$TFGAN_ZOO_DOWNLOAD_TIMEOUT`, else 60), or fewer than `MIN_PROGRESS` bytes in `timeout` seconds (a
    server that trickles a byte every few seconds never trips a per-read
    timeout, so the rate is bounded too). A transfer cut short raises
    `OSError`.
    """
    timeout = _timeout(timeout)
    with urllib.request.urlopen(url, timeout=timeout) as response, open(path, "wb") as f:
        size = response.headers.get("Content-Length")
        size = int(size) if size else None
        progress = keras.utils.Progbar(size, unit_name="byte")
        done = recent = 0
        since = time.monotonic()
        # read1: one socket read per call, so a trickle still comes back here
        while chunk := response.read1(1 << 16):
            f.write(chunk)
            done += len(chunk)
            recent += len(chunk)
            progress.update(done)
            if time.monotonic() - since >= timeout:
                if recent < MIN_PROGRESS:
                    raise TimeoutError("too slow")
                recent, since = 0, time.monotonic()
    if size is not None and done != size:
        raise OSError(f"the transfer ended after {done} of {size} bytes")


def pack(directory, archive):
    """Writes `directory` as a `.tar.gz` for publishing; returns its sha256."""
    verify(directory)
    with tarfile.open(archive, "w:gz") as tar:
        for name in sorted(os.listdir(directory)):
            tar.add(os.path.join(directory, name), arcname=name)
    return file_sha256(archive)


def load(source):
    """The model of a preset (a registry name, a folder, a `file://` or
    `https://` URL) or of a `.keras` file, whatever its kind: a compiled GAN
    or translator with the settings it was trained with, or a classifier.
    Preset folders are verified first; everything is deserialized in Keras
    `safe_mode`. `from_preset` is the same function (keras-hub's name)."""
    source = os.fspath(source)
    if os.path.isfile(source):
        return _read_keras_file(source)
    if source.endswith(".keras"):
        raise FileNotFoundError(f"No model at {source!r}: {GIVE_A_MODEL} name.")
    directory = resolve(source)
    with open(os.path.join(directory, "config.json")) as f:
        model = keras.saving.deserialize_keras_object(json.load(f), safe_mode=True)
    model.load_weights(os.path.join(directory, "model.weights.h5"))
    return model


from_preset = load


def load_as(model, kinds, use):
    """`model` (a Keras model, or a source for `load`) if it is an instance
    of one of `kinds` (classes), else a clear error saying what it is and
    what `use` takes."""
    source = "The model"
    if isinstance(model, (str, os.PathLike)):
        source, model = os.fspath(model), load(model)
    if not isinstance(model, kinds):
        names = " or ".join(kind.__name__ for kind in kinds)
        raise ValueError(f"{source} holds a {type(model).__name__}, not a {names}: {use}.")
    return model


def _read_keras_file(path):
    """`keras.models.load_model`, with one clear error for a file that is not
    a whole `.keras` file (Keras calls a text or cut-off file "not found")."""
    if not path.endswith(".keras"):
        raise ValueError(f"{path} is not a .keras file: {GIVE_A_MODEL}.")
    try:
        with open(path, "rb") as f:
            if not zipfile.is_zipfile(f):
                raise zipfile.BadZipFile("it is not a zip archive")
        return keras.models.load_model(path)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError) as error:  # OSError: from h5py
        raise ValueError(f"{path} is not a readable .keras file (truncated or corrupt?): "
                         f"{error}. Copy or save it again, or {GIVE_A_MODEL}.") from None
    except (TypeError, AttributeError) as error:  # a config Keras cannot rebuild; nothing ran
        first = str(error).strip().splitlines()[0][:160]
        raise ValueError(f"{path} holds a model config that Keras cannot rebuild safely "
                         f"({type(error).__name__}: {first}); nothing from it was run. "
                         f"{GIVE_A_MODEL[0].upper()}{GIVE_A_MODEL[1:]}.") from None


def save(model, directory, card, extra_files=None, replace=False):
    """Writes a preset folder whole, or not at all (`files.atomic_dir`):
    `config.json`, `model.weights.h5`, `card.md`, `extra_files` ({name:
    bytes}, e.g. the sample grid the card shows) and `SHA256SUMS`. An
    existing `directory` is refused unless `replace`."""
    if os.path.exists(directory) and not replace:
        raise FileExistsError(f"{directory} exists and is not overwritten: choose another "
                              "folder, or remove it first.")
    with files.atomic_dir(directory, replace=replace) as tmp:
        with open(os.path.join(tmp, "config.json"), "w") as f:
            json.dump(keras.saving.serialize_keras_object(model), f, indent=1)
        model.save_weights(os.path.join(tmp, "model.weights.h5"))
        with open(os.path.join(tmp, "card.md"), "w") as f:
            f.write(card)
        for name, content in (extra_files or {}).items():
            with open(os.path.join(tmp, name), "wb") as f:
                f.write(content)
        write_sums(tmp)


def write_sums(directory):
    """Writes `SHA256SUMS`: a `sha256  name` line per file of `directory`."""
    names = sorted(os.listdir(directory))
    with open(os.path.join(directory, SUMS), "w") as f:
        f.writelines(f"{file_sha256(os.path.join(directory, n))}  {n}\n" for n in names)
