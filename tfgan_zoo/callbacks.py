"""Keras callbacks for GAN training."""
import json
import math
import os
import time
import warnings

import keras
import numpy as np

from tfgan_zoo import files, images, runs
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
        rows = images.translation_rows(self.model, self.first, self.second)
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
        with files.atomic_path(runs.checkpoint_path(self.directory, epoch + 1)) as tmp:
            self.model.save(tmp)  # the temporary name keeps the .keras suffix
        for _, old in runs.list_checkpoints(self.directory)[:-self.keep]:
            os.remove(old)


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


class TrainingDiverged(FloatingPointError):
    """Raised by `StopOnNaN` and `DivergenceGuard`; the message says what to change."""


class StopOnNaN(keras.callbacks.Callback):
    """Raises `TrainingDiverged` as soon as a logged loss is NaN or infinite.

    Unlike `keras.callbacks.TerminateOnNaN` it watches every loss a GAN logs
    (`g_loss`, `d_loss`, penalties) and says what to do about it.
    """

    def on_train_batch_end(self, batch, logs=None):
        bad = {k: v for k, v in (logs or {}).items()
               if not math.isfinite(float(v))}
        if bad:
            raise TrainingDiverged(
                f"Training diverged at batch {batch}: {bad}. Lower the learning "
                "rates, check the data for NaN, or try loss='wgan_gp' or a "
                "family option that regularizes D (train --family NAME --help); the last "
                "checkpoint is from the end of the previous epoch.")


def sample_diversity(samples):
    """How much `samples` [N, H, W, C] differ from each other, in [0, 1]: the
    per-pixel standard deviation across samples, averaged over pixels, over
    the standard deviation of all their pixels. 0 when every sample is the
    same image; about 0.6-0.8 for real data. Scale-free, so the faint
    outputs of an untrained generator count as diverse."""
    samples = np.asarray(samples, np.float64)
    total = samples.std()
    # Blank samples (a saturated tanh) are a collapse too, not 0 / 0.
    return float(samples.std(axis=0).mean() / total) if total > 1e-4 else 0.0


class DivergenceGuard(keras.callbacks.Callback):
    """Stops (or warns about) a `GAN` run that diverged without a NaN:
    exploding discriminator logits, or a generator collapsed to one image.

    Logits, after every batch: `d_real` or `d_fake` (the mean logits
    `GAN.train_step` logs, running means over the epoch) beyond +-`max_logit`.
    Measured: short healthy runs of all five losses log at most 23; the
    presets' discriminators average at most 12.6 in magnitude (the WGAN-GP
    critic after 25 epochs); a shaky but working run at learning rate 0.1
    reached 558; runs at learning rate 1 or 10 passed 1e5 within their first
    three batches. Checked per batch because such a divergence is early and
    unambiguous: stopping at once saves the rest of the epoch and, as with
    `StopOnNaN`, writes nothing of it.

    Collapse, at each epoch end: `sample_diversity` of `num` samples from
    fixed latents (`seed`; the sample grid's) below `min_diversity`. Measured
    on 64 images: real Fashion-MNIST 0.78, MNIST 0.60; the presets
    dcgan/cdcgan/wgan_gp_fashion_mnist 0.76/0.75/0.76, lsgan_mnist 0.59;
    untrained DCGANs 0.64-0.88 (28x28 at widths 4-64, 64x64x3, the tutorial's),
    and 0.60-0.88 after one or two epochs of normal training; runs at learning
    rate 1 or 10 (2,048 images, width 16) 0.00-0.42 after epoch 1 and
    0.00-0.13 after epoch 2 (one WGAN-GP run 0.45, but its logits stop it).
    A plain per-pixel std cannot tell these apart: untrained generators give
    0.003-0.09, below the 0.11 of a collapsed run. The check starts once G
    has taken `min_steps` steps: in its first few hundred steps a DCGAN's
    samples may be nearly one image before they spread (0.17 after the 51
    steps of the first epoch of 64x64 emoji), which data sets as large as
    Fashion-MNIST (938 steps an epoch) never showed at an epoch's end.

    `action="stop"`: exploding logits raise `TrainingDiverged` at once; a
    collapse sets `stop_training`, so the epoch's other callbacks still write
    its sample grid, history and checkpoint, and `fit` then raises
    `TrainingDiverged` from `on_train_end`. `action="warn"`: a `RuntimeWarning`,
    once per kind, and training goes on.
    """

    def __init__(self, num=64, seed=0, max_logit=1e4, min_diversity=0.25, action="stop",
                 min_steps=1000):
        super().__init__()
        if action not in ("stop", "warn"):
            raise ValueError(f"action must be 'stop' or 'warn', got {action!r}.")
        self.num, self.seed, self.action = num, seed, action
        self.max_logit, self.min_diversity = max_logit, min_diversity
        self.min_steps = min_steps
        self.warned, self.collapse = set(), None

    def on_train_begin(self, logs=None):
        self.collapse = None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        d_real, d_fake = float(logs["d_real"]), float(logs["d_fake"])
        if max(abs(d_real), abs(d_fake)) <= self.max_logit:
            return
        self._act("logits", TrainingDiverged(
            f"Training diverged in epoch {self.epoch + 1}, batch {batch}: the mean "
            f"discriminator logits reached d_real={d_real:.3g}, d_fake={d_fake:.3g} "
            f"(healthy runs stay far below {self.max_logit:g}). {self._advice()} Nothing of "
            f"epoch {self.epoch + 1} was saved."))

    def on_epoch_end(self, epoch, logs=None):
        gan = self.model
        optimizer = getattr(gan, "g_optimizer", None)  # none before compile
        if (0 if optimizer is None else int(optimizer.iterations)) < self.min_steps:
            return
        diversity = sample_diversity(gan.generate(self.num, seed=self.seed,
                                                  labels=gan.class_cycle(self.num)))
        if diversity >= self.min_diversity:
            return
        self._act("collapse", TrainingDiverged(
            f"The generator collapsed by epoch {epoch + 1}: its {self.num} samples from fixed "
            f"latents are nearly one image (diversity {diversity:.3f}, below "
            f"{self.min_diversity:g}; real images and untrained generators give about 0.6-0.9). "
            f"{self._advice()}"))

    def on_train_end(self, logs=None):
        if self.collapse is not None:
            raise self.collapse

    def _act(self, kind, error):
        if self.action == "warn":
            if kind not in self.warned:
                self.warned.add(kind)
                warnings.warn(str(error), RuntimeWarning)
        elif kind == "collapse":
            self.model.stop_training, self.collapse = True, error
        else:
            raise error

    def _advice(self):
        gan = self.model
        rates = sorted({float(opt.learning_rate) for opt in (gan.g_optimizer, gan.d_optimizer)})
        return (f"Lower the learning rate (--learning-rate, now "
                f"{' and '.join(f'{rate:g}' for rate in rates)}), or train with "
                "--loss wgan_gp, or with a family option that regularizes D "
                "(`tfgan-zoo train --family NAME --help` lists them).")


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
