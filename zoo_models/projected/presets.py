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
        "recipe": _recipe("tfds:emoji/64", "classifier_emoji64",
                          limits=licenses.EMOJI_LIMITS.format(looks=(
                              "After 150 epochs (117 min on 2 CPU cores of a machine with "
                              "AVX512_BF16) about 27 of the 100 tiles of samples.png read as a "
                              "kind of emoji, none as a particular one: about 20 faces with two "
                              "eyes (yellow and orange smileys, skin-toned heads, some with hair, "
                              "a hood or a mouth), about 5 people (a bust, a figure at a desk, "
                              "standing or dancing figures) and 2 pointing hands. No animal, "
                              "food, object or flag can be named; the other tiles are flat-filled "
                              "shapes in the emoji's colours on white, a few with speckle or a "
                              "striped patch. `dcgan_emoji64`'s grid has faces in about 10 of 100 "
                              "tiles, among speckled many-coloured blobs; this recipe after 50 "
                              "epochs had about 8 faces in 64 tiles. By the zoo's emoji "
                              "classifier (the first table, 10,000 samples) KID 0.117 against "
                              "0.263 for `dcgan_emoji64` (0.255 after 50 epochs), with recall "
                              "0.13 against 0.36: it draws fewer kinds of emoji. By the standard "
                              "Inception (the table above) FID 71.7 and KID 0.022 at 2,000 samples, "
                              "against 177.7 and 0.112 for `dcgan_emoji64` (88.6 and 0.037 after "
                              "50 epochs), and below the emoji blurred to 16x16 (KID 0.111).")),
                          epochs=150),
    },
    "projected_emoji32": {
        "description": "Class-conditional Projected GAN (FastGAN-lite G; D on frozen "
                       "EfficientNet-lite0 features of the images at 64 px, projection per "
                       "head), hinge, DiffAugment translation and cutout, emoji 32x32x3 "
                       "sampled by Unicode group",
        "path": os.path.join(HERE, "projected_emoji32"),
        "recipe": _recipe("tfds:emoji/32", "classifier_emoji32",
                          limits=licenses.EMOJI_LIMITS.format(looks=(
                              "After 200 epochs (71 min on 2 CPU cores of a machine with "
                              "AVX512_BF16) the columns are the 9 groups in emoji-test.txt order. "
                              "The drawing is clean (flat fills, dark outlines, white "
                              "backgrounds, no speckle or checkerboard). Of the 90 tiles of "
                              "samples.png about 40 read as a kind of emoji, none as a particular "
                              "one: all 10 flags (waving striped rectangles), about 8 of 10 "
                              "smileys (round yellow or orange faces with eyes and a mouth, some "
                              "grinning), about 8 people (a head with hair, a baby, a woman, two "
                              "figures), about 8 symbols (white signs on blue or grey rounded "
                              "squares, as keycaps and signs are drawn) and a few animals, food "
                              "and objects (a butterfly, ants, a kiwi-like fruit); travel, "
                              "activities and most objects are shapes in the group's colours. "
                              "`cdcgan_emoji32`'s grid has about 18 (8 yellow smileys, 8 flags, "
                              "1 person, 1 sign) among noisy blobs. By the zoo's emoji "
                              "classifier (the first table) 50% of the samples land in the group "
                              "they were drawn for (label acc; `cdcgan_emoji32` 57%, held-out "
                              "emoji 88%; of 900 samples: flags 100%, people 78%, symbols 77%, "
                              "smileys 61%, animals 47%, food 31%, objects 23%, travel 21%, "
                              "activities 9%; `cdcgan_emoji32`: 91, 72, 36, 74, 50, 55, 41, 49 "
                              "and 21%). By the standard Inception (the table above, 2,000 "
                              "samples) FID 64.4 and KID 0.017, against 163.9 and 0.097 for "
                              "`cdcgan_emoji32`, with recall 0.28 against 0.006. The first 80 "
                              "epochs kept the groups weakly (label acc 0.31, smileys 5%); they "
                              "were learned from epoch 80 to 200 (BENCHMARKS.md).")),
                          conditional=True, epochs=200),
    },
}
