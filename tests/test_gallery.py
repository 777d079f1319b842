"""`tfgan-zoo gallery`: the built site, and the site driven in headless Chromium."""
import base64
import hashlib
import json
import os
import re

import numpy as np
import pytest
import tensorflow as tf

import browser
from export_checks import TFLITE_TOLERANCE
from tfgan_zoo import cli, gallery, images, presets

GAN, TRANSLATOR = "cdcgan_fashion_mnist", "cyclegan_sneaker2boot"  # a two-way translator
# uint8 pixels of the page vs Keras: the float16 .tflite's tolerance in [-1, 1], plus rounding
PIXELS = TFLITE_TOLERANCE["float16"][0] * 127.5 + 1


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return gallery.build(tmp_path_factory.mktemp("gallery") / "site", [GAN, TRANSLATOR])


@pytest.fixture(scope="module")
def models():
    return {name: presets.load(name) for name in (GAN, TRANSLATOR)}


def test_the_site_has_an_index_pages_pictures_and_the_vendored_runtime(site, models):
    index = open(os.path.join(site, "index.html")).read()
    for name in (GAN, TRANSLATOR):
        assert f'href="{name}/"' in index
        page = open(os.path.join(site, name, "index.html")).read()
        config = json.loads(re.search(r'id="config">(.*?)</script>', page).group(1))
        assert config["tflite"] == "model.tflite"
        if name == TRANSLATOR:  # and its B -> A model, with the command for it
            assert os.path.getsize(os.path.join(site, name, config["reverse_tflite"])) > 0
            assert f"tfgan-zoo translate {name} --reverse" in page
        for src in re.findall(r'<img[^>]* src="([^"]+)"', page):
            assert os.path.exists(os.path.join(site, name, src)), src
        assert all(re.search(r'alt="[^"]+"', tag) for tag in re.findall(r"<img[^>]*>", page))
    # the metrics.json of each: the GAN's FID as its card gives it, the translator's each way
    assert "<dt>FID (classifier_fashion_mnist)</dt><dd>5.77 (real images" in index
    assert "FID B → A" in index and "input unchanged" in index
    # The classes by name: the selector, the config the page's script reads, the walk
    page = open(os.path.join(site, GAN, "index.html")).read()
    assert '<option value="9">9 Ankle boot</option>' in page
    assert "from T-shirt/top to Trouser" in page
    config = json.loads(re.search(r'id="config">(.*?)</script>', page).group(1))
    assert config["class_names"][:2] == ["T-shirt/top", "Trouser"]
    # The walk is GAN.interpolate's, the sweep generate's at each psi.
    gan = models[GAN]
    walk = tf.io.decode_png(open(os.path.join(site, GAN, "walk.png"), "rb").read()).numpy()
    np.testing.assert_array_equal(walk, images.grid(images.to_uint8(
        gan.interpolate(0, 1, steps=8, labels=(0, 1))), columns=8))
    # The runtime is the pinned packages' files, byte for byte, with their licences listed.
    licences = open(os.path.join(site, "vendor", "LICENSES.md")).read()
    assert "Apache License" in open(os.path.join(site, "vendor", "Apache-2.0.txt")).read()
    for package in gallery.vendor_lock():
        assert f"| {package['name']} | {package['version']} | Apache-2.0 |" in licences
        with open(gallery._tarball(package), "rb") as f:
            digest = hashlib.sha512(f.read()).digest()
        assert "sha512-" + base64.b64encode(digest).decode() == package["integrity"]
    assert os.path.getsize(os.path.join(site, "vendor", "@litertjs", "core", "wasm",
                                        "litert_wasm_internal.wasm")) > 1_000_000


def test_bad_builds_are_one_line_errors_and_leave_nothing(site, tmp_path, monkeypatch, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    for args, message in [
            ([GAN, "--out", str(mine)], "is not a gallery that tfgan-zoo wrote"),
            ([GAN, "--out", site], "holds a gallery already: pass --replace"),
            (["dcgan_fashion_mnst", "--out", str(tmp_path / "a")], "dcgan_fashion_mnist"),
            (["classifier_mnist", "--out", str(tmp_path / "b")], "is a feature extractor"),
            ([str(mine), "--out", str(tmp_path / "d")], "is not a preset")]:
        assert cli.main(["gallery", *args]) == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err and err.count("\n") == 1, err
    assert (mine / "notes.txt").read_text() == "keep me"
    # A tarball that does not match its pinned integrity is refused; nothing is written.
    monkeypatch.setenv("TFGAN_ZOO_HOME", str(tmp_path / "home"))
    package = gallery.vendor_lock()[0]
    cached = tmp_path / "home" / "npm" / os.path.basename(package["tarball"])
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"not the package")
    with pytest.raises(ValueError, match="does not match the integrity of @litertjs/core"):
        gallery.build(tmp_path / "c", [GAN])
    assert not os.path.exists(tmp_path / "c")


