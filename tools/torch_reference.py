"""Writes torch's reference outputs as a small JSON fixture the tests compare
the Keras ports against (tools/fid_fixture.py, tools/efficientnet_fixture.py).

Whole output arrays are hundreds of KB of binary; a port that is wrong (a
padding, a layout, a pool) is wrong almost everywhere, so the fixture keeps,
per array, its shape, 512 entries at fixed, evenly spread flat positions, and
each example's L2 norm over all of its entries. Those are checked exactly as
the whole arrays were, and stay readable in a diff.
"""
import json

import numpy as np

ENTRIES = 512


def positions(size, count=ENTRIES):
    """Evenly spread flat indices (a fixed stride, so the test recomputes them)."""
    return np.unique(np.linspace(0, size - 1, min(count, size)).round().astype(int))


def summary(array):
    array = np.asarray(array, dtype=np.float64)
    flat = array.reshape(-1)
    return {"shape": list(array.shape),
            "values": [float(np.float32(v)) for v in flat[positions(flat.size)]],
            "norms": [float(n) for n in np.linalg.norm(array.reshape(len(array), -1), axis=1)]}


def write(path, arrays, **versions):
    """arrays: name -> [N, ...] array; versions: the tools that made them."""
    with open(path, "w") as f:
        json.dump({"versions": versions,
                   "arrays": {name: summary(a) for name, a in arrays.items()}}, f, indent=0)
        f.write("\n")
