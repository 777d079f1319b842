"""Model families, found through entry points (see setup.py).

GAN families (`tfgan_zoo.families`) are modules with
`build(image_shape, num_classes=None, **options)` returning
`(generator, discriminator)`; image-to-image families (pix2pix, cyclegan)
also have `PAIRED` and `build_model(data_info, **options)`, which returns an
uncompiled `image_to_image` model; extractor families (`tfgan_zoo.extractors`)
hold the classifiers used for evaluation. Any family may define `PRESETS`.
Importing a family registers its network classes with Keras, so `.keras`
files that use them load.
"""
import importlib
from importlib.metadata import entry_points

GAN_GROUP = "tfgan_zoo.families"
GROUPS = (GAN_GROUP, "tfgan_zoo.extractors")


def _entries(group):
    return {entry.name: entry for entry in entry_points(group=group)}


def available():
    """Names of the GAN families."""
    return sorted(_entries(GAN_GROUP))


def get(name):
    """Imports and returns the GAN family module called `name`."""
    entries = _entries(GAN_GROUP)
    if name not in entries:
        raise ValueError(f"Unknown model family {name!r}. Available: "
                         f"{', '.join(sorted(entries)) or 'none (is tfgan-zoo installed?)'}.")
    return importlib.import_module(entries[name].value)


def modules():
    """Every installed family module, GANs and extractors."""
    return [importlib.import_module(entry.value)
            for group in GROUPS for entry in _entries(group).values()]


def load_all():
    """Imports every family so Keras can deserialize their networks."""
    modules()
