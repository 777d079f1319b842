"""tools/serving_client.py against stand-ins for tensorflow_model_server (not
installable with pip): a REST server following TF Serving's documented JSON
mapping and a real gRPC PredictionService, both running the exported
SavedModel. The client's images must equal the GAN's."""
import base64
import http.server
import importlib.util
import json
import os
import threading
from concurrent import futures

import grpc
import numpy as np
import pytest
import tensorflow as tf
from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc

from tfgan_zoo import export, images

spec = importlib.util.spec_from_file_location(
    "serving_client", os.path.join(os.path.dirname(__file__), "..", "tools", "serving_client.py"))
client = importlib.util.module_from_spec(spec)
spec.loader.exec_module(client)


def _run(model, signature, inputs):
    function = model.signatures[signature]
    dtypes = {k: v.dtype for k, v in function.structured_input_signature[1].items()}
    return {k: v.numpy() for k, v in function(
        **{k: tf.constant(v, dtypes[k]) for k, v in inputs.items()}).items()}


@pytest.fixture
def served(tiny_gan, tmp_path):
    gan = tiny_gan(num_classes=3)
    model = tf.saved_model.load(export.export_serving(gan, tmp_path, name="tiny"))
    return gan, model


def test_rest_requests_round_trip(served, tmp_path):
    gan, model = served

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            assert self.path == "/v1/models/tiny:predict"
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            outputs = _run(model, body["signature_name"], body["inputs"])
            encoded = {k: ([{"b64": base64.b64encode(b).decode()} for b in v]
                           if k.endswith("_bytes") else v.tolist()) for k, v in outputs.items()}
            reply = json.dumps({"outputs": encoded[next(iter(encoded))]
                                if len(encoded) == 1 else encoded}).encode()
            self.send_response(200)
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        host = f"127.0.0.1:{server.server_port}"
        expected = images.to_uint8(gan.generate(6, seed=3, labels=[1] * 6))
        for signature in ("generate", "generate_png"):
            out = tmp_path / f"{signature}.png"
            assert client.main(["tiny", "--rest", host, "--signature", signature, "--seed",
                                "3", "--count", "6", "--labels", "1", "--out", str(out)]) == 0
            got = tf.io.decode_png(tf.io.read_file(str(out))).numpy()
            assert np.abs(got.astype(int) - client.grid(expected)).max() <= 1
        inputs = client.request_inputs("serving_default", seed=1, count=4, labels=[0, 1, 2, 0],
                                       latent_dim=gan.latent_dim)
        got = client.images_from_rest(client.post_rest(host, "tiny", client.rest_body(
            "serving_default", inputs)), "serving_default")
        generator_out = gan.generator([inputs["z"], inputs["labels"]], training=False)
        assert np.abs(got.astype(int) - images.to_uint8(generator_out)).max() <= 1
    finally:
        server.shutdown()


def test_grpc_requests_round_trip(served):
    gan, model = served

    class Service(prediction_service_pb2_grpc.PredictionServiceServicer):
        def Predict(self, request, context):
            assert request.model_spec.name == "tiny"
            inputs = {k: tf.make_ndarray(v) for k, v in request.inputs.items()}
            response = predict_pb2.PredictResponse()
            for k, v in _run(model, request.model_spec.signature_name, inputs).items():
                response.outputs[k].CopyFrom(tf.make_tensor_proto(v))
            return response

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    prediction_service_pb2_grpc.add_PredictionServiceServicer_to_server(Service(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        labels = gan.class_cycle(5)
        expected = images.to_uint8(gan.generate(5, seed=9, labels=labels))
        for signature in ("generate", "generate_png"):
            request = client.grpc_request("tiny", signature, client.request_inputs(
                signature, seed=9, count=5, labels=labels))
            got = client.images_from_grpc(client.call_grpc(f"127.0.0.1:{port}", request))
            assert got.dtype == np.uint8
            assert np.abs(got.astype(int) - expected).max() <= 1
    finally:
        server.stop(0)


def test_serving_default_needs_the_latent_size():
    with pytest.raises(ValueError, match="pass --latent-dim"):
        client.request_inputs("serving_default")
