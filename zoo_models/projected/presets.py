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
                              "After 50 epochs (157 min on 2 CPU cores) the samples are "
                              "flat-filled shapes with dark outlines on white, in the emoji's "
                              "colours (orange, brown, skin tones, olive, navy, red, pink); about "
                              "8 of 64 tiles read as faces with two eyes (and a few with a "
                              "mouth), none as a particular emoji, and no animal, food, object or "
                              "flag can be named. Against `dcgan_emoji64` (also mostly blobs, "
                              "with faces in about a tenth of its tiles) the drawing is clean: no "
                              "speckled many-coloured texture, flat fills, white backgrounds; a "
                              "faint stripe pattern shows in some tiles. By the standard "
                              "Inception (the table above, 2,000 samples) it is far ahead of "
                              "`dcgan_emoji64`: FID 88.6 and KID 0.037 against 177.7 and 0.112, "
                              "and below the emoji blurred to 16x16 (KID 0.111); by the zoo's "
                              "emoji classifier (the first table) the two are level (KID 0.255 "
                              "against 0.263) and its recall is lower (0.04 against 0.36): it "
                              "draws fewer kinds of emoji.")),
                          epochs=50),
    },
    "projected_emoji32": {
        "description": "Class-conditional Projected GAN (FastGAN-lite G; D on frozen "
                       "EfficientNet-lite0 features of the images at 64 px, projection per "
                       "head), hinge, DiffAugment translation and cutout, emoji 32x32x3 "
                       "sampled by Unicode group",
        "path": os.path.join(HERE, "projected_emoji32"),
        "recipe": _recipe("tfds:emoji/32", "classifier_emoji32",
                          limits=licenses.EMOJI_LIMITS.format(looks=(
                              "After 80 epochs (103 min on 2 CPU cores) the columns are the 9 "
                              "groups in emoji-test.txt order. The drawing is clean (flat fills, "
                              "dark outlines, white backgrounds, no speckle or checkerboard), but "
                              "the groups are weakly kept. Of the 90 tiles of samples.png about "
                              "22 read as a kind of emoji, none as a particular one: all 10 flags "
                              "(waving striped rectangles), about 4 people (a head with hair, a "
                              "figure) and about 8 round faces with two dark eyes, most of them "
                              "outside the smileys column, which draws pink, brown and blue "
                              "shapes; a white disc with dark marks recurs across columns. "
                              "Animals, food, travel, activities, objects and symbols are shapes "
                              "in the group's colours, not things a person would name. "
                              "`cdcgan_emoji32`'s grid has about 17 (8 smileys, 8 flags, 1 "
                              "person) among noisy blobs. By the standard Inception (the table "
                              "above, 2,000 samples) it is far ahead of `cdcgan_emoji32`: FID "
                              "73.8 and KID 0.023 against 163.9 and 0.097. By the zoo's emoji "
                              "classifier (the first table) KID is level (0.430 against 0.461), "
                              "recall is lower (0.06 against 0.36), and 33% of the samples land "
                              "in the group they were drawn for (label acc; `cdcgan_emoji32` 57%, "
                              "held-out emoji 88%; of 900 samples: flags 99%, people 77%, smileys "
                              "3%).")),
                          conditional=True, epochs=80),
    },
}
