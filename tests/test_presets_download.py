"""Presets pulled over HTTP from a real server on 127.0.0.1, the cache, and
presets that must be refused."""
import functools
import hashlib
import http.server
import io
import json
import os
import subprocess
import sys
import tarfile
import threading
import zipfile

import keras
import pytest

from tfgan_zoo import presets
from zoo_models.classifier import Classifier


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/silent.tar.gz":  # accepts the connection, never answers
            self.server.release.wait(60)
            return
        if self.path.startswith("/trickle-"):  # /trickle-SECONDS.tar.gz: a byte every SECONDS
            delay = float(self.path[len("/trickle-"):-len(".tar.gz")])
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            while not self.server.release.wait(delay):
                try:
                    self.wfile.write(b"x")
                except OSError:  # the client gave up
                    return
            return
        if self.path == "/truncated.tar.gz":
            body = open(os.path.join(self.directory, "tiny.tar.gz"), "rb").read()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:len(body) // 2])  # then hang up
            return
        super().do_GET()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("www")
    directory = root / "tiny"
    presets.save(Classifier((8, 8, 1), num_classes=2, width=2, feature_dim=2),
                         str(directory), card="# tiny\n")
    sha256 = presets.pack(str(directory), str(root / "tiny.tar.gz"))
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    httpd.release = threading.Event()  # set: the silent and trickling handlers stop
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{httpd.server_port}", "sha256": sha256, "root": root}
    httpd.release.set()
    httpd.shutdown()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TFGAN_ZOO_HOME", str(tmp_path / "home"))
    return tmp_path / "home" / "presets"


def cached(cache):
    return sorted(os.listdir(cache)) if cache.exists() else []


def test_download_verifies_caches_and_then_works_offline(server, cache, monkeypatch):
    url = server["url"] + "/tiny.tar.gz"
    monkeypatch.setattr(presets, "registry", lambda: {
        "tiny": {"description": "t", "params": 1, "url": url, "sha256": server["sha256"]}})
    model = presets.load("tiny")
    assert isinstance(model, Classifier)
    assert cached(cache) == [f"tiny-{server['sha256'][:16]}"]
    # Offline: the registry now points at a dead address; the cache answers.
    monkeypatch.setattr(presets, "registry", lambda: {
        "tiny": {"description": "t", "params": 1, "url": "http://127.0.0.1:9/x.tar.gz",
                 "sha256": server["sha256"]}})
    assert isinstance(presets.load("tiny"), Classifier)


def test_a_checksum_mismatch_leaves_nothing_in_the_cache(server, cache):
    with pytest.raises(ValueError, match="Checksum mismatch for .*nothing was cached"):
        presets.fetch(server["url"] + "/tiny.tar.gz", "0" * 64, "tiny")
    assert cached(cache) == []


def test_a_truncated_transfer_leaves_nothing_in_the_cache(server, cache):
    with pytest.raises(OSError, match="Could not download preset tiny"):
        presets.fetch(server["url"] + "/truncated.tar.gz", None, "tiny")
    assert cached(cache) == []


def test_a_404_is_a_clear_error(server, cache):
    with pytest.raises(OSError, match="Could not download preset gone from .*404"):
        presets.fetch(server["url"] + "/gone.tar.gz", None, "gone")
    assert cached(cache) == []


STALLED = "Could not download preset tiny from .*: the server sent less than 1024 bytes in 1 s"


@pytest.mark.parametrize("path", ["/silent.tar.gz", "/trickle-2.tar.gz", "/trickle-0.2.tar.gz"])
def test_a_stalled_server_times_out_and_leaves_nothing_in_the_cache(server, cache, path):
    # silent and a byte every 2 s: one read waits past the timeout; a byte
    # every 0.2 s: every read returns in time, but far too little arrives.
    with pytest.raises(OSError, match=STALLED + ".*timeout=SECONDS or "
                                                "TFGAN_ZOO_DOWNLOAD_TIMEOUT=SECONDS"):
        presets.fetch(server["url"] + path, None, "tiny", timeout=1)
    assert cached(cache) == []


def test_the_download_timeout_comes_from_the_environment(server, cache, monkeypatch):
    monkeypatch.setenv("TFGAN_ZOO_DOWNLOAD_TIMEOUT", "1")
    with pytest.raises(OSError, match=STALLED):
        presets.fetch(server["url"] + "/silent.tar.gz", None, "tiny")
    monkeypatch.setenv("TFGAN_ZOO_DOWNLOAD_TIMEOUT", "soon")
    with pytest.raises(ValueError, match="The download timeout must be a number of seconds "
                                         "> 0, got 'soon'"):
        presets.fetch(server["url"] + "/tiny.tar.gz", None, "tiny")
    assert cached(cache) == []


