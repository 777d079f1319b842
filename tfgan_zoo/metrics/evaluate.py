"""`evaluate`: scores of any model of the zoo against real data, beside the
yardsticks that say what the numbers mean.

GANs (or samples): FID, KID, IS and precision/recall against training
images, beside the same numbers for real test images (the floor a perfect
generator would reach) and for test images blurred to 1/4 and 1/8 of their
side (yardsticks a useful generator must beat); for a class-conditional GAN
scored by a classifier of its classes, the share of samples the classifier
puts in the class they were drawn for, beside the test images' share.
Translators: L1, SSIM and FID to the targets (paired)
or FID to the other domain and cycle L1 (unpaired), beside the identity
mapping. Extractors: test accuracy."""
import hashlib
import os

import keras
import numpy as np

import tensorflow as tf

from tfgan_zoo import checks, data, files, presets
from tfgan_zoo.gan import GAN
from tfgan_zoo.images import to_float
from tfgan_zoo.metrics import extractors, translation
from tfgan_zoo.translator import Translator
from tfgan_zoo.metrics.fid import StreamingStats, frechet_distance_from_stats
from tfgan_zoo.metrics.inception_score import inception_score
from tfgan_zoo.metrics.kid import kernel_distance
from tfgan_zoo.metrics.precision_recall import precision_recall

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
        if logits is not None:
            self.logits.append(logits)

    def centred_rows(self):
        """All rows minus their mean when every row was kept and they are
        fewer than the features, else None (FID's faster path for them)."""
        count = self.stats.count
        if self.features and count < self.stats.dim \
                and sum(len(f) for f in self.features) == count:
            return np.concatenate(self.features) - self.stats.mean
        return None

    def scores(self, reference, labels=None):
        """Metrics of this set against `reference` (a FeatureSet of real
        images); IS is None when the extractor has no logits. With the
        images' `labels`, also `label_accuracy`: the share the classifier
        puts in their class."""
        mine, theirs = np.concatenate(self.features), np.concatenate(reference.features)
        kid, kid_std = kernel_distance(theirs, mine)
        is_mean = is_std = None
        extra = {}
        if self.logits:
            logits = np.concatenate(self.logits)
            is_mean, is_std = inception_score(logits, splits=10)
            if labels is not None:
                extra["label_accuracy"] = float(np.mean(np.argmax(logits, -1) == labels))
        return {"fid": frechet_distance_from_stats(
                    reference.stats.mean, reference.stats.covariance(), self.stats.mean,
                    self.stats.covariance(), rows_b=self.centred_rows()),
                "kid": kid, "kid_std": kid_std, "is": is_mean, "is_std": is_std,
                **precision_recall(theirs, mine), "num": self.stats.count, **extra}


def _sample_batches(model, num, batch_size, seed, truncation=1.0):
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
                             labels=model.class_cycle(count, start), truncation=truncation)


BLURS = {"blurred": 4, "blurred_8": 8}  # result key -> the factor the side shrinks by


