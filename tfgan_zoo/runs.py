"""A training run's folder: what a run may touch there, one process at a
time, and where it resumes.

A run writes only `run.json`, `history.json`, `model.keras`,
`samples/epoch_NNN.png`, `checkpoints/epoch_NNN.keras`, its lock file and
its own `.partial-PID-*` temporary files, and it only ever deletes or
replaces those. A folder that holds anything else and no `run.json` of a
tfgan-zoo run is refused, so `--out` pointed at the wrong folder costs
nothing.
"""
import contextlib
import fcntl
import json
import os
import re

import keras

from tfgan_zoo import files

MARK = "tfgan_zoo_run"  # the key in run.json that says a tfgan-zoo run wrote it
LOCK = ".tfgan-zoo.lock"
_SAMPLE = re.compile(r"epoch_(\d+)\.png")
# Settings that do not change what a run computes: the data's spelling (the
# data is identified by its digest, `data_sha256`) and the marker.
IGNORED = (MARK, "data", "class_names")  # class_names: described by data_sha256


def checkpoint_path(directory, epoch):
    return os.path.join(directory, f"epoch_{epoch:03d}.keras")


def list_checkpoints(directory):
    """[(epoch, path)] of the complete checkpoints in `directory`, oldest first."""
    if not os.path.isdir(directory):
        return []
    found = []
    for name in os.listdir(directory):
        match = re.fullmatch(r"epoch_(\d+)\.keras", name)
        if match:
            found.append((int(match.group(1)), os.path.join(directory, name)))
    return sorted(found)


class RunFolderError(ValueError):
    """The folder is not this run's to write, or is in use."""


def read_json(path):
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return json.load(f)


class RunFolder:
    """`with RunFolder(path).claim(): ...` holds the folder for this process.

    The lock is an `flock` on `path/.tfgan-zoo.lock`: the kernel releases it
    when the process ends, however it ends, so a killed run never leaves the
    folder stuck.
    """

    def __init__(self, path):
        self.path = os.fspath(path)
        self.checkpoints = os.path.join(self.path, "checkpoints")
        self.samples = os.path.join(self.path, "samples")
        self.model = os.path.join(self.path, "model.keras")

    def _settings_file(self):
        return os.path.join(self.path, "run.json")

    def previous_settings(self):
        """The settings of the run that wrote this folder ({} if none)."""
        try:
            return read_json(self._settings_file())
        except (json.JSONDecodeError, UnicodeDecodeError):
            return {}

    def _is_a_run(self):
        settings = self.previous_settings()
        # Runs before MARK was written are recognized by their settings' keys.
        return isinstance(settings, dict) and (
            MARK in settings or {"data", "seed", "batch_size"} <= set(settings))

    def check_owned(self):
        """Raises unless the folder is new, empty, or a tfgan-zoo run's."""
        if not os.path.exists(self.path):
            return
        if not os.path.isdir(self.path):
            raise RunFolderError(f"--out {self.path} is a file, not a folder: choose a "
                                 "folder for the run.")
        foreign = sorted(n for n in os.listdir(self.path)
                         if n != LOCK and not files.is_partial(n))
        if foreign and not self._is_a_run():
            raise RunFolderError(
                f"--out {self.path} holds files that no tfgan-zoo run wrote "
                f"({', '.join(foreign[:3])}{', ...' if len(foreign) > 3 else ''}), which the "
                "run could overwrite: choose a new or empty folder for the run.")

    @contextlib.contextmanager
    def claim(self):
        """Checks ownership, then holds the folder's lock for the block; a
        folder this call created and left empty is removed again."""
        self.check_owned()
        created = not os.path.exists(self.path)
        os.makedirs(self.path, exist_ok=True)
        lock = self._lock()
        try:
            lock.write(f"PID {os.getpid()}\n")
            lock.flush()
            for folder in (self.path, self.samples, self.checkpoints):
                files.remove_stale_partials(folder)
            yield self
        finally:
            os.remove(lock.name)  # while locked: see _lock
            lock.close()
            if created and not os.listdir(self.path):
                os.rmdir(self.path)

    def _lock(self):
        """The locked lock file. A process unlinks it while holding the lock,
        so a lock taken on an unlinked file is dropped and taken again."""
        path = os.path.join(self.path, LOCK)
        while True:
            lock = open(path, "a+")
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                lock.seek(0)
                holder = lock.read().strip() or "another process"
                lock.close()
                raise RunFolderError(
                    f"{self.path} is in use by a running tfgan-zoo process ({holder}): "
                    "wait for it to end, or choose another --out.") from None
            try:
                if os.stat(path).st_ino == os.fstat(lock.fileno()).st_ino:
                    lock.seek(0)
                    lock.truncate()
                    return lock
            except FileNotFoundError:
                pass
            lock.close()

    def write_settings(self, settings):
        files.write_bytes(self._settings_file(),
                          json.dumps({MARK: 1, **settings}, indent=1).encode())

    def changed_settings(self, settings):
        """Names of the settings that differ from the previous run's."""
        previous = self.previous_settings()
        return sorted(k for k in set(previous) | set(settings)
                      if k not in IGNORED and previous.get(k) != settings.get(k))

    def start_over(self):
        """Removes what an earlier unfinished run wrote here (checkpoints,
        sample grids, history); a finished run's model.keras is never removed."""
        if os.path.exists(self.model):
            raise RunFolderError(
                f"{self.path} holds the model.keras of a finished run, which starting "
                "over would replace: choose another --out, or move that file away first.")
        for _, path in list_checkpoints(self.checkpoints):
            os.remove(path)
        if os.path.isdir(self.samples):
            for name in os.listdir(self.samples):
                if _SAMPLE.fullmatch(name):
                    os.remove(os.path.join(self.samples, name))
        with contextlib.suppress(FileNotFoundError):
            os.remove(os.path.join(self.path, "history.json"))

    def load_latest(self, log=print):
        """(epoch, model) from the newest checkpoint that loads; an unreadable
        one (a disk error, a file cut short) is skipped with a message.
        (0, None) when there is no checkpoint."""
        found = list_checkpoints(self.checkpoints)
        problems = []
        for epoch, path in reversed(found):
            try:
                model = keras.models.load_model(path)
            except Exception as error:  # noqa: BLE001 - any unreadable file: try an older one
                reason = str(error).strip().splitlines()[0][:200] if str(error).strip() \
                    else type(error).__name__
                problems.append(f"{os.path.basename(path)} ({reason})")
                log(f"Checkpoint {path} does not load ({reason}): trying an older one.")
                continue
            if problems:
                log(f"Resuming from {os.path.basename(path)}, the last intact checkpoint.")
            return epoch, model
        if problems:
            raise RunFolderError(
                f"No checkpoint in {self.checkpoints} loads: {'; '.join(problems)}. "
                "Start over with --no-resume.")
        return 0, None
