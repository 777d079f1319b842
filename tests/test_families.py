"""The family protocol (`tfgan_zoo.families`): a family written outside this
repository works with every command, and the engine names no family."""
import ast
import json
import os
import re
import textwrap

import numpy as np
import pytest
import tensorflow as tf

import tfgan_zoo
from tfgan_zoo import checks, cli, families, images
from conftest import labelled_npz

ENGINE = os.path.join(os.path.dirname(tfgan_zoo.__file__))

# A complete family in its own package: tiny dense networks, one option.
TOY_FAMILY = '''
"""A toy GAN family that lives outside tfgan-zoo."""
import math

import keras

import tfgan_zoo
from tfgan_zoo.families import Option

TASK = "generation"
OPTIONS = (Option("hidden", int, 8, "units of the hidden layers", rule="count"),)
PRESETS = {}


@keras.saving.register_keras_serializable(package="toyfam")
class ToyGenerator(keras.Model):
    def __init__(self, image_shape=(8, 8, 1), latent_dim=4, hidden=8, **kwargs):
        z = keras.Input((latent_dim,), name="z")
        x = keras.layers.Dense(hidden, activation="relu")(z)
        x = keras.layers.Dense(math.prod(image_shape), activation="tanh")(x)
        super().__init__(inputs=z, outputs=keras.layers.Reshape(image_shape)(x), **kwargs)
        self.config = {"image_shape": tuple(image_shape), "latent_dim": latent_dim,
                       "hidden": hidden}

    def get_config(self):
        return {"name": self.name, **self.config}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@keras.saving.register_keras_serializable(package="toyfam")
class ToyDiscriminator(keras.Model):
    def __init__(self, image_shape=(8, 8, 1), hidden=8, **kwargs):
        images = keras.Input(image_shape, name="images")
        x = keras.layers.Dense(hidden)(keras.layers.Flatten()(images))
        x = keras.layers.LeakyReLU(0.2)(x)
        super().__init__(inputs=images, outputs=keras.layers.Dense(1)(x), **kwargs)
        self.config = {"image_shape": tuple(image_shape), "hidden": hidden}

    def get_config(self):
        return {"name": self.name, **self.config}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def build_model(info, seed=0, hidden=8):
    if info["num_classes"] is not None:
        raise ValueError("the toy family is unconditional")
    return tfgan_zoo.GAN(ToyGenerator(info["image_shape"], hidden=hidden, name="generator"),
                         ToyDiscriminator(info["image_shape"], hidden=hidden,
                                          name="discriminator"), seed=seed, name="toy_gan")
'''


