"""`tfgan-zoo serve-request` (tfgan_zoo/serving_client.py) against stand-ins
for tensorflow_model_server (not installable with pip): a REST server
following TF Serving's documented JSON mapping and a real gRPC
PredictionService, both running the exported SavedModel. The client's images
must equal the GAN's, and a refused request must come back as one line."""
import base64
import http.server
import json
import threading
from concurrent import futures

import grpc
import numpy as np
import pytest
import tensorflow as tf
from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc

from export_checks import hide_serving_protos
from tfgan_zoo import cli, export, images
from tfgan_zoo import serving_client as client


def _run(model, signature, inputs):
    function = model.signatures[signature]
    dtypes = {k: v.dtype for k, v in function.structured_input_signature[1].items()}
    return {k: v.numpy() for k, v in function(
        **{k: tf.constant(v, dtypes[k]) for k, v in inputs.items()}).items()}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from conftest import make_tiny_gan

    gan = make_tiny_gan(num_classes=3)
    path = export.export_serving(gan, tmp_path_factory.mktemp("models"), name="tiny")
    return gan, tf.saved_model.load(path)


@pytest.fixture(scope="module")
def rest_host(served):
    """HOST:PORT of a REST stand-in; a refused request gets TF Serving's
    {"error": ...} with status 400."""
    model = served[1]

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            assert self.path == "/v1/models/tiny:predict"
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            try:
                outputs = _run(model, body["signature_name"], body["inputs"])
            except tf.errors.InvalidArgumentError as error:
                self.send_response(400)
                self.end_headers()
                self.wfile.write(json.dumps({"error": error.message}).encode())
                return
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
    yield f"127.0.0.1:{server.server_port}"
    server.shutdown()


def test_rest_requests_round_trip(served, rest_host, tmp_path):
    gan, _ = served
    expected = images.to_uint8(gan.generate(6, seed=3, labels=[1] * 6))
    for signature in ("generate", "generate_png"):
        out = tmp_path / f"{signature}.png"
        assert cli.main(["serve-request", "tiny", "--rest", rest_host, "--signature",
                         signature, "--seed", "3", "--count", "6", "--labels", "1", "--out",
                         str(out)]) == 0
        got = tf.io.decode_png(tf.io.read_file(str(out))).numpy()
        assert np.abs(got.astype(int) - images.grid(expected)).max() <= 1
    inputs = client.request_inputs("serving_default", seed=1, count=4, labels=[0, 1, 2, 0],
                                   latent_dim=gan.latent_dim)
    got = client.predict("tiny", "serving_default", inputs, rest=rest_host)
    generator_out = gan.generator([inputs["z"], inputs["labels"]], training=False)
    assert np.abs(got.astype(int) - images.to_uint8(generator_out)).max() <= 1


def test_refused_and_unreachable_requests_are_one_line(rest_host, tmp_path, capsys):
    out = str(tmp_path / "x.png")
    refused = "tfgan-zoo serve-request: error: TF Serving refused the request (400): "
    for host, args, messages in [
            (rest_host, ["--count", "5000", "--labels", "0"],
             [refused, "count must be in [1, 1024] (images per request); got] [5000]"]),
            (rest_host, ["--count", "2", "--labels", "7"],
             [refused, "labels must be in [0, 3); got] [7]"]),
            ("127.0.0.1:1", [], ["tfgan-zoo serve-request: error: Cannot reach TF Serving at "
                                 "127.0.0.1:1: [Errno 111] Connection refused. Start "
                                 "tensorflow_model_server with --rest_api_port=1, or give its "
                                 "HOST:PORT."])]:
        assert cli.main(["serve-request", "tiny", "--rest", host, *args, "--out", out]) == 2
        err = capsys.readouterr().err
        assert len(err.splitlines()) == 1, err
        assert all(message in err for message in messages), err
    assert not (tmp_path / "x.png").exists()


def test_grpc_requests_round_trip(served):
    gan, model = served

    class Service(prediction_service_pb2_grpc.PredictionServiceServicer):
        def Predict(self, request, context):
            assert request.model_spec.name == "tiny"
            inputs = {k: tf.make_ndarray(v) for k, v in request.inputs.items()}
            response = predict_pb2.PredictResponse()
            try:
                outputs = _run(model, request.model_spec.signature_name, inputs)
            except tf.errors.InvalidArgumentError as error:
                context.abort(grpc.StatusCode.INVALID_ARGUMENT, error.message)
            for k, v in outputs.items():
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
            got = client.predict("tiny", signature, client.request_inputs(
                signature, seed=9, count=5, labels=labels), grpc=f"127.0.0.1:{port}")
            assert got.dtype == np.uint8
            assert np.abs(got.astype(int) - expected).max() <= 1
        with pytest.raises(ValueError, match=r"TF Serving refused the request "
                                             r"\(INVALID_ARGUMENT\): .*count must be in "
                                             r"\[1, 1024\]"):
            client.predict("tiny", "generate", client.request_inputs(
                "generate", count=0, labels=[0]), grpc=f"127.0.0.1:{port}")
    finally:
        server.stop(0)


def test_show_prints_both_requests_and_grpc_needs_the_protos(monkeypatch, capsys):
    assert cli.main(["serve-request", "tiny", "--show", "--count", "2", "--seed", "5"]) == 0
    shown = capsys.readouterr().out
    assert 'REST body: {"signature_name": "generate_png", "inputs": {"seed": 5, "count": 2}}' \
        in shown
    assert 'signature_name: "generate_png"' in shown
    hide_serving_protos(monkeypatch)
    assert cli.main(["serve-request", "tiny", "--grpc", "127.0.0.1:1"]) == 2
    assert capsys.readouterr().err == (
        "tfgan-zoo serve-request: error: A gRPC request needs TF Serving's protos: pip install "
        "--no-deps tensorflow-serving-api==2.21.0 (--no-deps: it requires the full "
        "`tensorflow` package, a second TensorFlow beside tensorflow-cpu), or send it over "
        "REST (--rest HOST:PORT).\n")


def test_serving_default_needs_the_latent_size():
    with pytest.raises(ValueError, match="pass --latent-dim"):
        client.request_inputs("serving_default")
