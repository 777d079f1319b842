"""A built gallery served on localhost and driven in headless Chromium
(Debian's `chromium` and `chromium-driver`, selenium from PyPI): for
tests/test_gallery.py and `tools/bench.py gallery`."""
import contextlib
import functools
import http.server
import shutil
import threading
import time

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")


def missing():
    """Why the browser cannot run here, or None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    if not (CHROMIUM and DRIVER):
        return "chromium and chromedriver are not installed (apt-get install chromium " \
               "chromium-driver; .ci/run does)"
    return None


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(folder):
    """The folder on http://127.0.0.1:PORT/ (as `python -m http.server`); yields the URL."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def chromium(width=1280, height=900, mobile=False):
    """A headless Chromium whose console is kept (driver.get_log("browser"));
    `mobile`: a phone's viewport (width x height CSS pixels, 3x pixel ratio, touch)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     f"--window-size={width},{height}"):
        options.add_argument(argument)
    if mobile:
        options.add_experimental_option("mobileEmulation", {
            "deviceMetrics": {"width": width, "height": height, "pixelRatio": 3.0,
                              "touch": True}})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver, script, timeout=120):
    """Polls `script` (JavaScript returning a value) until it is truthy; returns it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.2)
    raise TimeoutError(f"{script!r} was still false after {timeout} s")


def canvas(driver, element):
    """The pixels of the canvas with id `element`, as uint8 [H, W, 3]."""
    import numpy as np

    width, height, data = driver.execute_script(
        "const c = document.getElementById(arguments[0]);"
        "return [c.width, c.height, Array.from(c.getContext('2d')"
        ".getImageData(0, 0, c.width, c.height).data)];", element)
    return np.array(data, np.uint8).reshape(height, width, 4)[..., :3]


def errors(driver):
    """The console's errors since the last call (LiteRT's INFO lines are not)."""
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
