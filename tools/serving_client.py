"""Asks TF Serving for images from an exported zoo generator (REST or gRPC).

Serve an export first:
    tfgan-zoo export dcgan_fashion_mnist --serving models/
    tensorflow_model_server --port=8500 --rest_api_port=8501 \\
        --model_name=dcgan_fashion_mnist --model_base_path=$PWD/models/dcgan_fashion_mnist

Then:
    python tools/serving_client.py dcgan_fashion_mnist --rest localhost:8501 --out grid.png
    python tools/serving_client.py dcgan_fashion_mnist --grpc localhost:8500 --out grid.png
    python tools/serving_client.py dcgan_fashion_mnist --show   # print the requests only

Signatures (see tfgan_zoo/export.py): `generate_png` (seed, count -> PNG
bytes, the default here), `generate` (seed, count -> uint8 images) and
`serving_default` (z [N, latent_dim] -> float images in [-1, 1]). Add
`--labels` for class-conditional models. Needs TensorFlow and
tensorflow-serving-api only, not tfgan_zoo.
"""
import argparse
import base64
import json
import sys
import urllib.request

import numpy as np
import tensorflow as tf
from tensorflow_serving.apis import model_pb2, predict_pb2


def request_inputs(signature, seed=0, count=16, labels=None, latent_dim=None):
    """The signature's inputs as numpy values."""
    if signature == "serving_default":
        if not latent_dim:
            raise ValueError("serving_default takes latents: pass --latent-dim (the "
                             "model's, e.g. 100; `saved_model_cli show` lists it).")
        inputs = {"z": np.random.default_rng(seed).standard_normal(
            (count, latent_dim)).astype(np.float32)}
    else:
        inputs = {"seed": np.int64(seed), "count": np.int64(count)}
    if labels is not None:
        inputs["labels"] = np.asarray(labels, np.int64).reshape(-1)
    return inputs


def rest_body(signature, inputs):
    """The JSON body of POST /v1/models/NAME:predict (columnar "inputs" format,
    which accepts the scalar seed and count)."""
    return {"signature_name": signature,
            "inputs": {k: np.asarray(v).tolist() for k, v in inputs.items()}}


def grpc_request(model_name, signature, inputs):
    """A PredictionService.Predict request."""
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
        return _to_uint8(np.asarray(outputs, np.float32))
    return np.asarray(outputs, np.uint8)


def images_from_grpc(response):
    """uint8 images [N, H, W, C] from a gRPC PredictResponse."""
    if "png_bytes" in response.outputs:
        return np.stack([tf.io.decode_png(p).numpy()
                         for p in tf.make_ndarray(response.outputs["png_bytes"])])
    images = tf.make_ndarray(response.outputs["images"])
    return images if images.dtype == np.uint8 else _to_uint8(images)


def _to_uint8(images):
    return np.clip(np.rint((images + 1.0) * 127.5), 0, 255).astype(np.uint8)


def post_rest(host, model_name, body, timeout=60):
    url = f"http://{host}/v1/models/{model_name}:predict"
    request = urllib.request.Request(url, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as reply:
        return json.loads(reply.read())


def call_grpc(host, request, timeout=60):
    import grpc
    from tensorflow_serving.apis import prediction_service_pb2_grpc

    with grpc.insecure_channel(host) as channel:
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        return stub.Predict(request, timeout)


def grid(images, columns=8):
    n, h, w, c = images.shape
    rows = -(-n // columns)
    canvas = np.zeros((rows * h, columns * w, c), np.uint8)
    for i, image in enumerate(images):
        canvas[(i // columns) * h:(i // columns + 1) * h,
               (i % columns) * w:(i % columns + 1) * w] = image
    return canvas


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model_name")
    parser.add_argument("--signature", default="generate_png",
                        choices=["generate_png", "generate", "serving_default"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--count", type=int, default=16)
    parser.add_argument("--labels", type=int, nargs="+",
                        help="conditional models: one label for all, or one per image")
    parser.add_argument("--latent-dim", type=int, help="serving_default only")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--rest", metavar="HOST:PORT")
    where.add_argument("--grpc", metavar="HOST:PORT")
    where.add_argument("--show", action="store_true", help="print both requests and exit")
    parser.add_argument("--out", default="served.png", help="PNG grid of the images")
    args = parser.parse_args(argv)

    inputs = request_inputs(args.signature, args.seed, args.count, args.labels,
                            args.latent_dim)
    if args.show:
        print("REST body:", json.dumps(rest_body(args.signature, inputs))[:2000])
        print("gRPC request:", grpc_request(args.model_name, args.signature, inputs))
        return 0
    if args.rest:
        images = images_from_rest(post_rest(args.rest, args.model_name,
                                            rest_body(args.signature, inputs)),
                                  args.signature)
    else:
        images = images_from_grpc(call_grpc(
            args.grpc, grpc_request(args.model_name, args.signature, inputs)))
    tf.io.write_file(args.out, tf.io.encode_png(grid(images)))
    print(f"Wrote {args.out}: {len(images)} images of {images.shape[1:]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