# A family of subclassed networks that Keras builds on their first call, conditional
# too; {config} and {build_signature} let a test make the two author mistakes.
LAZY_FAMILY = '''
"""A toy family of lazily built, subclassed networks."""
import math

import keras

import tfgan_zoo
from tfgan_zoo.families import Option

TASK = "generation"
OPTIONS = (Option("hidden", int, 8, "units of the hidden layers", rule="count"),
           Option("slope", float, 0.2, "LeakyReLU slope of D"))
PRESETS = {{}}


@keras.saving.register_keras_serializable(package="lazyfam")
class LazyGenerator(keras.Model):
    def __init__(self, image_shape=(8, 8, 1), latent_dim=4, hidden=8, num_classes=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.image_shape, self.latent_dim = tuple(image_shape), latent_dim
        self.hidden, self.num_classes = hidden, num_classes
        self.embed = keras.layers.Embedding(num_classes, 4) if num_classes else None
        self.dense = keras.layers.Dense(hidden, activation="relu")
        self.out = keras.layers.Dense(math.prod(image_shape), activation="tanh")

    def call(self, inputs, training=None):
        z = inputs
        if self.num_classes:
            z, labels = inputs
            if len(labels.shape) == 2:  # class weights, for walks between classes
                self.embed(keras.ops.zeros((1,), "int32"))
                labels = keras.ops.matmul(labels, self.embed.embeddings)
            else:
                labels = self.embed(labels)
            z = keras.ops.concatenate([z, labels], axis=-1)
        return keras.ops.reshape(self.out(self.dense(z)), (-1, *self.image_shape))

    def get_config(self):
        return {{**super().get_config(), "image_shape": self.image_shape,
                "latent_dim": self.latent_dim, "hidden": self.hidden,
                "num_classes": self.num_classes}}


@keras.saving.register_keras_serializable(package="lazyfam")
class LazyDiscriminator(keras.Model):
    def __init__(self, hidden=8, num_classes=None, slope=0.2, **kwargs):
        super().__init__(**kwargs)
        self.hidden, self.num_classes, self.slope = hidden, num_classes, slope
        self.flat = keras.layers.Flatten()
        self.dense = keras.layers.Dense(hidden)
        self.logit = keras.layers.Dense(1)
        self.embed = keras.layers.Embedding(num_classes, hidden) if num_classes else None

    def call(self, inputs, training=None):
        images, labels = inputs if self.num_classes else (inputs, None)
        h = keras.ops.leaky_relu(self.dense(self.flat(images)), self.slope)
        out = self.logit(h)
        if labels is not None:
            out = out + keras.ops.sum(h * self.embed(labels), axis=-1, keepdims=True)
        return out

    def get_config(self):
        return {config}


def build_model({build_signature}):
    classes = info["num_classes"]
    return tfgan_zoo.GAN(
        LazyGenerator(info["image_shape"], hidden=hidden, num_classes=classes,
                      name="generator"),
        LazyDiscriminator(hidden=hidden, num_classes=classes, slope=slope, name="discriminator"),
        latent_dim=4, seed=seed, name="lazy_gan")
'''


GOOD_CONFIG = ('{**super().get_config(), "hidden": self.hidden, "num_classes": self.num_classes, '
               '"slope": self.slope}')


def install(site, package, family, code, monkeypatch):
    """Installs `code` as the package `package` providing family `family`, as pip would
    (a fresh import: no module of that name from an earlier test)."""
    import sys

    monkeypatch.delitem(sys.modules, package, raising=False)
    monkeypatch.syspath_prepend(str(site))
    (site / package).mkdir(parents=True)
    (site / package / "__init__.py").write_text(code)
    info = site / f"{package}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {package}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[tfgan_zoo.families]\n{family} = {package}\n")


@pytest.fixture
def toy_family(tmp_path_factory, monkeypatch):
    """Installs the package `toyfam` with its entry point, as pip would: a
    module and a .dist-info folder on sys.path."""
    site = tmp_path_factory.mktemp("site")
    (site / "toyfam").mkdir()
    (site / "toyfam" / "__init__.py").write_text(TOY_FAMILY)
    info = site / "toyfam-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: toyfam\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[tfgan_zoo.families]\ntoy = toyfam\n")
    monkeypatch.syspath_prepend(str(site))
    return "toy"


@pytest.fixture
def data(tmp_path):
    return labelled_npz(tmp_path / "d.npz", 64, 32)


def run(*argv):
    assert cli.main([str(a) for a in argv]) == 0