def blurred(images, factor=4):
    """Images down to 1/`factor` of their side and back up: yardsticks that
    a useful generator must beat (they keep coarse shape and colour and lose
    all detail; 1/8 of 64 px is an 8x8 colour blob)."""
    x = tf.constant(to_float(images))
    small = tf.image.resize(x, [max(1, s // factor) for s in x.shape[1:3]], method="area")
    return tf.image.resize(small, x.shape[1:3], method="bilinear").numpy()


def load_samples(path, pixel_range=None):
    """uint8/float samples from `.npy` [N, H, W, C] (floats as
    `data.check_images` takes them), else the model `presets.load` reads."""
    if str(path).endswith(".npy"):
        if not os.path.exists(path):
            raise FileNotFoundError(f"No samples file {path!r}.")
        try:
            samples = np.load(path)
        except (OSError, ValueError, EOFError) as error:
            raise ValueError(f"{path} is not a readable .npy file ({error}): write samples "
                             "with numpy.save or `tfgan-zoo sample --out samples.npy`.") from None
        return data.check_images(samples, pixel_range)
    return presets.load(path)


def evaluate(model, data_source, num=10_000, num_real=None, extractor=None, resize="bilinear",
             batch_size=500, seed=0, verbose=1, pixel_range=None, truncation=1.0):
    """Scores `model` (a GAN, translator or extractor; a `.keras`/`.npy`
    path or preset; or an array of samples) against `data_source`.

    `extractor` (default: `inception` for colour images, else the extractor
    preset trained on the data set `data_source` names, see
    `extractors.default_for`) gives the features; `resize`: how `inception`
    resizes (`extractors.get`).
    Sample arrays and data as floats must say their range if they all lie
    in [0, 1] (`pixel_range`, see `data.check_images`).

    GANs and samples: `num` generated images against `num_real` (default
    `num`) random training images, fewer if the data has fewer; the floor
    scores up to `num_real` test images against the same training images,
    the blurred yardsticks those test images blurred to 1/4 and 1/8 of their
    side (`blurred`). KID and precision/recall use the first `num_real`
    generated images; FID (from streaming statistics, in flat memory) and IS
    use all `num`. Returns a dict: `fid`, `kid`, `kid_std`, `is`, `is_std`
    (None for `inception`, which has no classifier), `precision`, `recall`,
    `density`, `coverage`, `num`, and `floor`, `blurred` and `blurred_8`
    with the same keys. Features of the real images are cached in
    `$TFGAN_ZOO_HOME/features`, keyed by the images' bytes and the
    extractor (`inception`'s weights and resize, a classifier's weights).
    `truncation` (GANs): sample with that psi (`GAN.generate`).

    Translators: up to `num` test examples of the data (`a_test`,
    `b_test`); returns `translation.paired_scores` or `unpaired_scores`
    under `paired` / `unpaired`. Extractors: `accuracy` on the test split.
    """
    checks.check("truncation", truncation, "truncation")
    source = "The model"
    if isinstance(model, (str, os.PathLike)):
        source, model = os.fspath(model), load_samples(model, pixel_range)
    elif isinstance(model, np.ndarray):
        model = data.check_images(model, pixel_range)
    about = {"data": str(data_source)}
    if hasattr(model, "features_and_logits"):
        return {**_accuracy(model, data_source, pixel_range, batch_size), **about}
    name = extractor or extractors.default_for(data_source, _channels(data_source, pixel_range))
    extract = extractors.get(name, resize)
    about["extractor"] = name
    if name == extractors.INCEPTION:
        about["resize"] = resize
    if isinstance(model, Translator):
        return {**_translation(model, data_source, extract, num, pixel_range), **about}
    if not isinstance(model, (GAN, np.ndarray)):
        raise ValueError(f"{source} holds a {type(model).__name__}, not a GAN, translator or "
                         "feature extractor: evaluate scores those, or samples (.npy).")
    if truncation != 1.0:
        if not isinstance(model, GAN):
            raise ValueError("truncation applies to a GAN's samples, not to given samples.")
        about["truncation"] = truncation
    return {**_generation(model, data_source, extract, num, num_real, batch_size, seed,
                          verbose, pixel_range, truncation), **about}


def _generation(model, data_source, extract, num, num_real, batch_size, seed, verbose,
                pixel_range, truncation):
    if num < 2 or (num_real or num) < 2:
        raise ValueError("--num and --num-real must be at least 2: FID estimates a covariance "
                         "from the images.")
    train, _ = data.load_arrays(data_source, "train", pixel_range)
    test, test_labels = data.load_arrays(data_source, "test", pixel_range)
    made = tuple(model.shape[1:]) if isinstance(model, np.ndarray) else model.image_shape
    if made != train.shape[1:]:
        what = "samples are" if isinstance(model, np.ndarray) else "model makes"
        raise ValueError(f"The {what} {'x'.join(map(str, made))} images but {data_source}'s "
                         f"are {'x'.join(map(str, train.shape[1:]))}: score them against "
                         "data of their own size and channels.")
    extract.check(train.shape[1:])
    rng = np.random.default_rng(seed)
    num_real = num_real or num
    train = train[rng.permutation(len(train))[:num_real]]
    test = test[:num_real]
    progress = keras.utils.Progbar(len(train) + (1 + len(BLURS)) * len(test) + num,
                                   unit_name="image", verbose=verbose)

    def featurize(batches, keep):
        features = FeatureSet(keep)
        for images in batches:
            features.add(*extract(images, batch_size))
            progress.add(len(images))
        return features

    def real(images, factor=None):
        transform = to_float if factor is None else lambda x: blurred(x, factor)
        batches = (transform(images[s:s + batch_size]) for s in range(0, len(images), batch_size))
        return _cached(extract, images, f"blur{factor}", lambda: featurize(batches, len(images)),
                       lambda: progress.add(len(images)))

    reference = real(train)
    fake = featurize(_sample_batches(model, num, batch_size, seed, truncation), len(train))
    # A conditional GAN's samples are drawn class by class (`_sample_batches`): a classifier
    # of its classes says the share that lands in its class, the test images' share beside
    # it (a classifier of other classes, or none, says nothing).
    labels = None
    if isinstance(model, GAN) and model.conditional and test_labels is not None \
            and fake.logits and fake.logits[0].shape[-1] == model.num_classes:
        labels, test_labels = model.class_cycle(num), test_labels[:num_real]
    else:
        test_labels = None
    result = {"floor": real(test).scores(reference, test_labels), "num_real": len(train)}
    for key, factor in BLURS.items():
        result[key] = real(test, factor).scores(reference, test_labels)
    return {**fake.scores(reference, labels), **result}


def _cached(extract, images, transform, compute, skipped):
    """The FeatureSet `compute()` makes of the real `images`, cached under
    `$TFGAN_ZOO_HOME/features` by the extractor's `cache_key`, the
    `transform`'s name and the images' bytes (so a changed data set is never
    served stale features). `skipped()` runs when the cache answers."""
    if extract.cache_key is None:
        return compute()
    digest = hashlib.sha256(f"{extract.cache_key}|{transform}|{images.shape}|{images.dtype}"
                            .encode())
    digest.update(np.ascontiguousarray(images).tobytes())
    path = os.path.join(presets.home(), "features", digest.hexdigest()[:32] + ".npz")
    if os.path.isfile(path):
        with np.load(path) as cached:
            features = FeatureSet(len(images))
            features.add(cached["features"], cached["logits"] if "logits" in cached else None)
        skipped()
        return features
    features = compute()
    arrays = {"features": np.concatenate(features.features)}
    if features.logits:  # a classifier's: the real images' IS
        arrays["logits"] = np.concatenate(features.logits)
    with files.atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)
    return features


def _channels(data_source, pixel_range):
    """The channel count of the data's images (1 when it cannot be read:
    the evaluation that follows names the problem)."""
    try:
        return int(data.load_arrays(data_source, "test", pixel_range)[0].shape[-1])
    except (ValueError, OSError):
        return 1


def _translation(model, data_source, extract, num, pixel_range):
    a, b = data.load_domains(data_source, "test", model.PAIRED, pixel_range)
    a, b = a[:num], b[:num]
    extract.check(b.shape[1:])
    if model.PAIRED:
        return {"paired": translation.paired_scores(model.translate(a), a, b, extract),
                "num": len(a)}
    return {"unpaired": translation.unpaired_scores(model, a, b, extract), "num": len(a)}


def _accuracy(model, data_source, pixel_range, batch_size):
    x, y = data.load_arrays(data_source, "test", pixel_range)
    if y is None:
        raise ValueError(f"{data_source} has no test labels (y_test): an extractor is scored "
                         "by its accuracy on labelled test images.")
    logits = model.predict(to_float(x), batch_size=batch_size, verbose=0)
    return {"accuracy": float(np.mean(np.argmax(logits, axis=-1) == y)), "num": len(x)}


def format_report(result):
    """A table of the scores beside their yardsticks, for any kind of model."""
    if "accuracy" in result:
        return (f"test accuracy {result['accuracy']:.4f} on {result['num']} images of "
                f"{result['data']}")
    if "paired" in result:
        scores = result["paired"]
        lines = [f"{'':<10} {'L1 (0-2)':>10} {'SSIM':>10} {'FID':>10}"]
        for label, key in (("model", "model"), ("identity", "identity")):
            row = scores[key]
            lines.append(f"{label:<10} {row['l1']:>10.4f} {row['ssim']:>10.4f} "
                         f"{row['fid']:>10.3f}")
    elif "unpaired" in result:
        lines = [f"{'':<10} {'FID':>10} {'identity FID':>14} {'cycle L1':>10}"]
        for label, key in (("A -> B", "a_to_b"), ("B -> A", "b_to_a")):
            row = result["unpaired"][key]
            lines.append(f"{label:<10} {row['fid']:>10.3f} {row['identity_fid']:>14.3f} "
                         f"{row['cycle_l1']:>10.4f}")
    else:
        return _gan_report(result)
    lines.append(f"({result['num']} test examples of {result['data']}; FID by "
                 f"{result['extractor']}; identity: the untranslated inputs)")
    return "\n".join(lines)


def _gan_report(result):
    rows = [("FID", "fid", "{:.3f}"), ("KID", "kid", "{:.5f}"), ("IS", "is", "{:.3f}"),
            ("precision", "precision", "{:.3f}"), ("recall", "recall", "{:.3f}"),
            ("density", "density", "{:.3f}"), ("coverage", "coverage", "{:.3f}"),
            ("label acc", "label_accuracy", "{:.3f}")]
    std = {"kid": "kid_std", "is": "is_std"}
    columns = [("model", result), ("real floor", result["floor"]),
               ("blurred 1/4", result["blurred"])]
    if "blurred_8" in result:  # metrics.json files older than the 1/8 yardstick lack it
        columns.append(("blurred 1/8", result["blurred_8"]))
    lines = [f"{'metric':<10}" + "".join(f" {title:>20}" for title, _ in columns)]
    for label, key, fmt in rows:
        if result.get(key) is None:  # IS of an extractor without a classifier; label acc
            continue                 # of an unconditional GAN
        cells = []
        for _, scores in columns:
            cell = fmt.format(scores[key])
            if key in std:
                cell += " ± " + fmt.format(scores[std[key]])
            cells.append(cell)
        lines.append(f"{label:<10}" + "".join(f" {cell:>20}" for cell in cells))
    resize = f", resize {result['resize']}" if "resize" in result else ""
    lines.append(f"(each against {result['num_real']} training images: {result['num']} "
                 f"generated, and for the floor and the blurred yardsticks "
                 f"{result['floor']['num']} test images; extractor {result['extractor']}"
                 f"{resize}, data {result['data']})")
    return "\n".join(lines)
