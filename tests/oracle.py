"""TF-GAN 2.1.0 as a test oracle.

Its top-level import fails on TF >= 2.16, so the parent packages are
registered empty and only `losses_impl` and `classifier_metrics` are loaded.
"""
import functools
import importlib
import importlib.util
import os
import sys
import types


@functools.cache
def _register_parents():
    spec = importlib.util.find_spec("tensorflow_gan")
    if spec is None:
        raise ImportError("tensorflow-gan is not installed: "
                          "pip install --no-deps -r requirements-oracle.txt")
    root = os.path.dirname(spec.origin)
    for package, sub in [("tensorflow_gan", ""), ("tensorflow_gan.python", "python"),
                         ("tensorflow_gan.python.losses", "python/losses"),
                         ("tensorflow_gan.python.eval", "python/eval")]:
        if package not in sys.modules:
            module = types.ModuleType(package)
            module.__path__ = [os.path.join(root, sub)]
            sys.modules[package] = module


def _tfgan_module(name):
    _register_parents()
    return importlib.import_module(name)


def losses_impl():
    return _tfgan_module("tensorflow_gan.python.losses.losses_impl")


def classifier_metrics():
    return _tfgan_module("tensorflow_gan.python.eval.classifier_metrics")
