"""Tensors from a PyTorch file (a `torch.save` file, zip or the legacy
format of torch < 1.6, or a TorchScript zip), read with numpy alone: no
torch, and no code from the file runs.

A torch file is a pickle whose tensors point at raw storages stored beside
it in the zip. Unpickling normally imports whatever the pickle names; this
reader's `find_class` allows only the few names a file of weights needs
(the tensor rebuilders, the storage types, `OrderedDict`) and turns
TorchScript module classes (`__torch__.*`) into plain `Module` records of
their attributes. Any other name refuses the file.
"""
import collections
import pickle
import struct
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
    if isinstance(storage, _Lazy):  # a legacy file's bytes come after the object
        return _Deferred(storage, offset, size, stride)
    itemsize = storage.dtype.itemsize
    view = np.lib.stride_tricks.as_strided(
        storage[offset:], shape=tuple(size), strides=tuple(s * itemsize for s in stride))
    return np.array(view)


class _Unpickler(pickle.Unpickler):
    """`read(key, dtype, numel)` -> the storage's elements as a flat array."""

    def __init__(self, file, read, path):
        super().__init__(file)
        self._read, self._path = read, path

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
        if kind != "storage" or not isinstance(storage, _Storage) or pid[5:] not in ((), (None,)):
            raise ValueError(f"{self._path} holds an unknown record {kind!r}: refused.")
        return self._read(key, storage.dtype, numel)


class _Plain(pickle.Unpickler):
    """The legacy format's small header pickles: plain data only."""

    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"a header names {module}.{name}")


_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C


def load(path):
    """The object a torch file pickled (a state dict, or a TorchScript
    module tree of `Module`s), its tensors as numpy arrays."""
    try:
        if zipfile.is_zipfile(path):
            return _load_zip(path)
        return _load_legacy(path)
    except (zipfile.BadZipFile, KeyError, EOFError, pickle.UnpicklingError,
            struct.error) as error:
        raise ValueError(f"{path} is not a readable PyTorch file ({error}): it is damaged "
                         "or truncated.") from None


def _load_zip(path):
    with zipfile.ZipFile(path) as archive:
        pickles = [n for n in archive.namelist() if n.endswith("/data.pkl")]
        if len(pickles) != 1:
            raise ValueError(f"{path} is not a PyTorch zip file (it holds "
                             f"{len(pickles)} data.pkl): refused.")
        prefix = pickles[0][:-len("/data.pkl")]

        def read(key, dtype, numel):
            return np.frombuffer(archive.read(f"{prefix}/data/{key}"), dtype, count=numel)

        with archive.open(pickles[0]) as f:
            return _Unpickler(f, read, path).load()


def _load_legacy(path):
    """torch.save's format before 1.6: pickles of the magic number, the
    protocol, system info and the object (storages as keys), the storage
    keys, then each storage's element count (int64) and raw elements."""
    with open(path, "rb") as f:
        if _Plain(f).load() != _LEGACY_MAGIC:
            raise pickle.UnpicklingError("no torch magic number")
        _Plain(f).load()  # protocol version
        _Plain(f).load()  # sys_info: byte order and type sizes
        storages = {}  # key -> (dtype, numel), in the order the object names them
        tree = _Unpickler(f, lambda key, dtype, numel: storages.setdefault(
            key, _Lazy(dtype)), path).load()
        for key in _Plain(f).load():
            numel, = struct.unpack("<q", f.read(8))
            lazy = storages[key]
            data = f.read(numel * lazy.dtype.itemsize)
            if len(data) != numel * lazy.dtype.itemsize:
                raise EOFError("the file ends inside a storage")
            lazy.array = np.frombuffer(data, lazy.dtype)
    return _resolve(tree)


class _Lazy:
    """A legacy storage named before its bytes come (they follow the object)."""

    def __init__(self, dtype):
        self.dtype, self.array = dtype, None


class _Deferred:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.args = storage, (offset, size, stride)


def _resolve(tree):
    """`tree` with its deferred tensors made arrays."""
    if isinstance(tree, _Deferred):
        return _rebuild_tensor(tree.storage.array, *tree.args)
    if isinstance(tree, dict):
        return type(tree)((key, _resolve(value)) for key, value in tree.items())
    if isinstance(tree, (list, tuple)):
        return type(tree)(_resolve(value) for value in tree)
    if isinstance(tree, Module):
        tree.attributes = _resolve(tree.attributes)
    return tree
