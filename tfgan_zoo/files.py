"""Writing files so that a crash never leaves a half-written one in place."""
import contextlib
import os
import tempfile

TEMP_PREFIX = ".partial-"


@contextlib.contextmanager
def atomic_path(path):
    """Yields a temporary path beside `path`; renames it onto `path` on success.

    The temporary name starts with `TEMP_PREFIX` so that `remove_partials`
    can clear what a killed process left behind.
    """
    directory, name = os.path.split(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=f"-{name}", dir=directory)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; the user expects the usual mode
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def make_temp_dir(parent, prefix=TEMP_PREFIX):
    """A temporary folder in `parent` with the usual permissions (not mkdtemp's 0700),
    named so that `remove_partials` recognizes it."""
    path = tempfile.mkdtemp(prefix=prefix, dir=parent)
    os.chmod(path, 0o777 & ~_umask())
    return path


def write_bytes(path, data):
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)


def remove_partials(directory):
    """Deletes temporary files that an interrupted run left in `directory`."""
    for root, _, names in os.walk(directory):
        for name in names:
            if name.startswith(TEMP_PREFIX):
                os.remove(os.path.join(root, name))
