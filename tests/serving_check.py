"""Runs an exported SavedModel the way TF Serving would, importing only TensorFlow
(and the serving protos to read the warm-up file): never tfgan_zoo or Keras
custom objects.

    python serving_check.py VERSION_DIR INPUTS.npz OUT.npz

INPUTS.npz holds `<signature>/<input>` arrays. OUT.npz gets
`<signature>/<output>` for each, and `warmup/<i>/<signature>/<output>` for
every warm-up record, after running its request through the loaded signature.
"""
import sys

import numpy as np
import tensorflow as tf
from tensorflow_serving.apis import prediction_log_pb2


def main(version_dir, inputs_path, out_path):
    model = tf.saved_model.load(version_dir)
    results = {}
    feeds = {}
    for key, value in np.load(inputs_path, allow_pickle=True).items():  # PNG bytes
        signature, name = key.split("/")
        feeds.setdefault(signature, {})[name] = tf.constant(value)
    for signature, inputs in feeds.items():
        for name, value in model.signatures[signature](**inputs).items():
            results[f"{signature}/{name}"] = value.numpy()
    warmup = f"{version_dir}/assets.extra/tf_serving_warmup_requests"
    for i, record in enumerate(tf.data.TFRecordDataset(warmup)):
        log = prediction_log_pb2.PredictionLog.FromString(record.numpy())
        request = log.predict_log.request
        inputs = {k: tf.constant(tf.make_ndarray(v)) for k, v in request.inputs.items()}
        signature = request.model_spec.signature_name
        for name, value in model.signatures[signature](**inputs).items():
            results[f"warmup/{i}/{signature}/{name}"] = value.numpy()
        results[f"warmup/{i}/model_name"] = np.array(request.model_spec.name)
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("tfgan_zoo", "zoo_models"))
    assert not loaded, f"the check imported {loaded}"
    np.savez(out_path, **results)


if __name__ == "__main__":
    main(*sys.argv[1:])
