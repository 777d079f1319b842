"""Keras callbacks for GAN training."""
import math
import os

import keras

from tfgan_zoo import files, images


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
        labels, columns = None, None
        if gan.conditional:
            columns = gan.num_classes
            labels = [i % gan.num_classes for i in range(self.num)]
        samples = gan.generate(self.num, seed=self.seed, labels=labels)
        images.save_samples(samples, os.path.join(self.directory, f"epoch_{epoch + 1:03d}.png"),
                            columns=columns)


class AtomicCheckpoint(keras.callbacks.Callback):
    """Saves the whole GAN (weights, optimizers, config) to one `.keras` file
    after each epoch, through a temporary file, so a kill never leaves a
    broken checkpoint."""

    def __init__(self, path):
        super().__init__()
        self.path = path

    def on_epoch_end(self, epoch, logs=None):
        with files.atomic_path(self.path) as tmp:  # keeps the .keras suffix
            self.model.save(tmp)


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