def test_a_fetch_removes_the_temp_folders_of_killed_fetches_only(server, cache):
    dead = subprocess.Popen([sys.executable, "-c", ""])
    dead.wait()
    killed = cache / f".partial-{dead.pid}-x"
    live = cache / f".partial-{os.getpid()}-y"  # a fetch under way in this process
    for folder in (killed, live):
        folder.mkdir(parents=True)
        (folder / "preset.tar.gz").write_bytes(b"half")
    presets.fetch(server["url"] + "/tiny.tar.gz", server["sha256"], "tiny")
    assert cached(cache) == sorted([live.name, f"tiny-{server['sha256'][:16]}"])
    assert (live / "preset.tar.gz").read_bytes() == b"half"


def test_two_processes_pulling_at_once_share_one_copy(server, cache):
    code = ("import sys; from tfgan_zoo import presets; "
            "print(presets.fetch(sys.argv[1], sys.argv[2], 'tiny'))")
    procs = [subprocess.Popen([sys.executable, "-c", code, server["url"] + "/tiny.tar.gz",
                               server["sha256"]], stdout=subprocess.PIPE, text=True,
                              env=dict(os.environ)) for _ in range(2)]
    outputs = [p.communicate(timeout=120)[0].strip().splitlines()[-1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0]
    assert outputs[0] == outputs[1]
    assert cached(cache) == [f"tiny-{server['sha256'][:16]}"]


def test_file_url_of_an_archive(server, cache):
    directory = presets.resolve("file://" + str(server["root"] / "tiny.tar.gz"))
    assert os.path.dirname(directory) == str(cache)


def test_an_archive_that_escapes_its_folder_is_refused(tmp_path, cache):
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("../evil.txt")
        info.size = 4
        tar.addfile(info, io.BytesIO(b"evil"))
    with pytest.raises(ValueError, match="is not a preset archive"):
        presets.fetch("file://" + str(archive), None, "evil")
    assert cached(cache) == [] and not (cache.parent / "evil.txt").exists()


def test_a_folder_listing_files_outside_itself_is_refused(tmp_path):
    (tmp_path / "secret").write_text("x")
    folder = tmp_path / "p"
    folder.mkdir()
    digest = hashlib.sha256(b"x").hexdigest()
    (folder / "SHA256SUMS").write_text(f"{digest}  ../secret\n")
    with pytest.raises(ValueError, match="lists '../secret', which is not a file of the preset"):
        presets.verify(str(folder))


def test_a_pipe_in_a_preset_folder_is_refused_not_read(tmp_path):
    """Hashing a FIFO would wait for a writer forever."""
    folder = tmp_path / "p"
    folder.mkdir()
    os.mkfifo(folder / "model.weights.h5")
    digest = hashlib.sha256(b"").hexdigest()
    (folder / "SHA256SUMS").write_text(f"{digest}  model.weights.h5\n")
    with pytest.raises(ValueError, match="holds 'model.weights.h5', which is not a regular "
                                         "file"):
        presets.verify(str(folder))


def test_loading_never_runs_code_from_a_preset(tmp_path):
    # A well-formed, correctly summed preset whose config carries Python
    # bytecode (a Lambda layer): safe_mode refuses to rebuild it.
    inputs = keras.Input((2,))
    outputs = keras.layers.Lambda(lambda x: x * 2)(inputs)
    directory = tmp_path / "p"
    presets.save(keras.Model(inputs, outputs), str(directory), card="#\n")
    config = json.load(open(directory / "config.json"))
    layer = next(l for l in config["config"]["layers"] if l["class_name"] == "Lambda")
    assert layer["config"]["function"]["class_name"] == "__lambda__"
    presets.verify(str(directory))
    with pytest.raises(ValueError, match="safe_mode"):
        presets.load(str(directory))


def test_an_archive_that_unpacks_too_big_is_refused_before_unpacking(tmp_path, cache,
                                                                     monkeypatch):
    archive = tmp_path / "bomb.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("model.weights.h5")
        info.size = 3 * 2**20  # zeros: a few KB packed
        tar.addfile(info, io.BytesIO(bytes(info.size)))
    monkeypatch.setattr(presets, "MAX_UNPACKED", 2**20)
    with pytest.raises(ValueError, match=r"unpacks to 0\.0 GiB, over the 0 GiB a preset may "
                                         r"take: refused, nothing was unpacked"):
        presets.fetch("file://" + str(archive), None, "bomb")
    assert cached(cache) == []


def test_a_keras_file_naming_os_system_is_one_line(tmp_path):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.save(tmp_path / "ok.keras")
    with zipfile.ZipFile(tmp_path / "ok.keras") as source, \
            zipfile.ZipFile(tmp_path / "evil.keras", "w") as evil:
        config = json.loads(source.read("config.json"))
        config["config"]["layers"][1] = {"module": "os", "class_name": "function",
                                         "config": "system", "registered_name": "function"}
        for name in source.namelist():
            evil.writestr(name, json.dumps(config) if name == "config.json"
                          else source.read(name))
    with pytest.raises(ValueError, match=r"holds a model config that Keras cannot rebuild "
                                         r"safely \(TypeError: .*\); nothing from it was run"):
        presets.load(str(tmp_path / "evil.keras"))
