"""Runs an exported SavedModel the way TF Serving would, importing only TensorFlow
(and the serving protos to read the warm-up file): never tfgan_zoo or Keras
custom objects.

    python serving_check.py VERSION_DIR INPUTS.npz OUT.npz
    python serving_check.py --serve      the same for each tab-separated line
                                         "VERSION_DIR INPUTS OUT" on stdin

`--serve` answers each line with a line "ok" or "error: ..." on stdout, so
the tests import TensorFlow (4-8 s on a loaded 2-core machine) once per
worker, not once per SavedModel.

INPUTS.npz holds `<request>/<input>` arrays, a request named by its signature
(`generate`), or by its signature and a tag (`generate:half`) to send several
to one signature. OUT.npz gets `<request>/<output>` for each, and
`warmup/<i>/<signature>/<output>` for every warm-up record, after running its
request through the loaded signature. As TF Serving does, an input that a
request leaves out is fed its default from the SignatureDef, if it has one.
"""
import os
import sys

import numpy as np
import tensorflow as tf
from tensorflow.core.protobuf import saved_model_pb2
from tensorflow_serving.apis import prediction_log_pb2


def signature_defaults(version_dir):
    """signature -> {input: default tensor}: the SignatureDefs' `defaults`, which
    TF Serving feeds for inputs a request leaves out (`signatures[name]` of
    the loaded model does not: it takes every input)."""
    saved_model = saved_model_pb2.SavedModel()
    with open(os.path.join(version_dir, "saved_model.pb"), "rb") as f:
        saved_model.ParseFromString(f.read())
    (graph,) = [g for g in saved_model.meta_graphs if "serve" in g.meta_info_def.tags]
    return {name: {k: tf.constant(tf.make_ndarray(v)) for k, v in signature.defaults.items()}
            for name, signature in graph.signature_def.items()}


def run(model, defaults, signature, inputs):
    """The signature's outputs on `inputs`, missing ones filled in as TF Serving does."""
    return model.signatures[signature](**{**defaults.get(signature, {}), **inputs})


def main(version_dir, inputs_path, out_path):
    model = tf.saved_model.load(version_dir)
    defaults = signature_defaults(version_dir)
    results = {}
    feeds = {}
    for key, value in np.load(inputs_path, allow_pickle=True).items():  # PNG bytes
        request, name = key.split("/")
        feeds.setdefault(request, {})[name] = tf.constant(value)
    for request, inputs in feeds.items():
        for name, value in run(model, defaults, request.split(":")[0], inputs).items():
            results[f"{request}/{name}"] = value.numpy()
    warmup = f"{version_dir}/assets.extra/tf_serving_warmup_requests"
    for i, record in enumerate(tf.data.TFRecordDataset(warmup)):
        log = prediction_log_pb2.PredictionLog.FromString(record.numpy())
        request = log.predict_log.request
        inputs = {k: tf.constant(tf.make_ndarray(v)) for k, v in request.inputs.items()}
        signature = request.model_spec.signature_name
        for name, value in run(model, defaults, signature, inputs).items():
            results[f"warmup/{i}/{signature}/{name}"] = value.numpy()
        results[f"warmup/{i}/model_name"] = np.array(request.model_spec.name)
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("tfgan_zoo", "zoo_models"))
    assert not loaded, f"the check imported {loaded}"
    np.savez(out_path, **results)


def serve():
    import traceback

    for line in sys.stdin:
        try:
            main(*line.rstrip("\n").split("\t"))
            answer = "ok"
        except Exception:  # the test that sent the request fails with this
            answer = "error: " + traceback.format_exc().replace("\n", "\\n")
        print(answer, flush=True)


if __name__ == "__main__":
    serve() if sys.argv[1:] == ["--serve"] else main(*sys.argv[1:])
