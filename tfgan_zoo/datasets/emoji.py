"""`emoji`: a real colour image data set built offline, as a TFDS builder.

The emoji of the Noto Color Emoji font (Debian package
`fonts-noto-color-emoji`), rendered at 32x32 or 64x64 RGB, labelled by
their Unicode group and subgroup (`emoji-test.txt`, Debian package
`unicode-data`):

    tfds.load("emoji/64")  (after `import tfgan_zoo.datasets`)   or   --data tfds:emoji/64

Every fully-qualified emoji of emoji-test.txt that the font draws as one
glyph is rendered at the font's bitmap size, cropped to its ink, centred
in a square with a margin, composited on white and downsampled (Lanczos).
White because emoji are drawn for light backgrounds (their dark outlines
and shadows assume one) and because GANs then see a constant background,
+1 in [-1, 1], instead of undefined transparent pixels. The "Component"
group (skin-tone and hair swatches) is left out: 3,655 emoji of Unicode
15.0 in 9 groups and 99 subgroups, 381 of them held out.

The held-out `test` split is fixed: about one emoji in ten, chosen by the
SHA-256 of its codepoints without skin-tone modifiers, so that the
skin-tone variants of an emoji all fall in the same split (a test face is
never a recoloured training face). Built once into the TFDS data folder
(`~/tensorflow_datasets`, or TFDS' `data_dir`); the same font and data
files give the same bytes.

Licences: the font's images are under the SIL Open Font License 1.1
(Google, noto-emoji); emoji-test.txt under the Unicode License v3.
"""
import hashlib
import os

import numpy as np
import tensorflow_datasets as tfds

FONT = "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"
EMOJI_TEST = "/usr/share/unicode/emoji/emoji-test.txt"
INSTALL = "apt-get install fonts-noto-color-emoji unicode-data"
SIZES = (32, 64)
STRIKE = 109  # the font's one bitmap size (CBDT), in pixels per em
MARGIN = 1 / 32  # of the side, on each side
SKIN_TONES = {"1F3FB", "1F3FC", "1F3FD", "1F3FE", "1F3FF"}
LEFT_OUT = ("Component",)
LICENSE = ("Noto Color Emoji images: SIL Open Font License 1.1 (Google, github.com/"
           "googlefonts/noto-emoji); labels from emoji-test.txt: Unicode License v3")


def parse(path=EMOJI_TEST):
    """[(codepoints, group, subgroup, name)] of the fully-qualified emoji, in
    the file's (CLDR) order, without the left-out groups."""
    entries, group, subgroup = [], None, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("# group:"):
                group = line.split(":", 1)[1].strip()
            elif line.startswith("# subgroup:"):
                subgroup = line.split(":", 1)[1].strip()
            elif "; fully-qualified" in line and group not in LEFT_OUT:
                codepoints = line.split(";", 1)[0].split()
                name = line.split("#", 1)[1].split(None, 2)[2].strip()  # after emoji, version
                entries.append((tuple(codepoints), group, subgroup, name))
    return entries


def held_out(codepoints):
    """Whether an emoji is in the test split (all its skin tones alike)."""
    base = " ".join(c for c in codepoints if c not in SKIN_TONES)
    return hashlib.sha256(base.encode()).digest()[0] < 26  # ~10.2%


def render(codepoints, size, font):
    """uint8 [size, size, 3] of one emoji on white, or None if the font does
    not draw it as a single glyph (an emoji newer than the font)."""
    from PIL import Image, ImageDraw

    text = "".join(chr(int(c, 16)) for c in codepoints)
    canvas = Image.new("RGBA", (4 * STRIKE, 2 * STRIKE), (255, 255, 255, 0))
    ImageDraw.Draw(canvas).text((STRIKE // 2, STRIKE // 2), text, font=font,
                                embedded_color=True)
    box = canvas.getbbox()
    if box is None or box[2] - box[0] > 1.4 * STRIKE:  # nothing, or several glyphs
        return None
    return frame(canvas, size)


def frame(image, size):
    """uint8 [size, size, 3]: the ink of an RGBA image cropped, centred in a
    square with a margin, composited on white and downsampled (Lanczos)."""
    from PIL import Image

    glyph = image.crop(image.getbbox())
    side = round(max(glyph.size) * (1 + 2 * MARGIN))
    square = Image.new("RGBA", (side, side), (255, 255, 255, 255))
    square.alpha_composite(glyph, ((side - glyph.width) // 2, (side - glyph.height) // 2))
    return np.asarray(square.convert("RGB").resize((size, size), Image.LANCZOS))


def load_font():
    from PIL import ImageFont

    for path in (FONT, EMOJI_TEST):
        if not os.path.exists(path):
            raise FileNotFoundError(
                f"The emoji data set is rendered from {FONT} and labelled from "
                f"{EMOJI_TEST}, but {path} is missing: install them as root with "
                f"`{INSTALL}`.")
    return ImageFont.truetype(FONT, STRIKE)


def groups_and_subgroups(entries):
    groups = list(dict.fromkeys(group for _, group, _, _ in entries))
    subgroups = list(dict.fromkeys(subgroup for _, _, subgroup, _ in entries))
    return groups, subgroups


class EmojiConfig(tfds.core.BuilderConfig):
    def __init__(self, size, **kwargs):
        super().__init__(name=str(size), description=f"{size}x{size} RGB", **kwargs)
        self.size = size


class Emoji(tfds.core.GeneratorBasedBuilder):
    """Noto Color Emoji rendered at 32x32 or 64x64, labelled by Unicode group."""

    VERSION = tfds.core.Version("1.0.0")
    BUILDER_CONFIGS = [EmojiConfig(size) for size in SIZES]
    OFFLINE = True  # built from local files: no download host to wait for

    # TFDS's own lines would say "Downloading and preparing dataset Unknown size":
    # nothing is downloaded (tfgan_zoo.data says what is built, and where).
    def _log_download_bytes(self):
        pass

    def _log_download_done(self):
        pass

    def _info(self):
        load_font()  # a clear error before TFDS' own
        groups, subgroups = groups_and_subgroups(parse())
        size = self.builder_config.size
        return self.dataset_info_from_configs(
            description=__doc__.split("\n\n")[1],
            features=tfds.features.FeaturesDict({
                "image": tfds.features.Image(shape=(size, size, 3)),
                "label": tfds.features.ClassLabel(names=groups),
                "subgroup": tfds.features.ClassLabel(names=subgroups),
                "codepoints": tfds.features.Text(),
                "name": tfds.features.Text(),
            }),
            supervised_keys=("image", "label"),
            license=LICENSE,
        )

    def _split_generators(self, dl_manager):
        entries = parse()
        return {"train": self._generate_examples([e for e in entries if not held_out(e[0])]),
                "test": self._generate_examples([e for e in entries if held_out(e[0])])}

    def _generate_examples(self, entries):
        font = load_font()
        for codepoints, group, subgroup, name in entries:
            image = render(codepoints, self.builder_config.size, font)
            if image is not None:
                key = " ".join(codepoints)
                yield key, {"image": image, "label": group, "subgroup": subgroup,
                            "codepoints": key, "name": name}
