"""Names the classes of the conditional GAN presets trained before GANs
carried names (`publishing.add_class_names`): the names of the data each was
trained on, as `tfgan_zoo.data` reads them today. Run once; rerunning
rewrites the same names.

  python tools/name_classes.py
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from tfgan_zoo import data, presets, publishing  # noqa: E402

# preset -> the data set whose class names it takes (its recipe's data)
PRESETS = {"cdcgan_fashion_mnist": "fashion_mnist", "cdcgan_emoji32": "emoji",
           "r3gan_emoji32": "emoji"}


def main():
    for name, source in PRESETS.items():
        names = data.stand_in_class_names(source)
        publishing.add_class_names(presets.resolve(name), names)
        print(f"{name}: {', '.join(names)}")


if __name__ == "__main__":
    main()
