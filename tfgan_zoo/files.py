"""Writing files so that a crash never leaves a half-written one in place.

Every temporary file or folder is named `.partial-PID-...` after the
process that writes it, so that `remove_stale_partials` deletes only what a
process of this project left behind when it died, never a live writer's
work and never a file this project did not write.
"""
import contextlib
import os
import re
import shutil
import tempfile

TEMP_PREFIX = ".partial-"
_STALE = re.compile(re.escape(TEMP_PREFIX) + r"(\d+)-")


def _prefix():
    return f"{TEMP_PREFIX}{os.getpid()}-"


@contextlib.contextmanager
def atomic_path(path):
    """Yields a temporary path beside `path`; renames it onto `path` on success.

    The temporary name keeps `path`'s suffix (Keras checks `.keras`) and
    starts with this process's `.partial-PID-` prefix.
    """
    directory, name = os.path.split(os.path.abspath(path))
    _make_parent(directory, path)
    fd, tmp = tempfile.mkstemp(prefix=_prefix(), suffix=f"-{name}", dir=directory)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; the user expects the usual mode
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _make_parent(directory, path):
    """Makes the folder `directory` that `path` goes in, with a one-line
    error when a file stands where a folder of it should be."""
    try:
        os.makedirs(directory, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocking = directory
        while not os.path.exists(blocking):
            blocking = os.path.dirname(blocking)
        raise ValueError(f"Cannot write {path}: {blocking} is a file, not a folder; choose "
                         "another path.") from None


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def make_temp_dir(parent):
    """A temporary folder in `parent` with the usual permissions (not mkdtemp's
    0700), named after this process so that `remove_stale_partials` leaves it
    alone while the process lives."""
    path = tempfile.mkdtemp(prefix=_prefix(), dir=parent)
    os.chmod(path, 0o777 & ~_umask())
    return path


@contextlib.contextmanager
def atomic_dir(path, replace=False):
    """Yields a temporary folder beside `path`; on success renames it to `path`.

    The parent's temporary folders of dead processes are removed first. If
    `path` exists, `FileExistsError` is raised (another writer won: the
    caller decides whether that copy will do), unless `replace`: then the
    old folder is swapped out and deleted after the new one is in place.
    On any error the temporary folder is removed and `path` is untouched.
    """
    parent = os.path.dirname(os.path.abspath(path))
    _make_parent(parent, path)
    remove_stale_partials(parent)
    tmp = make_temp_dir(parent)
    old = None
    try:
        yield tmp
        if replace and os.path.exists(path):
            old = make_temp_dir(parent)
            os.rename(path, os.path.join(old, "old"))
        try:
            os.rename(tmp, path)
        except OSError:
            if old:  # put the old folder back
                os.rename(os.path.join(old, "old"), path)
            if os.path.isdir(path):
                raise FileExistsError(f"{path} exists: it was not replaced.") from None
            raise
    finally:
        for leftover in (tmp, old):
            if leftover and os.path.exists(leftover):
                shutil.rmtree(leftover, ignore_errors=True)


def write_bytes(path, data):
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)


def is_partial(name):
    return name.startswith(TEMP_PREFIX)


def remove_stale_partials(directory):
    """Deletes the temporary files and folders directly in `directory` whose
    writing process is gone (killed midway). Nothing else is touched."""
    if not os.path.isdir(directory):
        return
    for name in os.listdir(directory):
        match = _STALE.match(name)
        if match and not _alive(int(match.group(1))):
            path = os.path.join(directory, name)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(path)


def _alive(pid):
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
