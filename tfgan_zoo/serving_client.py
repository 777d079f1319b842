"""Asks TF Serving for images from an exported zoo generator, over REST or
gRPC: what `tfgan-zoo serve-request` runs.

Serve an export first:
    tfgan-zoo export dcgan_fashion_mnist --serving models/
    tensorflow_model_server --port=8500 --rest_api_port=8501 \\
        --model_name=dcgan_fashion_mnist --model_base_path=$PWD/models/dcgan_fashion_mnist

Then:
    tfgan-zoo serve-request dcgan_fashion_mnist --rest localhost:8501 --out grid.png
    tfgan-zoo serve-request dcgan_fashion_mnist --grpc localhost:8500 --out grid.png
    tfgan-zoo serve-request dcgan_fashion_mnist --show   # print the requests only

Signatures (see tfgan_zoo/export.py): `generate_png` (seed, count -> PNG
bytes, the default here), `generate` (seed, count -> uint8 images),
`interpolate` (seed_a, seed_b, steps -> uint8 images of a latent walk and a
PNG strip; `interpolate_inputs`) and `serving_default` (z [N, latent_dim]
-> float images in [-1, 1]); `labels` for class-conditional models, and an
optional `truncation` psi in (0, 1]. gRPC (and --show) needs TF Serving's
protos (tensorflow-serving-api, installed --no-deps); REST needs nothing
more.
"""
import base64
import json
import urllib.error
import urllib.request

import numpy as np
import tensorflow as tf

from tfgan_zoo import images as image_utils
from tfgan_zoo.export import serving_apis


def request_inputs(signature, seed=0, count=16, labels=None, latent_dim=None,
                   truncation=None):
    """The signature's inputs as numpy values. `truncation` is sent only when
    given (the served default is 1: none); serving_default's latents, drawn
    here, are scaled by it instead, as truncated latents are."""
    if signature == "serving_default":
        if not latent_dim:
            raise ValueError("serving_default takes latents: pass --latent-dim (the "
                             "model's, e.g. 100; `saved_model_cli show` lists it).")
        z = np.random.default_rng(seed).standard_normal((count, latent_dim))
        inputs = {"z": (z * (1.0 if truncation is None else truncation)).astype(np.float32)}
    else:
        inputs = _with_truncation({"seed": np.int64(seed), "count": np.int64(count)},
                                  truncation)
    return _with_labels(inputs, labels)


def interpolate_inputs(seed_a=0, seed_b=1, steps=8, labels=None, truncation=None):
    """The inputs of the `interpolate` signature: a walk of `steps` images
    from seed_a's to seed_b's; `labels` one class, or two (the ends')."""
    inputs = {"seed_a": np.int64(seed_a), "seed_b": np.int64(seed_b), "steps": np.int64(steps)}
    return _with_labels(_with_truncation(inputs, truncation), labels)


def _with_truncation(inputs, truncation):
    if truncation is not None:  # float32 [], as the signature takes it
        inputs["truncation"] = np.float32(truncation)
    return inputs


def _with_labels(inputs, labels):
    if labels is not None:
        inputs["labels"] = np.asarray(labels, np.int64).reshape(-1)
    return inputs


def rest_body(signature, inputs):
    """The JSON body of POST /v1/models/NAME:predict (columnar "inputs" format,
    which accepts the scalar seed and count)."""
    return {"signature_name": signature,
            "inputs": {k: np.asarray(v).tolist() for k, v in inputs.items()}}


def _grpc_apis(*names):
    return serving_apis(names, "A gRPC request", "send it over REST (--rest HOST:PORT)")


def grpc_request(model_name, signature, inputs):
    """A PredictionService.Predict request."""
    model_pb2, predict_pb2 = _grpc_apis("model_pb2", "predict_pb2")
    request = predict_pb2.PredictRequest(
        model_spec=model_pb2.ModelSpec(name=model_name, signature_name=signature))
    for key, value in inputs.items():
        request.inputs[key].CopyFrom(tf.make_tensor_proto(value))
    return request


def images_from_rest(response, signature):
    """uint8 images [N, H, W, C] from a REST predict response of `signature`."""
    outputs = response["outputs"]
    if isinstance(outputs, dict):  # more than one output: keyed by name
        outputs = outputs.get("png_bytes", outputs.get("images"))
    if outputs and isinstance(outputs[0], dict):  # {"b64": ...}: PNG files
        return np.stack([tf.io.decode_png(base64.b64decode(o["b64"])).numpy()
                         for o in outputs])
    if signature == "serving_default":  # floats in [-1, 1]
        return image_utils.to_uint8(np.asarray(outputs, np.float32))
    return np.asarray(outputs, np.uint8)


def images_from_grpc(response):
    """uint8 images [N, H, W, C] from a gRPC PredictResponse."""
    if "png_bytes" in response.outputs:
        return np.stack([tf.io.decode_png(p).numpy()
                         for p in tf.make_ndarray(response.outputs["png_bytes"])])
    images = tf.make_ndarray(response.outputs["images"])
    return images if images.dtype == np.uint8 else image_utils.to_uint8(images)


def _unreachable(host, reason, option):
    return OSError(f"Cannot reach TF Serving at {host}: {reason}. Start "
                   f"tensorflow_model_server with {option}={host.rpartition(':')[2]}, or give "
                   "its HOST:PORT.")


def post_rest(host, model_name, body, timeout=60):
    """The JSON reply of TF Serving's REST predict; its refusal as a ValueError."""
    url = f"http://{host}/v1/models/{model_name}:predict"
    request = urllib.request.Request(url, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return json.loads(reply.read())
    except urllib.error.HTTPError as error:  # TF Serving's {"error": ...}: the reason
        text = error.read().decode(errors="replace")
        try:
            text = json.loads(text)["error"]
        except (ValueError, KeyError, TypeError):
            pass
        raise ValueError(f"TF Serving refused the request ({error.code}): "
                         f"{' '.join(text.split())}") from None
    except urllib.error.URLError as error:
        raise _unreachable(host, error.reason, "--rest_api_port") from None


def call_grpc(host, request, timeout=60):
    """TF Serving's PredictResponse; its refusal as a ValueError."""
    import grpc

    (prediction_service_pb2_grpc,) = _grpc_apis("prediction_service_pb2_grpc")
    with grpc.insecure_channel(host) as channel:
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        try:
            return stub.Predict(request, timeout)
        except grpc.RpcError as error:
            if error.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                raise _unreachable(host, error.details(), "--port") from None
            raise ValueError(f"TF Serving refused the request ({error.code().name}): "
                             f"{' '.join(error.details().split())}") from None


def predict(model_name, signature, inputs, rest=None, grpc=None):
    """uint8 images [N, H, W, C] from TF Serving at `rest` or `grpc` (HOST:PORT)."""
    if rest:
        return images_from_rest(post_rest(rest, model_name, rest_body(signature, inputs)),
                                signature)
    return images_from_grpc(call_grpc(grpc, grpc_request(model_name, signature, inputs)))


def show(model_name, signature, inputs):
    """Both requests as text, for --show."""
    return (f"REST body: {json.dumps(rest_body(signature, inputs))[:2000]}\n"
            f"gRPC request: {grpc_request(model_name, signature, inputs)}")
