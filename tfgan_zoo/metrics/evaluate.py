"""`evaluate`: FID, KID, IS and precision/recall of a GAN against real data,
beside the same numbers for real test images (the floor that a perfect
generator would reach)."""
import os

import keras
import numpy as np

import tensorflow as tf

from tfgan_zoo import data
from tfgan_zoo.images import to_float
from tfgan_zoo.metrics import extractors
from tfgan_zoo.metrics.fid import StreamingStats, frechet_distance_from_stats
from tfgan_zoo.metrics.inception_score import inception_score
from tfgan_zoo.metrics.kid import kernel_distance
from tfgan_zoo.metrics.precision_recall import precision_recall

DEFAULT_EXTRACTORS = {"fashion_mnist": "classifier_fashion_mnist", "mnist": "classifier_mnist"}


class FeatureSet:
    """Streams images through an extractor: FID statistics in flat memory,
    and the first `keep` feature rows (for KID and precision/recall) and all
    logits (for IS)."""

    def __init__(self, keep):
        self.stats, self.keep = StreamingStats(), keep
        self.features, self.logits = [], []

    def add(self, features, logits):
        self.stats.update(features)
        held = sum(len(f) for f in self.features)
        if held < self.keep:
            self.features.append(features[:self.keep - held])
        self.logits.append(logits)

    def scores(self, reference):
        """Metrics of this set against `reference` (a FeatureSet of real images)."""
        mine, theirs = np.concatenate(self.features), np.concatenate(reference.features)
        kid, kid_std = kernel_distance(theirs, mine)
        is_mean, is_std = inception_score(np.concatenate(self.logits), splits=10)
        return {"fid": frechet_distance_from_stats(reference.stats.mean,
                                                   reference.stats.covariance(),
                                                   self.stats.mean, self.stats.covariance()),
                "kid": kid, "kid_std": kid_std, "is": is_mean, "is_std": is_std,
                **precision_recall(theirs, mine), "num": self.stats.count}


def _sample_batches(model, num, batch_size, seed):
    """Yields batches of images in [-1, 1] from a GAN or an array of samples."""
    if isinstance(model, np.ndarray):
        images = model
        if len(images) < num:
            raise ValueError(f"{len(images)} samples given, {num} asked for: lower --num.")
        for start in range(0, num, batch_size):
            yield to_float(images[start:min(start + batch_size, num)])
        return
    for start in range(0, num, batch_size):
        count = min(batch_size, num - start)
        yield model.generate(count, seed=seed * 1_000_003 + start,
                             labels=model.class_cycle(count, start))


def blurred(images):
    """Images down to 7x7 and back up: the zoo's yardstick that a useful
    generator must beat (it keeps coarse shape and loses all detail)."""
    x = tf.constant(to_float(images))
    small = tf.image.resize(x, (7, 7), method="area")
    return tf.image.resize(small, x.shape[1:3], method="bilinear").numpy()


def load_samples(path, pixel_range=None):
    """A GAN from `.keras`, or uint8/float samples from `.npy` [N, H, W, C]
    (floats as `data.check_images` takes them)."""
    if str(path).endswith(".npy"):
        if not os.path.exists(path):
            raise FileNotFoundError(f"No samples file {path!r}.")
        try:
            samples = np.load(path)
        except (OSError, ValueError, EOFError) as error:
            raise ValueError(f"{path} is not a readable .npy file ({error}): write samples "
                             "with numpy.save or `tfgan-zoo sample --out samples.npy`.") from None
        return data.check_images(samples, pixel_range)
    from tfgan_zoo.sampling import load
    return load(path)


def evaluate(model, data_source, num=10_000, num_real=None, extractor=None,
             extractor_weights=None, batch_size=500, seed=0, verbose=1, pixel_range=None):
    """Scores `model` (a GAN, a `.keras`/`.npy` path, or an array of samples)
    against `data_source` (`fashion_mnist`, `mnist`, or an `.npz`).

    `num` generated images against `num_real` (default `num`) random
    training images, fewer if the data has fewer; the floor scores up to
    `num_real` test images against the same training images. KID and
    precision/recall use the first `num_real` generated images; FID (from
    streaming statistics, in flat memory) and IS use all `num`.
    Sample arrays and data as floats must say their range if they all lie
    in [0, 1] (`pixel_range`, see `data.check_images`).
    Returns a dict: `fid`, `kid`, `kid_std`, `is`, `is_std`, `precision`,
    `recall`, `density`, `coverage`, `num`, and `floor` with the same keys.
    """
    if isinstance(model, (str, os.PathLike)):
        model = load_samples(model, pixel_range)
    elif isinstance(model, np.ndarray):
        model = data.check_images(model, pixel_range)
    # `fashion_mnist`, or a file called fashion_mnist.npz, picks its classifier.
    dataset_name = os.path.basename(str(data_source)).removesuffix(".npz")
    name = extractor or DEFAULT_EXTRACTORS.get(dataset_name)
    if name is None:
        raise ValueError(f"No default extractor for {data_source!r}: pass one of "
                         f"{', '.join(extractors.available())}.")
    extract = extractors.get(name, weights=extractor_weights)
    train, _ = data.load_arrays(data_source, "train", pixel_range)
    test, _ = data.load_arrays(data_source, "test", pixel_range)
    extract.check(train.shape[1:])
    rng = np.random.default_rng(seed)
    num_real = num_real or num
    train = train[rng.permutation(len(train))[:num_real]]
    test = test[:num_real]
    progress = keras.utils.Progbar(len(train) + len(test) + num, unit_name="image",
                                   verbose=verbose)

    def featurize(batches, keep):
        features = FeatureSet(keep)
        for images in batches:
            features.add(*extract(images, batch_size))
            progress.add(len(images))
        return features

    def real_batches(images):
        for start in range(0, len(images), batch_size):
            yield to_float(images[start:start + batch_size])

    reference = featurize(real_batches(train), len(train))
    floor = featurize(real_batches(test), len(train))
    fake = featurize(_sample_batches(model, num, batch_size, seed), len(train))
    return {**fake.scores(reference), "floor": floor.scores(reference),
            "num_real": len(train), "extractor": name, "data": str(data_source)}


def format_report(result):
    """A table of the scores and their real-data floor."""
    rows = [("FID", "fid", "{:.3f}"), ("KID", "kid", "{:.5f}"), ("IS", "is", "{:.3f}"),
            ("precision", "precision", "{:.3f}"), ("recall", "recall", "{:.3f}"),
            ("density", "density", "{:.3f}"), ("coverage", "coverage", "{:.3f}")]
    std = {"kid": "kid_std", "is": "is_std"}
    lines = [f"{'metric':<10} {'model':>20} {'real floor':>20}"]
    for label, key, fmt in rows:
        cells = []
        for scores in (result, result["floor"]):
            cell = fmt.format(scores[key])
            if key in std:
                cell += " ± " + fmt.format(scores[std[key]])
            cells.append(cell)
        lines.append(f"{label:<10} {cells[0]:>20} {cells[1]:>20}")
    lines.append(f"(each against {result['num_real']} training images: {result['num']} "
                 f"generated, and for the floor {result['floor']['num']} test images; "
                 f"extractor {result['extractor']}, data {result['data']})")
    return "\n".join(lines)
