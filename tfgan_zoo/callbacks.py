"""Keras callbacks for GAN training."""
import json
import math
import os
import re
import time

import keras
import numpy as np

from tfgan_zoo import files, images
from tfgan_zoo.metrics import extractors, frechet_distance, kernel_distance


class SampleGrid(keras.callbacks.Callback):
    """Writes `directory/epoch_NNN.png` after each epoch from fixed latents.

    The same seed every epoch, so a person can watch one set of samples
    improve. Conditional GANs get one column per class.
    """

    def __init__(self, directory, num=64, seed=0):
        super().__init__()
        self.directory, self.num, self.seed = directory, num, seed

    def on_epoch_end(self, epoch, logs=None):
        gan = self.model
        samples = gan.generate(self.num, seed=self.seed, labels=gan.class_cycle(self.num))
        columns = gan.num_classes if gan.conditional else None
        images.save_samples(samples, os.path.join(self.directory, f"epoch_{epoch + 1:03d}.png"),
                            columns=columns)


class TranslationGrid(keras.callbacks.Callback):
    """Writes `directory/epoch_NNN.png` after each epoch: rows of input,
    translation and target (or, unpaired, A, A->B, B, B->A) for the first
    `num` examples of `dataset`: the same every epoch, and after a resume
    when it is the first epoch's."""

    def __init__(self, directory, dataset, num=8):
        super().__init__()
        first, second = next(iter(dataset.unbatch().batch(num).take(1)))
        self.directory, self.first, self.second = directory, first.numpy(), second.numpy()

    def on_epoch_end(self, epoch, logs=None):
        model = self.model
        rows = [self.first, model.translate(self.first)]
        if model.reversible:  # unpaired: both directions
            rows += [self.second, model.translate(self.second, reverse=True)]
        else:
            rows.append(self.second)
        images.save_samples(np.concatenate(rows), os.path.join(
            self.directory, f"epoch_{epoch + 1:03d}.png"), columns=len(self.first))


class EpochCheckpoint(keras.callbacks.Callback):
    """Saves the whole GAN (weights, optimizers, RNG states, config) to
    `directory/epoch_NNN.keras` after each epoch and keeps the last `keep`.

    Each file is written to a temporary name and renamed, so a kill never
    leaves a broken checkpoint; `latest_checkpoint` finds where to resume.
    """

    def __init__(self, directory, keep=2):
        super().__init__()
        self.directory, self.keep = directory, keep

    def on_epoch_end(self, epoch, logs=None):
        with files.atomic_path(checkpoint_path(self.directory, epoch + 1)) as tmp:
            self.model.save(tmp)  # the temporary name keeps the .keras suffix
        for _, old in list_checkpoints(self.directory)[:-self.keep]:
            os.remove(old)


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


class HistoryFile(keras.callbacks.Callback):
    """Rewrites `path` (JSON, metric -> per-epoch values) after every epoch,
    continuing `previous` when a run resumes: epoch e's value replaces
    whatever a killed run had recorded from epoch e on. Adds `seconds`, each
    epoch's wall time, so a resumed run still knows what training cost."""

    def __init__(self, path, previous=None):
        super().__init__()
        self.path, self.history = path, {k: list(v) for k, v in (previous or {}).items()}

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(logs or {}, seconds=time.perf_counter() - self.start)
        for key, value in logs.items():
            values = self.history.setdefault(key, [])
            del values[epoch:]
            values.append(float(value))
        files.write_bytes(self.path, json.dumps(self.history, indent=1).encode())


class StopOnNaN(keras.callbacks.Callback):
    """Raises `FloatingPointError` as soon as a logged loss is NaN or infinite.

    Unlike `keras.callbacks.TerminateOnNaN` it watches every loss a GAN logs
    (`g_loss`, `d_loss`, penalties) and says what to do about it.
    """

    def on_train_batch_end(self, batch, logs=None):
        bad = {k: v for k, v in (logs or {}).items()
               if not math.isfinite(float(v))}
        if bad:
            raise FloatingPointError(
                f"Training diverged at batch {batch}: {bad}. Lower the learning "
                "rates, check the data for NaN, or try loss='wgan_gp' or "
                "spectral normalization; the last checkpoint is from the end "
                "of the previous epoch.")


class FIDCallback(keras.callbacks.Callback):
    """Adds `fid` and `kid` of a fixed sample to the logs every `every` epochs,
    so they reach `History` and, placed before it, `keras.callbacks.TensorBoard`.

    `real_images`: uint8 or [-1, 1] images of the training distribution (e.g.
    2,000 training images); `extractor`: a name or a `metrics.extractors`
    `Extractor`. The generated sample uses fixed latents (`seed`), so the
    curve tracks the model, not the noise.
    """

    def __init__(self, real_images, extractor, num=2000, every=1, seed=0):
        super().__init__()
        self.extract = (extractors.get(extractor) if isinstance(extractor, str)
                        else extractor)
        self.real_features, _ = self.extract(images.to_float(real_images))
        self.num, self.every, self.seed = num, every, seed

    def on_epoch_end(self, epoch, logs=None):
        if logs is None or (epoch + 1) % self.every:
            return
        gan = self.model
        features, _ = self.extract(gan.generate(self.num, seed=self.seed,
                                                labels=gan.class_cycle(self.num)))
        logs["fid"] = frechet_distance(self.real_features, features)
        logs["kid"], _ = kernel_distance(self.real_features, features)
