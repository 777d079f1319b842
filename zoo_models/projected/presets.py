"""Projected GAN presets. Each is reproduced by `tfgan-zoo reproduce NAME`:
its `recipe` trains it (`tfgan_zoo.train(DATA, OUT, **recipe["train"])`)
and `tfgan_zoo.publishing.publish` writes its folder. The recipe is the
bake-off's winner (BENCHMARKS.md, "Bake-off at 30 minutes"): the feature
network sees the images at 64 px, DiffAugment translation and cutout (its
colour policy makes the generator's colours drift)."""
import os

from zoo_models.common import licenses

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "presets")


def _recipe(data, extractor, limits=None, **train):
    return {"data": data, "data_license": licenses.EMOJI, "extractor": extractor,
            **({"limits": limits} if limits else {}),
            "train": {"family": "projected", "batch_size": 32, "ema_decay": 0.999,
                      "feature_size": 64, "augment": "translation,cutout", **train}}


PRESETS = {
    "projected_emoji64": {
        "description": "Projected GAN (FastGAN-lite G; D on frozen EfficientNet-lite0 "
                       "features), hinge, DiffAugment translation and cutout, emoji 64x64x3",
        "path": os.path.join(HERE, "projected_emoji64"),
        "recipe": _recipe("tfds:emoji/64", "classifier_emoji64", limits=licenses.EMOJI_LIMITS.format(
            looks=("After 50 epochs (157 min on 2 CPU cores) the samples are flat-filled shapes "
                   "with dark outlines on white, in the emoji's colours (orange, brown, skin "
                   "tones, olive, navy, red, pink); about 8 of 64 tiles read as faces with two "
                   "eyes (and a few with a mouth), none as a particular emoji, and no animal, "
                   "food, object or flag can be named. Against `dcgan_emoji64` (also mostly "
                   "blobs, with faces in about a tenth of its tiles) the drawing is clean: no "
                   "speckled many-coloured texture, flat fills, white backgrounds; a faint "
                   "stripe pattern shows in some tiles. By the standard Inception (the "
                   "table above, 2,000 samples) it is far ahead of `dcgan_emoji64`: FID 88.6 "
                   "and KID 0.037 against 177.7 and 0.112, and below the emoji blurred to "
                   "16x16 (KID 0.111); by the zoo's emoji classifier (the first table) the "
                   "two are level (KID 0.255 against 0.263) and its recall is lower (0.04 "
                   "against 0.36): it draws fewer kinds of emoji.")), epochs=50),
    },
}