def test_replace_rebuilds_what_it_wrote_and_keeps_what_the_user_added(tmp_path):
    site = gallery.build(tmp_path / "site", [GAN])
    (tmp_path / "site" / "CNAME").write_text("gans.example.org\n")
    (tmp_path / "site" / "blog").mkdir()
    (tmp_path / "site" / "blog" / "post.html").write_text("<p>mine</p>")
    os.remove(os.path.join(site, "index.html"))
    assert gallery.build(site, [GAN], replace=True) == site
    assert open(os.path.join(site, "CNAME")).read() == "gans.example.org\n"
    assert open(os.path.join(site, "blog", "post.html")).read() == "<p>mine</p>"
    assert os.path.isfile(os.path.join(site, "index.html"))  # rebuilt


needs_browser = pytest.mark.skipif(browser.missing() is not None,
                                        reason=str(browser.missing()))


def _assert_shows(got, expected):
    expected = np.repeat(expected, 3, axis=-1) if expected.shape[-1] == 1 else expected
    assert got.shape == expected.shape
    assert np.abs(got.astype(int) - expected).max() <= PIXELS
    assert got.std() > 10  # not blank


@needs_browser
def test_in_chromium_pages_load_clean_and_samples_equal_keras(site, models, tmp_path):
    gan, translator = models[GAN], models[TRANSLATOR]
    with browser.serve(site) as url, browser.chromium() as driver:
        for page in ("index.html", f"{GAN}/", f"{TRANSLATOR}/"):
            driver.get(url + page)
            if page != "index.html":
                assert browser.wait_for(
                    driver, "return document.body.dataset.state") == "ready", page
            widths = driver.execute_async_script(  # every image decodes
                "const done = arguments[0];"
                "Promise.all([...document.images].map((i) => i.decode().then(() => "
                "i.naturalWidth))).then(done, (e) => done(String(e)));")
            assert isinstance(widths, list) and widths and min(widths) > 0, (page, widths)
            # no picture without a text, no control without a label
            assert driver.execute_script(
                "return [...document.querySelectorAll('img:not([alt]), img[alt=\"\"], "
                "canvas:not([aria-label])')].length + [...document.querySelectorAll("
                "'input, select')].filter((e) => !e.labels.length).length") == 0, page
            assert browser.errors(driver) == [], page

        driver.get(url + f"{GAN}/")
        browser.wait_for(driver, "return document.body.dataset.state")
        # The first draw is seed 0, classes in turn: generate(16, seed=0).
        expected = gan.generate(16, seed=0, labels=gan.class_cycle(16))
        _assert_shows(browser.canvas(driver, "samples"), images.grid(images.to_uint8(expected), 4))
        # and the caption names each tile's class, row by row
        assert driver.find_element("id", "tiles").text.startswith(
            "Tiles, left to right: row 1: T-shirt/top, Trouser, Pullover, Dress; row 2: Coat")
        # "New samples" draws the next seed.
        driver.find_element("id", "new").click()
        browser.wait_for(driver, "return window.gallery.drawn === 2")
        expected = gan.generate(16, seed=1, labels=gan.class_cycle(16))
        _assert_shows(browser.canvas(driver, "samples"), images.grid(images.to_uint8(expected), 4))
        # A seed typed in, one class, truncation 0.5.
        driver.execute_script(
            "const set = (id, v) => { const e = document.getElementById(id); e.value = v;"
            "e.dispatchEvent(new Event('change')); };"
            "set('class', '3'); set('truncation', '0.5'); set('seed', '123456789');")
        browser.wait_for(driver, "return window.gallery.drawn === 5")
        assert driver.find_element("id", "tiles").text == "Every tile: Dress."
        expected = gan.generate(16, seed=123456789, labels=3, truncation=0.5)
        _assert_shows(browser.canvas(driver, "samples"), images.grid(images.to_uint8(expected), 4))
        # The walk starts at that seed, in that class (its first frame is the seed's image).
        browser.wait_for(driver, "return window.gallery.walked >= 2")
        frame = gan.generate(1, seed=123456789, labels=3, truncation=0.5)
        _assert_shows(browser.canvas(driver, "walker"), images.to_uint8(frame)[0])
        # Negative seeds, as the CLI takes them; a fraction is refused, visibly.
        driver.execute_script("const e = document.getElementById('seed'); e.value = '-5';"
                              "e.dispatchEvent(new Event('change'));")
        browser.wait_for(driver, "return window.gallery.drawn === 6")
        expected = gan.generate(16, seed=-5, labels=3, truncation=0.5)
        _assert_shows(browser.canvas(driver, "samples"), images.grid(images.to_uint8(expected), 4))
        driver.execute_script("const e = document.getElementById('seed'); e.value = '2.7';"
                              "e.dispatchEvent(new Event('change'));")
        assert "The seed must be a whole number" in browser.wait_for(
            driver, "const t = document.getElementById('status').textContent;"
                    "return t.includes('whole number') ? t : null")
        assert driver.execute_script("return window.gallery.drawn") == 6
        # Pixels shown at a whole multiple of their size.
        assert driver.execute_script(
            "const c = document.getElementById('samples');"
            "return parseFloat(c.style.width) / c.width") in (1, 2, 3, 4, 5, 6, 7, 8)
        # The page's latents are GAN.latents' (TF's Philox + Box-Muller) to the last bits.
        got = np.array(driver.execute_script(
            "return Array.from(window.gallery.latents(4, 2 ** 40 + 7, 100, 0.7))"))
        np.testing.assert_allclose(got, np.ravel(gan.latents(4, 2 ** 40 + 7, 0.7)),
                                   atol=1e-6, rtol=0)
        # The latent walk plays.
        driver.find_element("id", "walk").click()
        browser.wait_for(driver, "return document.getElementById('walker').width > 0")
        assert browser.errors(driver) == []

        # Opened as a file, the page says to serve it over HTTP instead of loading forever.
        driver.get("file://" + os.path.join(site, GAN, "index.html"))
        assert "serve the site over HTTP" in browser.wait_for(
            driver, "return document.body.dataset.state && "
                    "document.getElementById('status').textContent")
        driver.get_log("browser")  # its refused module loads are expected there

        # The translator starts from the first test input of its card's grid...
        driver.get(url + f"{TRANSLATOR}/")
        browser.wait_for(driver, "return document.body.dataset.state")
        examples = tf.io.decode_png(open(os.path.join(site, TRANSLATOR, "examples.png"),
                                         "rb").read()).numpy()
        assert examples.shape == (2 * 29 - 1, 10 * 29 - 1, 1)  # the grid's A and B rows
        example = examples[:28, :28]
        _assert_shows(browser.canvas(driver, "input"), example)
        _assert_shows(browser.canvas(driver, "output"),
                      images.to_uint8(translator.translate(example[None]))[0])
        # ... and translates an uploaded picture.
        pixels = np.zeros((28, 28, 1), np.uint8)
        pixels[6:22, 8] = pixels[6:22, 19] = pixels[6, 8:20] = pixels[21, 8:20] = 255
        upload = tmp_path / "edges.png"
        upload.write_bytes(tf.io.encode_png(pixels).numpy())
        driver.find_element("id", "upload").send_keys(str(upload))
        browser.wait_for(driver, "return window.gallery.drawn === 2")
        _assert_shows(browser.canvas(driver, "input"), pixels)
        _assert_shows(browser.canvas(driver, "output"),
                      images.to_uint8(translator.translate(pixels[None]))[0])
        # ... and a drawing: a stroke across the input, translated when the pen lifts.
        from selenium.webdriver.common.action_chains import ActionChains

        canvas = driver.find_element("id", "input")
        ActionChains(driver).move_to_element_with_offset(canvas, -60, -60).click_and_hold() \
            .move_by_offset(120, 120).release().perform()
        browser.wait_for(driver, "return window.gallery.drawn === 3")
        drawn = browser.canvas(driver, "input")[..., :1]
        assert (drawn != pixels).sum() > 10  # the stroke is there
        _assert_shows(browser.canvas(driver, "output"),
                      images.to_uint8(translator.translate(drawn[None]))[0])
        # B -> A: the first B test input (the grid's third row), by the reverse model.
        driver.execute_script("const e = document.getElementById('direction'); e.value = '1';"
                              "e.dispatchEvent(new Event('change'));")
        browser.wait_for(driver, "return window.gallery.drawn === 4")
        example = examples[29:, :28]
        grid = tf.io.decode_png(open(os.path.join(site, TRANSLATOR, "samples.png"),
                                     "rb").read()).numpy()
        np.testing.assert_array_equal(example, grid[2 * 29:2 * 29 + 28, :28])
        _assert_shows(browser.canvas(driver, "input"), example)
        _assert_shows(browser.canvas(driver, "output"), images.to_uint8(
            translator.translate(example[None], reverse=True))[0])
        assert browser.errors(driver) == []


def test_translator_metrics_show_as_publish_nests_them_or_at_the_top(tmp_path):
    ways = {"a_to_b": {"fid": 20.4, "identity_fid": 90.4},
            "b_to_a": {"fid": 19.6, "identity_fid": 90.3}}
    for metrics in (ways, {"unpaired": ways, "num": 10, "data": "x.npz"}):
        (tmp_path / "metrics.json").write_text(json.dumps(metrics))
        assert gallery._metrics(str(tmp_path)) == [
            ("FID A → B", "20.4 (input unchanged: 90.4)"),
            ("FID B → A", "19.6 (input unchanged: 90.3)")]
    paired = {"model": {"fid": 2.5, "l1": 0.08}, "identity": {"fid": 17.0, "l1": 0.51}}
    (tmp_path / "metrics.json").write_text(json.dumps({"paired": paired, "num": 10}))
    assert gallery._metrics(str(tmp_path)) == [("FID", "2.5 (input unchanged: 17)"),
                                               ("L1", "0.08 (input unchanged: 0.51)")]
