"""The gallery in headless Chromium: page weight and time to first sample per
preset page (cold and warm cache), the page's latents and pixels against
TF's, and screenshots at phone and desktop widths into docs/gallery/."""
import gzip
import os
import sys

import numpy as np

import tfgan_zoo
from tfgan_zoo import files, gallery, images

from . import common

sys.path.insert(0, os.path.join(common.ROOT, "tests"))
import browser  # noqa: E402  (tests/browser.py: the served site in headless Chromium)

SITE = os.path.join(common.ROOT, "runs", "gallery")
SHOTS = os.path.join(common.ROOT, "docs", "gallery")
PHONE, DESKTOP = (390, 844), (1280, 900)
# one page per family in the screenshots
SCREENSHOTS = ("cdcgan_fashion_mnist", "dcgan_emoji64", "r3gan_fashion_mnist", "r3gan_emoji32",
               "projected_emoji32", "pix2pix_edges2fashion", "cyclegan_sneaker2boot")
WEIGHT = ("return performance.getEntriesByType('navigation').concat("
          "performance.getEntriesByType('resource')).reduce((s, e) => s + e.transferSize, 0)")


def add_arguments(parser):
    parser.add_argument("presets", nargs="*", help="default: every generator and translator")
    common.add_quick(parser, help="cdcgan_fashion_mnist and pix2pix_edges2fashion, "
                                  "no screenshots")


def _load(driver, url):
    driver.get(url)
    state = browser.wait_for(driver, "return document.body.dataset.state")
    assert state == "ready" and not browser.errors(driver), (url, state)
    return (driver.execute_script("return window.gallery.firstSampleMs"),
            driver.execute_script(WEIGHT))


def _screenshot(url, name, size, mobile):
    with browser.chromium(*size, mobile=mobile) as driver:
        driver.get(url)
        if name != "index":
            browser.wait_for(driver, "return document.body.dataset.state")
        path = os.path.join(SHOTS, f"{name}_{'phone' if mobile else 'desktop'}.png")
        files.write_bytes(path, driver.get_screenshot_as_png())


def run(args):
    """Builds the site into runs/gallery (replacing the last one), serves it
    as `python -m http.server` would (no compression), and loads each page in
    a fresh headless Chromium (cold cache), then again (warm)."""
    if browser.missing():
        raise SystemExit(f"bench.py gallery needs a browser: {browser.missing()}")
    names = (["cdcgan_fashion_mnist", "pix2pix_edges2fashion"] if args.quick
             else args.presets or None)
    gallery.build(SITE, names, replace=os.path.exists(SITE))
    names = sorted(d for d in os.listdir(SITE) if os.path.exists(
        os.path.join(SITE, d, "model.tflite")))
    wasm = os.path.join(SITE, "vendor", "@litertjs", "core", "wasm", "litert_wasm_internal.wasm")
    with open(wasm, "rb") as f:
        wasm_gzip = len(gzip.compress(f.read(), 6))
    rows = []
    with browser.serve(SITE) as url:
        for name in names:
            with browser.chromium() as driver:
                cold_ms, cold_bytes = _load(driver, url + name + "/")
                warm_ms, warm_bytes = _load(driver, url + name + "/")
                check = _pixels_and_latents(driver, name)
            tflite_kb = os.path.getsize(os.path.join(SITE, name, "model.tflite")) / 1024
            rows.append([name, f"{tflite_kb:,.0f}", f"{cold_bytes / 2 ** 20:.1f}",
                         f"{warm_bytes / 2 ** 20:.2f}", f"{cold_ms:,.0f}", f"{warm_ms:,.0f}",
                         check])
            print(rows[-1], flush=True)
        if not (args.quick or args.dry_run):
            for name in ("index",) + tuple(n for n in SCREENSHOTS if n in names):
                page = url + ("index.html" if name == "index" else name + "/")
                for size, mobile in ((PHONE, True), (DESKTOP, False)):
                    _screenshot(page, name, size, mobile)
    return (f"Gallery pages in headless Chromium {_chromium_version()} (2 CPU cores, "
            "LiteRT.js wasm, served uncompressed from localhost; the runtime's "
            f"litert_wasm_internal.wasm is {os.path.getsize(wasm) / 2 ** 20:.1f} MiB, "
            f"{wasm_gzip / 2 ** 20:.1f} MiB gzipped); first sample: ms from navigation to "
            "the first grid (or translation) drawn",
            ["page", ".tflite KB", "page MiB (cold)", "page MiB (warm)",
             "first sample ms (cold)", "first sample ms (warm)",
             "latents vs TF; pixels vs Keras"], rows)


def _pixels_and_latents(driver, name):
    """Max |page - TF| of 10 seeds' latents (and the share equal to the bit),
    and max |page - Keras| uint8 of the first grid, for GAN pages."""
    config = driver.execute_script("return window.gallery.config")
    if config["kind"] != "gan":
        return "translator"
    gan = tfgan_zoo.load(name)
    page, tf_latents = [], []
    for seed in range(10):
        page.append(driver.execute_script(
            f"return Array.from(window.gallery.latents(16, {seed}, {config['latent_dim']}))"))
        tf_latents.append(np.ravel(gan.latents(16, seed)))
    page, tf_latents = np.array(page, np.float32), np.array(tf_latents)
    got = browser.canvas(driver, "samples").astype(int)
    want = images.grid(images.to_uint8(gan.generate(16, seed=0, labels=gan.class_cycle(16))),
                       config["columns"])
    want = np.repeat(want, 3, axis=-1) if want.shape[-1] == 1 else want
    return (f"{np.abs(page - tf_latents).max():.1e} ({(page == tf_latents).mean():.1%} "
            f"equal); {np.abs(got - want).max()} (mean {np.abs(got - want).mean():.3f})")


def _chromium_version():
    import subprocess

    return subprocess.run([browser.CHROMIUM, "--version"], capture_output=True,
                          text=True).stdout.split()[1]
