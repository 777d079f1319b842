"""`tfgan-zoo serve-request` (tfgan_zoo/serving_client.py) against stand-ins
for tensorflow_model_server (not installable with pip): a REST server
following TF Serving's documented JSON mapping and a real gRPC
PredictionService, both running the exported SavedModel and feeding an input
a request leaves out its SignatureDef default, as TF Serving does. The
client's images must equal the GAN's, and a refused request must come back
as one line."""
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
from serving_check import signature_defaults
from tfgan_zoo import cli, export, images
from tfgan_zoo import serving_client as client


def _run(served_model, signature, inputs):
    """TF Serving's predict: the request's inputs, and defaults for those it leaves out."""
    model, defaults = served_model
    function = model.signatures[signature]
    dtypes = {k: v.dtype for k, v in function.structured_input_signature[1].items()}
    inputs = {k: tf.constant(v, dtypes[k]) for k, v in inputs.items()}
    return {k: v.numpy() for k, v in function(**{**defaults[signature], **inputs}).items()}


def _json(name, value):
    """An output in TF Serving's JSON mapping: `_bytes` ones base64, {"b64": ...}."""
    if not name.endswith("_bytes"):
        return value.tolist()
    if isinstance(value, bytes):  # a scalar: interpolate's strip_png_bytes
        return {"b64": base64.b64encode(value).decode()}
    return [_json(name, b) for b in value]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from conftest import make_tiny_gan

    gan = make_tiny_gan(num_classes=3)
    path = export.export_serving(gan, tmp_path_factory.mktemp("models"), name="tiny")
    return gan, (tf.saved_model.load(path), signature_defaults(path))


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
            encoded = {k: _json(k, v) for k, v in outputs.items()}
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


def test_truncated_requests_and_walks_round_trip_over_rest(served, rest_host):
    gan, _ = served
    inputs = client.request_inputs("generate", seed=3, count=6, labels=[1], truncation=0.5)
    expected = images.to_uint8(gan.generate(6, seed=3, labels=[1] * 6, truncation=0.5))
    got = client.predict("tiny", "generate", inputs, rest=rest_host)
    assert np.abs(got.astype(int) - expected).max() <= 1
    for labels, truncation in [([0, 2], 0.7), ([1], None)]:
        inputs = client.interpolate_inputs(4, 9, steps=5, labels=labels, truncation=truncation)
        expected = images.to_uint8(gan.interpolate(4, 9, 5, labels=labels,
                                                   truncation=truncation or 1.0))
        got = client.predict("tiny", "interpolate", inputs, rest=rest_host)
        assert got.dtype == np.uint8 and got.shape == expected.shape
        assert np.abs(got.astype(int) - expected).max() <= 1
    body = client.rest_body("interpolate", client.interpolate_inputs(
        4, 9, steps=1, labels=[0]))
    with pytest.raises(ValueError, match=r"TF Serving refused the request \(400\): .*steps "
                                         r"must be in \[2, 1024\] .*got\] \[1\]"):
        client.post_rest(rest_host, "tiny", body)


def test_truncation_is_sent_only_when_given():
    assert client.request_inputs("generate", 3, 6, [1]).keys() == {"seed", "count", "labels"}
    inputs = client.request_inputs("generate_png", 3, 6, truncation=0.5)
    assert client.rest_body("generate_png", inputs) == {
        "signature_name": "generate_png", "inputs": {"seed": 3, "count": 6, "truncation": 0.5}}
    assert inputs["truncation"].dtype == np.float32  # the signature's float32 []
    walk = client.interpolate_inputs(1, 2, steps=4, labels=[0, 2])
    assert client.rest_body("interpolate", walk)["inputs"] == {
        "seed_a": 1, "seed_b": 2, "steps": 4, "labels": [0, 2]}
    walk = client.interpolate_inputs(truncation=0.7)
    assert sorted(walk) == ["seed_a", "seed_b", "steps", "truncation"]
    request = client.grpc_request("tiny", "interpolate", walk)
    assert request.inputs["truncation"].dtype == tf.float32.as_datatype_enum
    assert request.inputs["steps"].int64_val == [8]
    # serving_default takes latents: truncated here, as raw LiteRT callers do
    z = client.request_inputs("serving_default", seed=1, count=2, latent_dim=4)["z"]
    half = client.request_inputs("serving_default", seed=1, count=2, latent_dim=4,
                                 truncation=0.5)["z"]
    np.testing.assert_allclose(half, z * 0.5, rtol=1e-6)


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
        expected = images.to_uint8(gan.generate(5, seed=9, labels=labels, truncation=0.6))
        got = client.predict("tiny", "generate_png", client.request_inputs(
            "generate_png", seed=9, count=5, labels=labels, truncation=0.6),
            grpc=f"127.0.0.1:{port}")
        assert np.abs(got.astype(int) - expected).max() <= 1
        expected = images.to_uint8(gan.interpolate(9, 2, 4, labels=[2, 0], truncation=0.6))
        got = client.predict("tiny", "interpolate", client.interpolate_inputs(
            9, 2, steps=4, labels=[2, 0], truncation=0.6), grpc=f"127.0.0.1:{port}")
        assert got.dtype == np.uint8 and np.abs(got.astype(int) - expected).max() <= 1
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


@pytest.fixture
def raw_server():
    """HOST:PORT of a TCP server that answers each connection with `reply(socket)`."""
    import socket
    import socketserver

    servers = []

    def start(reply):
        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                self.request.recv(65536)
                with contextlib.suppress(OSError):
                    reply(self.request)

        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"127.0.0.1:{server.server_address[1]}"

    import contextlib
    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
    del socket


def test_a_trickling_or_endless_server_is_cut_off(raw_server, monkeypatch):
    import time

    def trickle(sock):  # a byte every 0.2 s: no single read ever times out
        for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + b" " * 999:
            sock.sendall(bytes([byte]))
            time.sleep(0.2)

    started = time.monotonic()
    with pytest.raises(OSError, match=r"TF Serving at 127\.0\.0\.1:\d+ sent no complete reply "
                                      r"within 1 s"):
        client.post_rest(raw_server(trickle), "tiny", {}, timeout=1)
    assert time.monotonic() - started < 10

    def endless(sock):
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n")
        while True:
            sock.sendall(b"[1, 2, 3, " * 1000)

    monkeypatch.setattr(client, "MAX_REPLY", 100_000)
    with pytest.raises(ValueError, match=r"sent a reply over 0 MiB: refused; ask for fewer"):
        client.post_rest(raw_server(endless), "tiny", {}, timeout=30)


def _http(body):
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)


@pytest.mark.parametrize("reply, message", [
    (b"SSH-2.0-OpenSSH_9.2\r\n", r"did not answer as an HTTP server \(BadStatusLine\)"),
    (_http(b"<html>hi</html>"), r"answered with something other than JSON \('<html>hi</html>'\)"),
    (_http(b'{"shape": 1}'), r"reply holds no images of the generate signature \(KeyError"),
    (_http(b'{"outputs": [1, 2]}'), r"holds an array of shape \(2,\), not images"),
    (_http(b'{"outputs": [{"b64": "@@@@"}]}'),
     r"reply holds no images of the generate_png signature \(Error"),
])
def test_replies_that_are_not_tf_servings_are_one_line(raw_server, reply, message):
    host = raw_server(lambda sock: sock.sendall(reply))
    signature = "generate_png" if b"b64" in reply else "generate"
    with pytest.raises((ValueError, OSError), match=message):
        client.predict("tiny", signature, {"seed": 1, "count": 1}, rest=host)