def test_a_family_from_another_package_works_with_every_command(toy_family, data, tmp_path,
                                                                  capsys):
    assert "toy" in families.available("generation")
    with pytest.raises(SystemExit):
        cli.main(["train", "--family", "toy", "--help"])
    assert re.search(r"options of family toy:\n  --hidden HIDDEN +units of the hidden layers "
                     r"\(default: 8\)", capsys.readouterr().out)

    run_dir = tmp_path / "run"
    train = ["train", "--family", "toy", "--data", data, "--out", run_dir, "--hidden", 6,
             "--batch-size", 16]
    run(*train, "--epochs", 1)
    run(*train, "--epochs", 2)
    assert "Resuming after epoch 1" in capsys.readouterr().out
    assert json.load(open(run_dir / "run.json"))["hidden"] == 6
    assert sorted(os.listdir(run_dir / "samples")) == ["epoch_001.png", "epoch_002.png"]

    run("sample", run_dir / "model.keras", "--num", 4, "--out", tmp_path / "s.npy")
    assert np.load(tmp_path / "s.npy").shape == (4, 8, 8, 1)
    run("export", run_dir / "model.keras", "--serving", tmp_path / "serving", "--name", "toy",
        "--tflite", tmp_path / "toy.tflite", "--no-warmup")
    assert os.path.isfile(tmp_path / "serving" / "toy" / "1" / "saved_model.pb")
    assert os.path.getsize(tmp_path / "toy.tflite") > 0

    # A feature extractor for these images, trained and published through the same commands.
    run("train", "--family", "classifier", "--data", data, "--out", tmp_path / "cls",
        "--width", 2, "--feature-dim", 4, "--batch-size", 16)
    run("publish", tmp_path / "cls", "toy_classifier", "--out", tmp_path / "toy_classifier")
    run("evaluate", run_dir / "model.keras", "--data", data, "--num", 32,
        "--extractor", tmp_path / "toy_classifier", "--json")
    scores = json.loads(capsys.readouterr().out.split("Wrote")[-1].split("\n", 1)[1])
    assert scores["fid"] > 0 and scores["floor"]["num"] == 32 and "blurred" in scores

    run("publish", run_dir, "toy_preset", "--out", tmp_path / "toy_preset", "--num", 32,
        "--extractor", tmp_path / "toy_classifier", "--data-license", "synthetic noise")
    preset = tmp_path / "toy_preset"
    assert sorted(os.listdir(preset)) == ["SHA256SUMS", "card.md", "config.json",
                                          "metrics.json", "model.weights.h5", "samples.png",
                                          "walks.png"]
    card = (preset / "card.md").read_text()
    assert "`toy` (generation)" in card and "--hidden 6" in card and "synthetic noise" in card
    assert "![latent walks](walks.png)" in card
    loaded = tfgan_zoo.load(str(preset))
    # walks.png: 4 rows of 10-step walks from seed 2 * row to seed 2 * row + 1 (1-pixel gaps)
    walks = tf.io.decode_png((preset / "walks.png").read_bytes()).numpy()
    assert walks.shape == (4 * 9 - 1, 10 * 9 - 1, 1)
    for row, column, seed in ((0, 0, 0), (0, 9, 1), (3, 0, 6), (3, 9, 7)):
        np.testing.assert_allclose(
            walks[row * 9:row * 9 + 8, column * 9:column * 9 + 8],
            images.to_uint8(loaded.generate(1, seed=seed))[0], atol=1)
    np.testing.assert_array_equal(loaded.generate(3, seed=1),
                                  tfgan_zoo.load(str(run_dir / "model.keras")).generate(3, seed=1))
    run("sample", preset, "--num", 4, "--out", tmp_path / "p.png")


def test_a_family_of_lazily_built_subclassed_networks_works_with_every_command(
        tmp_path, data, monkeypatch, capsys):
    site = tmp_path / "site"
    install(site, "lazyfam", "lazy", LAZY_FAMILY.format(
        config=GOOD_CONFIG, build_signature="info, seed=0, hidden=8, slope=0.2"), monkeypatch)
    run_dir = tmp_path / "run"
    train = ["train", "--family", "lazy", "--data", data, "--out", run_dir, "--conditional",
             "--batch-size", 16, "--slope", 0.1]
    run(*train, "--epochs", 1)
    run(*train, "--epochs", 2)
    assert "Resuming after epoch 1" in capsys.readouterr().out
    model = run_dir / "model.keras"
    run("sample", model, "--num", 6, "--labels", 2, "--out", tmp_path / "s.npy")
    assert np.load(tmp_path / "s.npy").shape == (6, 8, 8, 1)
    run("interpolate", model, "--labels", 0, 2, "--out", tmp_path / "walk.npy")
    run("finetune", model, "--data", data, "--out", tmp_path / "tuned", "--batch-size", 16)
    run("export", model, "--serving", tmp_path / "serving", "--name", "lazy",
        "--tflite", tmp_path / "lazy.tflite", "--no-warmup")
    assert os.path.getsize(tmp_path / "lazy.tflite") > 0
    loaded = tfgan_zoo.load(str(model))
    assert loaded.discriminator.slope == 0.1 and loaded.image_shape == (8, 8, 1)


