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

Signatures (see tfgan_zoo/export/__init__.py): `generate_png` (seed, count
-> PNG bytes, the default here), `generate` (seed, count -> uint8 images),
`interpolate` (seed_a, seed_b, steps -> uint8 images of a latent walk and a
PNG strip; `interpolate_inputs`) and `serving_default` (z [N, latent_dim]
-> float images in [-1, 1]); `labels` for class-conditional models, and an
optional `truncation` psi in (0, 1]. gRPC (and --show) needs TF Serving's
protos (tensorflow-serving-api, installed --no-deps); REST needs nothing
more.
"""
import base64
import binascii
import contextlib
import http.client
import json
import socket
import threading

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
    try:
        outputs = response["outputs"]
        if isinstance(outputs, dict):  # more than one output: keyed by name
            outputs = outputs.get("png_bytes", outputs.get("images"))
        if outputs and isinstance(outputs[0], dict):  # {"b64": ...}: PNG files
            images = np.stack([tf.io.decode_png(base64.b64decode(o["b64"], validate=True))
                               .numpy() for o in outputs])
        elif signature == "serving_default":  # floats in [-1, 1]
            images = image_utils.to_uint8(np.asarray(outputs, np.float32))
        else:
            images = np.asarray(outputs, np.uint8)
    except (KeyError, TypeError, IndexError, ValueError, binascii.Error,
            tf.errors.InvalidArgumentError) as error:
        raise ValueError(f"TF Serving's reply holds no images of the {signature} signature "
                         f"({type(error).__name__}: {str(error)[:80]}): is the model one "
                         "that `tfgan-zoo export` wrote?") from None
    if images.ndim != 4:
        raise ValueError(f"TF Serving's reply holds an array of shape {images.shape}, not "
                         f"images [N, H, W, C] of the {signature} signature: is the model one "
                         "that `tfgan-zoo export` wrote?")
    return images


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


MAX_REPLY = 256 * 2**20  # bytes: 1024 images of 64x64x3 as JSON take about 60 MiB


def post_rest(host, model_name, body, timeout=60):
    """The JSON reply of TF Serving's REST predict; its refusal as a ValueError.

    `timeout` bounds the whole exchange, however slowly the server trickles
    (a watchdog closes the connection at the deadline); a reply over
    `MAX_REPLY` bytes is refused."""
    address, _, port = host.rpartition(":")
    connection = http.client.HTTPConnection(address or host, int(port) if port.isdigit()
                                            else None, timeout=timeout)
    expired = threading.Event()

    def expire():
        expired.set()
        if connection.sock is not None:
            with contextlib.suppress(OSError):
                connection.sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(timeout, expire)
    watchdog.start()
    try:
        connection.request("POST", f"/v1/models/{model_name}:predict", json.dumps(body),
                           {"Content-Type": "application/json"})
        reply = connection.getresponse()
        data = reply.read(MAX_REPLY + 1)
        if len(data) > MAX_REPLY:
            raise ValueError(f"TF Serving at {host} sent a reply over {MAX_REPLY // 2**20} "
                             "MiB: refused; ask for fewer images (--count).")
    except (OSError, http.client.HTTPException) as error:
        if expired.is_set() or isinstance(error, TimeoutError):
            raise OSError(f"TF Serving at {host} sent no complete reply within {timeout:g} s: "
                          "is it overloaded, or is that port another server?") from None
        if isinstance(error, http.client.HTTPException):
            raise ValueError(f"{host} did not answer as an HTTP server ({type(error).__name__})"
                             ": is that TF Serving's REST port (--rest_api_port)?") from None
        raise _unreachable(host, error, "--rest_api_port") from None
    finally:
        watchdog.cancel()
        connection.close()
    text = data.decode(errors="replace")
    if reply.status != 200:  # TF Serving's {"error": ...}: the reason
        with contextlib.suppress(ValueError, KeyError, TypeError):
            text = json.loads(text)["error"]
        raise ValueError(f"TF Serving refused the request ({reply.status}): "
                         f"{' '.join(str(text).split())[:500]}")
    try:
        return json.loads(text)
    except ValueError:
        raise ValueError(f"{host} answered with something other than JSON "
                         f"({' '.join(text.split())[:80]!r}): is that TF Serving's REST port "
                         "(--rest_api_port)?") from None


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
