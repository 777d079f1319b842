"""Tensors from a PyTorch file (a `torch.save` zip or a TorchScript zip),
read with numpy alone: no torch, and no code from the file runs.

A torch file is a pickle whose tensors point at raw storages stored beside
it in the zip. Unpickling normally imports whatever the pickle names; this
reader's `find_class` allows only the few names a file of weights needs
(the tensor rebuilders, the storage types, `OrderedDict`) and turns
TorchScript module classes (`__torch__.*`) into plain `Module` records of
their attributes. Any other name refuses the file.
"""
import collections
import pickle
import zipfile

import numpy as np

_DTYPES = {"FloatStorage": np.float32, "DoubleStorage": np.float64,
           "HalfStorage": np.float16, "LongStorage": np.int64, "IntStorage": np.int32,
           "ShortStorage": np.int16, "CharStorage": np.int8, "ByteStorage": np.uint8,
           "BoolStorage": np.bool_}


class Module:
    """A TorchScript module of the file: its class name and attributes
    (sub-modules, tensors as numpy arrays, ints and lists)."""

    kind = ""
    attributes = {}

    def __setstate__(self, state):
        self.attributes = dict(state)

    def children(self):
        return {k: v for k, v in self.attributes.items() if isinstance(v, Module)}


class _Storage:
    def __init__(self, dtype):
        self.dtype = dtype


def _rebuild_tensor(storage, offset, size, stride, *_):
    """torch._utils._rebuild_tensor_v2 as numpy: a strided view, copied."""
    itemsize = storage.dtype.itemsize
    view = np.lib.stride_tricks.as_strided(
        storage[offset:], shape=tuple(size), strides=tuple(s * itemsize for s in stride))
    return np.array(view)


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, archive, prefix, path):
        super().__init__(file)
        self._archive, self._prefix, self._path = archive, prefix, path

    def find_class(self, module, name):
        if module.startswith("__torch__."):
            return type(name, (Module,), {"kind": f"{module}.{name}"})
        if module == "torch._utils" and name in ("_rebuild_tensor_v2", "_rebuild_tensor"):
            return _rebuild_tensor
        if module == "torch" and name in _DTYPES:
            return _Storage(np.dtype(_DTYPES[name]))
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("torch.jit._pickle", "build_intlist"):
            return list
        raise ValueError(f"{self._path} names {module}.{name}, which a file of weights "
                         "does not need: refused (nothing from it was run).")

    def persistent_load(self, pid):
        kind, storage, key, _location, numel = pid[:5]
        if kind != "storage" or not isinstance(storage, _Storage):
            raise ValueError(f"{self._path} holds an unknown record {kind!r}: refused.")
        raw = self._archive.read(f"{self._prefix}/data/{key}")
        return np.frombuffer(raw, storage.dtype, count=numel)


def load(path):
    """The object a torch zip file pickled (a state dict, or a TorchScript
    module tree of `Module`s), its tensors as float numpy arrays."""
    try:
        with zipfile.ZipFile(path) as archive:
            pickles = [n for n in archive.namelist() if n.endswith("/data.pkl")]
            if len(pickles) != 1:
                raise ValueError(f"{path} is not a PyTorch zip file (it holds "
                                 f"{len(pickles)} data.pkl): refused.")
            prefix = pickles[0][:-len("/data.pkl")]
            with archive.open(pickles[0]) as f:
                return _Unpickler(f, archive, prefix, path).load()
    except (zipfile.BadZipFile, KeyError, EOFError, pickle.UnpicklingError) as error:
        raise ValueError(f"{path} is not a readable PyTorch file ({error}): it is damaged "
                         "or truncated.") from None