@pytest.mark.parametrize("config, build_signature, message", [
    # get_config leaves out slope, which changes no weight shape: the run would resume
    # (and presets load) with the default slope
    ('{"name": self.name, "hidden": self.hidden, "num_classes": self.num_classes}',
     "info, seed=0, hidden=8, slope=0.2",
     r"LazyDiscriminator rebuilt from its config computes other outputs: its get_config "
     r"leaves out a constructor argument"),
    # a build_model keyword without a default, though its Option has one
    (GOOD_CONFIG, "info, seed=0, *, slope=0.2, hidden",
     r"Family 'lazy' could not build its model: TypeError: .*hidden"),
])
def test_a_family_authors_mistakes_are_one_line(tmp_path, data, monkeypatch, capsys,
                                                config, build_signature, message):
    site = tmp_path / "site"
    install(site, "lazyfam", "lazy", LAZY_FAMILY.format(config=config,
                                                        build_signature=build_signature),
            monkeypatch)
    assert cli.main(["train", "--family", "lazy", "--data", data, "--out",
                     str(tmp_path / "run"), "--slope", "0.1", "--batch-size", "16"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and re.search(message, err), err


def test_a_family_that_breaks_the_protocol_is_named(toy_family, tmp_path, monkeypatch):
    site = tmp_path / "broken"
    (site / "halffam-0.1.dist-info").mkdir(parents=True)
    (site / "halffam.py").write_text("TASK = 'painting'\nOPTIONS = ()\nPRESETS = {}\n"
                                     "def build_model(info, seed=0):\n    pass\n")
    (site / "halffam-0.1.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: halffam\nVersion: 0.1\n")
    (site / "halffam-0.1.dist-info" / "entry_points.txt").write_text(
        "[tfgan_zoo.families]\nhalf = halffam\n")
    monkeypatch.syspath_prepend(str(site))
    with pytest.raises(ValueError, match=r"family 'half' \(halffam\) has TASK 'painting', "
                                         r"not one of generation"):
        families.get("half")
    with pytest.raises(ValueError, match=r"Family 'toy' has no option width: its options are "
                                         r"hidden"):
        tfgan_zoo.train("d.npz", str(tmp_path / "r"), family="toy", width=4)
    with pytest.raises(ValueError, match=r"d_steps does not apply to family 'pix2pix' "
                                         r"\(paired_translation\)"):
        tfgan_zoo.train("d.npz", str(tmp_path / "r"), family="pix2pix", d_steps=2)


@pytest.mark.parametrize("code, problem", [
    ("import no_such_package\n", r"does not import: ModuleNotFoundError: No module named "
                                  r"'no_such_package'"),
    ("from tfgan_zoo.families import Option\nTASK = 'generation'\nPRESETS = {}\n"
     "OPTIONS = (Option('width', int, help='no default'),)\n",
     r"does not import: TypeError: .*default"),
    ("TASK = 'generation'\nOPTIONS = ()\nPRESETS = {}\n", r"lacks build_model"),
])
def test_a_broken_plug_in_is_one_warning_and_breaks_no_other_family(tmp_path, monkeypatch,
                                                                    capsys, code, problem):
    site = tmp_path / "broken"
    (site / "brokenfam-0.1.dist-info").mkdir(parents=True)
    (site / "brokenfam.py").write_text(code)
    (site / "brokenfam-0.1.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: brokenfam\nVersion: 0.1\n")
    (site / "brokenfam-0.1.dist-info" / "entry_points.txt").write_text(
        "[tfgan_zoo.families]\nbroken = brokenfam\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setattr(families, "_WARNED", set())
    assert cli.main(["list"]) == 0
    out, err = capsys.readouterr()
    assert "dcgan_fashion_mnist" in out
    assert len(err.strip().splitlines()) == 1 and re.search(
        r"tfgan-zoo: warning: skipped a broken family: .*'broken' \(brokenfam\) " + problem,
        err), err
    run("sample", "dcgan_fashion_mnist", "--num", 4, "--out", tmp_path / "grid.png")
    assert cli.main(["train", "--family", "broken", "--data", "d.npz", "--out",
                     str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "tfgan-zoo train: error: Model family 'broken'" in err and "Traceback" not in err


def _engine_words(path):
    """Names, attributes and string constants of a module's code: its
    docstrings (which may cite papers) and comments are not code."""
    tree = ast.parse(open(path).read())
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef))
                  and ast.get_docstring(node) is not None}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            yield node.id
        elif isinstance(node, ast.Attribute):
            yield node.attr
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and id(node) not in docstrings):
            yield node.value


def test_the_engine_names_no_family_and_no_family_class():
    classes = set()
    for family in families.available():
        module = families.get(family)
        classes.update(n for n in module.__all__ if isinstance(getattr(module, n), type))

    def words(names, flags=0):
        return re.compile(r"\b(" + "|".join(map(re.escape, sorted(names))) + r")\b", flags)

    # Family names in any case (DCGAN, CycleGAN), class names as written.
    family_name, class_name = words(families.available(), re.IGNORECASE), words(classes)
    found = []
    for folder, _, files in os.walk(ENGINE):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                found += [f"{os.path.relpath(path, ENGINE)}: {word!r}"
                          for word in _engine_words(path)
                          if family_name.search(word) or class_name.search(word)]
    assert not found, textwrap.indent("\n".join(found), "  ")


def _engine_imports():
    """module -> the engine modules it imports, anywhere in it (deferred
    imports too: a circle held together by them is still a circle)."""
    modules = {}
    for folder, _, files in os.walk(ENGINE):
        for name in files:
            if name.endswith(".py"):
                parts = os.path.relpath(os.path.join(folder, name[:-3]), ENGINE).split(os.sep)
                modules[".".join(["tfgan_zoo", *parts]).removesuffix(".__init__")] = (
                    os.path.join(folder, name))
    imports = {}
    for module, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(open(path).read())):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tfgan_zoo"):
                found.update(f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}"
                             in modules else node.module for alias in node.names)
        imports[module] = found & set(modules) - {module}
    return imports


