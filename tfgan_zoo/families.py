"""Model families, found through the `tfgan_zoo.families` entry points.

A family is a module with `build(image_shape, num_classes=None, **options)`
returning `(generator, discriminator)`. Importing it registers its network
classes with Keras, so `.keras` files that use them load.
"""
import importlib
from importlib.metadata import entry_points

GROUP = "tfgan_zoo.families"


def _entries():
    return {entry.name: entry for entry in entry_points(group=GROUP)}


def available():
    return sorted(_entries())


def get(name):
    """Imports and returns the family module called `name`."""
    entries = _entries()
    if name not in entries:
        raise ValueError(f"Unknown model family {name!r}. Available: "
                         f"{', '.join(sorted(entries)) or 'none (is tfgan-zoo installed?)'}.")
    return importlib.import_module(entries[name].value)


def load_all():
    """Imports every family so Keras can deserialize their networks."""
    for name in _entries():
        get(name)
