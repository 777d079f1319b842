"""DCGAN presets. Each is reproduced by `tfgan-zoo reproduce NAME`:
its `recipe` trains it (`tfgan_zoo.train(DATA, OUT, **recipe["train"])`)
and `tfgan_zoo.publishing.publish` writes its folder."""
import os

from zoo_models.common import licenses

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "presets")


def _recipe(data, data_license, extractor=None, limits=None, **train):
    recipe = {"data": data, "data_license": data_license,
              "train": {"family": "dcgan", "batch_size": 64, "width": 32, "ema_decay": 0.999,
                        **train}}
    return {**recipe, **({"extractor": extractor} if extractor else {}),
            **({"limits": limits} if limits else {})}


PRESETS = {
    "dcgan_fashion_mnist": {
        "description": "DCGAN, non-saturating loss, Fashion-MNIST 28x28x1 (FID 11.7 by "
                       "classifier_fashion_mnist; blurred images 51.7)",
        "path": os.path.join(HERE, "dcgan_fashion_mnist"),
        "recipe": _recipe("fashion_mnist.npz", licenses.FASHION_MNIST, loss="non_saturating",
                          epochs=30),
    },
    "lsgan_mnist": {
        "description": "DCGAN, least-squares loss, MNIST 28x28x1 (FID 12.9 by "
                       "classifier_mnist; blurred images 215)",
        "path": os.path.join(HERE, "lsgan_mnist"),
        "recipe": _recipe("mnist.npz", licenses.MNIST, loss="least_squares", epochs=40),
    },
    "cdcgan_fashion_mnist": {
        "description": "Class-conditional DCGAN (projection D), non-saturating loss, "
                       "Fashion-MNIST 28x28x1, sampled by label (FID 5.8; blurred 51.7)",
        "path": os.path.join(HERE, "cdcgan_fashion_mnist"),
        "recipe": _recipe("fashion_mnist.npz", licenses.FASHION_MNIST, loss="non_saturating",
                          conditional=True, epochs=20),
    },
    "cdcgan_emoji32": {
        "description": "Class-conditional DCGAN (projection D), non-saturating loss, ADA, "
                       "emoji 32x32x3 sampled by Unicode group (KID by classifier_emoji32)",
        "path": os.path.join(HERE, "cdcgan_emoji32"),
        "recipe": _recipe("tfds:emoji/32", licenses.EMOJI, extractor="classifier_emoji32",
                          limits=licenses.EMOJI_LIMITS.format(looks=(
                              "After 150 epochs (31 min on 2 CPU cores) the columns are the 9 "
                              "groups in emoji-test.txt order: smileys are clear yellow faces "
                              "with eyes and mouths, and flags are coloured waving rectangles; "
                              "people are sometimes faces with hair, often smudges; animals, "
                              "food, travel, activities, objects and symbols are mostly "
                              "coloured blobs in the group's typical colours, not "
                              "recognizable things. No checkerboard.")),
                          loss="non_saturating",
                          conditional=True, augment="ada", epochs=150),
    },
    "dcgan_emoji64": {
        "description": "DCGAN, non-saturating loss, ADA, emoji 64x64x3 (KID by "
                       "classifier_emoji64); the start for fine-tuning on colour images",
        "path": os.path.join(HERE, "dcgan_emoji64"),
        "recipe": _recipe("tfds:emoji/64", licenses.EMOJI, extractor="classifier_emoji64",
                          limits=licenses.EMOJI_LIMITS.format(looks=(
                              "After 130 epochs (161 min on 2 CPU cores) a minority of "
                              "samples are faces: yellow smileys, brown and skin-toned faces "
                              "with eyes and mouths, heads with hair; most are coloured blobs "
                              "and fragments with white gaps, not recognizable objects, "
                              "animals or symbols, and some tiles are filled with a speckled "
                              "many-coloured texture. No regular checkerboard. The latent "
                              "walks are smooth. Its worth is as a colour starting point for "
                              "fine-tuning (BENCHMARKS.md), not as an emoji generator.")),
                          loss="non_saturating", augment="ada", epochs=130),
    },
    "wgan_gp_fashion_mnist": {
        "description": "DCGAN critic and generator, WGAN-GP loss (5 critic steps), "
                       "Fashion-MNIST 28x28x1 (FID 14.0; blurred 51.7)",
        "path": os.path.join(HERE, "wgan_gp_fashion_mnist"),
        "recipe": _recipe("fashion_mnist.npz", licenses.FASHION_MNIST, loss="wgan_gp", epochs=25),
    },
}