def test_the_engine_has_no_import_circle():
    imports = _engine_imports()
    assert "tfgan_zoo.data.sources" in imports["tfgan_zoo.data.pipeline"]  # the walk sees them

    def reach(start):
        seen, todo = set(), [start]
        while todo:
            for module in imports[todo.pop()] - seen:
                seen.add(module)
                todo.append(module)
        return seen

    circles = sorted(m for m in imports if m in reach(m))
    assert not circles, f"modules that import themselves through others: {circles}"


@pytest.mark.parametrize("name", families.available())
def test_every_family_keeps_the_protocol_and_its_options_are_build_models(name):
    """For every installed family (as timm tests every model): the protocol's
    names, and OPTIONS that are build_model's keyword arguments with the same
    defaults, so that `--help` shows what a run gets."""
    import inspect

    module = families.get(name)
    assert module.TASK in families.TASKS
    assert isinstance(module.PRESETS, dict)
    parameters = inspect.signature(module.build_model).parameters
    keywords = {k: p.default for k, p in parameters.items() if k not in ("info", "seed")}
    options = {o.name: o.default for o in module.OPTIONS}
    assert set(options) == set(keywords), name
    for option, default in options.items():
        built = keywords[option]
        # 0 or None may stand for "derived from the data" on either side
        assert default == built or (not default and not built), (name, option, default, built)
    for option in module.OPTIONS:
        if option.rule is not None:
            assert option.rule in checks.RULES, (name, option.name)
        if option.default not in (None, 0) and option.rule is not None:
            assert checks.RULES[option.rule][1](option.default), (name, option.name)
