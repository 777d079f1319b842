"""Export to TF Serving and LiteRT: TF-only reload, layout, versions, errors."""
import errno
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from conftest import kill_when_paused, make_tiny_gan
from export_checks import check_serving, check_tflite, hide_serving_protos
from tfgan_zoo import cli, export, files


@pytest.fixture
def conditional_ema_gan(tiny_gan):
    gan = tiny_gan(num_classes=3)
    gan.compile(ema_decay=0.9)
    # EMA weights unlike the live ones, so exporting the wrong generator shows
    gan.ema_generator.set_weights([w * 0.5 for w in gan.ema_generator.get_weights()])
    return gan


@pytest.mark.parametrize("conditional", [False, True])
def test_savedmodel_runs_every_signature_and_warmup_with_tensorflow_only(
        tiny_gan, conditional_ema_gan, tmp_path, conditional):
    gan = conditional_ema_gan if conditional else tiny_gan()
    path = export.export_serving(gan, tmp_path / "models", name="tiny")
    assert path == str(tmp_path / "models" / "tiny" / "1")
    check_serving(gan, path, str(tmp_path))


def test_saved_model_cli_lists_the_documented_signatures(conditional_ema_gan, tmp_path):
    path = export.export_serving(conditional_ema_gan, tmp_path, name="tiny")
    cli_path = os.path.join(os.path.dirname(sys.executable), "saved_model_cli")
    shown = subprocess.run([cli_path, "show", "--all", "--dir", path], check=True,
                           capture_output=True, text=True).stdout
    for signature, inputs, output, dtype in [
            ("serving_default", ("z", "labels"), "images", "DT_FLOAT"),
            ("generate", ("seed", "count", "labels", "truncation"), "images", "DT_UINT8"),
            ("generate_png", ("seed", "count", "labels", "truncation"), "png_bytes",
             "DT_STRING"),
            ("interpolate", ("seed_a", "seed_b", "steps", "labels", "truncation"),
             "strip_png_bytes", "DT_STRING")]:
        block = shown.split(f"signature_def['{signature}']")[1].split("signature_def[")[0]
        for name in inputs:
            assert f"inputs['{name}']" in block
        assert f"outputs['{output}']" in block and dtype in block
    assert "tensorflow/serving/predict" in shown


def test_class_names_travel_in_a_signature_and_the_litert_metadata(conditional_ema_gan,
                                                                    tmp_path):
    gan = conditional_ema_gan
    assert "class_names" not in export.signature_names(gan)  # no names, no signature
    gan.class_names = ["ant", "bee", "cow"]
    try:
        path = export.export_serving(gan, tmp_path, name="named")
        names = tf.saved_model.load(path).signatures["class_names"]()["class_names"]
        assert [n.decode() for n in names.numpy()] == ["ant", "bee", "cow"]
        assert "class_names" in export.signature_names(gan)
        tflite = export.export_tflite(gan, str(tmp_path / "g.tflite"))
        assert export.litert_metadata(tflite) == {"num_classes": 3,
                                                 "class_names": ["ant", "bee", "cow"]}
    finally:
        gan.class_names = None


def test_versions_side_by_side_and_never_overwritten(tiny_gan, tmp_path):
    gan = tiny_gan()
    assert export.export_serving(gan, tmp_path, name="m").endswith(os.path.join("m", "1"))
    assert export.export_serving(gan, tmp_path, name="m").endswith(os.path.join("m", "2"))
    assert sorted(os.listdir(tmp_path / "m")) == ["1", "2"]
    with pytest.raises(FileExistsError, match=r"m/2 exists and is never overwritten: omit "
                                              r"--version to write the next free one \(3\)"):
        export.export_serving(gan, tmp_path, name="m", version=2)
    assert export.export_serving(gan, tmp_path, name="m", version=7).endswith("7")
    assert export.export_serving(gan, tmp_path, name="m").endswith("8")


def test_a_killed_export_leaves_no_version_folder(tmp_path):
    make_tiny_gan().save(tmp_path / "tiny.keras")
    # Killed with the whole SavedModel in its temporary folder, just before
    # that folder is renamed to version 1.
    kill_when_paused("before", "1", "export", str(tmp_path / "tiny.keras"), "--serving",
                     str(tmp_path), "--name", "m")
    left = os.listdir(tmp_path / "m")
    assert len(left) == 1 and left[0].startswith(files.TEMP_PREFIX), left
    assert (tmp_path / "m" / left[0] / "saved_model.pb").exists()
    assert export.export_serving(make_tiny_gan(), tmp_path, name="m").endswith("1")
    assert os.listdir(tmp_path / "m") == ["1"]  # the dead export's temp folder is gone


def test_export_errors_name_the_problem(tiny_gan, tmp_path):
    gan = tiny_gan()
    with pytest.raises(ValueError, match="not a valid folder name"):
        export.export_serving(gan, tmp_path, name="../escape")
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    with pytest.raises(OSError, match="Cannot write the export to .*a_file/m.*writable "
                                      "--serving folder"):
        export.export_serving(gan, blocker, name="m")
    with pytest.raises(OSError, match="Cannot write .*writable --tflite path"):
        export.export_tflite(gan, str(blocker / "g.tflite"))
    with pytest.raises(ValueError, match="Unknown quantize='int4': use one of none, "
                                         "float16, dynamic, int8"):
        export.export_tflite(gan, str(tmp_path / "g.tflite"), quantize="int4")
    with pytest.raises(ValueError, match="holds a Sequential, not a GAN or Translator: export "
                                         "takes a GAN"):
        export.export_serving(keras.Sequential([keras.layers.Dense(2)]), tmp_path)
    with pytest.raises(ValueError, match="classifier_mnist holds a Classifier, not a GAN or Translator"):
        export.export_tflite("classifier_mnist", str(tmp_path / "c.tflite"))
    assert not os.path.exists(tmp_path / "g.tflite")


@pytest.mark.parametrize("quantize", export.QUANTIZATIONS)
def test_tflite_matches_keras_in_litert(conditional_ema_gan, tmp_path, quantize):
    path = export.export_tflite(conditional_ema_gan, str(tmp_path / "g.tflite"),
                                quantize=quantize)
    check_tflite(conditional_ema_gan, path, quantize)


def test_tflite_for_litertjs_has_class_weights_and_a_fixed_batch(conditional_ema_gan, tmp_path):
    """For LiteRT.js (no int64 tensors, no dynamic shapes): float32 class
    weights instead of labels (one-hot rows are the classes, blends are the
    walks between them) and a fixed batch."""
    from ai_edge_litert.interpreter import Interpreter

    gan = conditional_ema_gan
    path = export.export_tflite(gan, str(tmp_path / "g.tflite"), class_weights=True,
                                batch_size=3)  # and no dynamic shapes
    check_tflite(gan, path, "none")  # run_tflite feeds one-hot rows, 3 at a time
    runner = Interpreter(model_path=path).get_signature_runner()
    assert {name: detail["dtype"] for name, detail in runner.get_input_details().items()} == {
        "z": np.float32, "class_weights": np.float32}
    assert [list(d["shape_signature"]) for d in runner.get_input_details().values()] == [
        [3, 3], [3, 4]]  # class_weights, z: fixed batch
    z = np.asarray(gan.latents(3, 3))
    blend = np.array([[0.5, 0.5, 0.0], [0.0, 0.25, 0.75], [0, 0, 1]], np.float32)
    np.testing.assert_allclose(runner(z=z, class_weights=blend)["images"],
                               gan.ema_generator([z, blend]).numpy(), atol=1e-5)


def test_cli_export_names_the_model_after_the_file(tiny_gan, tmp_path, capsys):
    gan = tiny_gan()
    gan.save(tmp_path / "tiny.keras")
    assert cli.main(["export", str(tmp_path / "tiny.keras"), "--serving",
                     str(tmp_path / "models"), "--tflite", str(tmp_path / "g.tflite"),
                     "--quantize", "float16"]) == 0
    assert os.listdir(tmp_path / "models" / "tiny") == ["1"]
    check_tflite(gan, str(tmp_path / "g.tflite"), "float16")
    assert "serving_default, generate, generate_png" in capsys.readouterr().out
    assert cli.main(["export", str(tmp_path / "tiny.keras")]) == 2
    assert "Nothing to export: give --serving" in capsys.readouterr().err
    z = np.asarray(gan.latents(3, 1))
    np.testing.assert_allclose(export.run_tflite(str(tmp_path / "g.tflite"), z).shape,
                               (3, 8, 8, 1))


def _call(signature, **inputs):
    """The signature on `inputs`; truncation, when left out, is fed its default (1)
    as TF Serving feeds it: a loaded model's `signatures` take every input."""
    dtypes = {k: v.dtype for k, v in signature.structured_input_signature[1].items()}
    if "truncation" in dtypes:
        inputs.setdefault("truncation", 1.0)
    return signature(**{k: tf.constant(v, dtypes[k]) for k, v in inputs.items()})


def test_signatures_refuse_bad_requests_naming_the_input(conditional_ema_gan, tmp_path):
    served = tf.saved_model.load(export.export_serving(
        conditional_ema_gan, tmp_path, name="m", warmup=False)).signatures
    latents, generate, generate_png, interpolate = (served[name] for name in export.SIGNATURES)
    z = np.zeros((2, 4), np.float32)
    # the caps and bounds themselves are allowed
    assert _call(generate, seed=0, count=export.MAX_COUNT, labels=[2],
                 truncation=1.0)["images"].shape == (1024, 8, 8, 1)
    assert _call(latents, z=z, labels=[0, 2])["images"].shape == (2, 8, 8, 1)
    for steps, labels in [(2, [0]), (export.MAX_COUNT, [0, 2])]:
        assert _call(interpolate, seed_a=0, seed_b=1, steps=steps, labels=labels,
                     truncation=1e-3)["images"].shape == (steps, 8, 8, 1)
    count = r"count must be in \[1, 1024\] \(images per request\); got\] "
    steps = (r"steps must be in \[2, 1024\] \(images of the walk, its two ends "
             r"included\); got\] ")
    psi = r"truncation must be in \(0, 1\] \(1: no truncation\); got\] "
    walk = dict(seed_a=0, seed_b=1, steps=4, truncation=1.0)
    for signature, inputs, message in [
            *[(signature, dict(seed=0, count=2, labels=[0], truncation=value), psi + shown)
              for signature in (generate, generate_png)
              for value, shown in [(0.0, r"\[0\]"), (1.5, r"\[1.5\]"), (np.nan, r"\[nan\]")]],
            *[(interpolate, dict(walk, labels=[0], truncation=value), psi + shown)
              for value, shown in [(0.0, r"\[0\]"), (-0.5, r"\[-0.5\]"), (np.nan, r"\[nan\]")]],
            (interpolate, dict(walk, labels=[0], steps=1), steps + r"\[1\]"),
            (interpolate, dict(walk, labels=[0], steps=0), steps + r"\[0\]"),
            (interpolate, dict(walk, labels=[0], steps=1025), steps + r"\[1025\]"),
            (interpolate, dict(walk, labels=[0, 3]), r"labels must be in \[0, 3\); got\] \[0 3\]"),
            (interpolate, dict(walk, labels=[-1]), r"labels must be in \[0, 3\); got\] \[-1\]"),
            (interpolate, dict(walk, labels=[0, 1, 2]), r"labels must have 1 value \(one class "
             r"for the walk\) or 2 \(the classes of its ends\); got\] \[3\]"),
            (interpolate, dict(walk, labels=np.zeros(0)), r"labels must have 1 value"),
            (generate, dict(seed=0, count=100_000, labels=[0]), count + r"\[100000\]"),
            (generate, dict(seed=0, count=2**32 + 1, labels=[0]), count + r"\[4294967297\]"),
            (generate_png, dict(seed=0, count=0, labels=[0]), count + r"\[0\]"),
            (generate, dict(seed=0, count=3, labels=[-1]),
             r"labels must be in \[0, 3\); got\] \[-1\]"),
            (generate_png, dict(seed=0, count=3, labels=[3]), r"labels must be in \[0, 3\)"),
            (generate, dict(seed=0, count=3, labels=[0, 1]),
             r"labels must have 1 value or `count` values; got\] \[2\]"),
            (latents, dict(z=np.full((2, 4), np.nan), labels=[0, 1]), r"z must be finite"),
            (latents, dict(z=np.zeros((1025, 4)), labels=np.zeros(1025)),
             r"z must have at most 1024 rows \(images per request\): split the request"),
            (latents, dict(z=z, labels=[0]),
             r"labels must have one value per row of z; got\] \[1\]"),
            (latents, dict(z=z, labels=[0, 3]), r"labels must be in \[0, 3\)")]:
        with pytest.raises(tf.errors.InvalidArgumentError, match=message):
            _call(signature, **inputs)
    # serving_default declares z's width, so its metadata shows the latent size, and a
    # request of another width is refused at the signature
    assert latents.structured_input_signature[1]["z"].shape.as_list() == [None, 4]
    with pytest.raises((ValueError, TypeError, tf.errors.InvalidArgumentError), match="3"):
        _call(latents, z=np.zeros((2, 3)), labels=[0, 1])


def test_truncation_is_optional_and_an_unconditional_walk_takes_no_labels(tiny_gan, tmp_path):
    from serving_check import signature_defaults

    path = export.export_serving(tiny_gan(), tmp_path, name="m", warmup=False)
    # the default TF Serving feeds for a request without truncation
    defaults = {name: {k: float(v) for k, v in inputs.items()}
                for name, inputs in signature_defaults(path).items() if inputs}
    assert defaults == {name: {"truncation": 1.0}
                        for name in ("generate", "generate_png", "interpolate")}
    loaded = tf.saved_model.load(path)
    seed, count = tf.constant(3, tf.int64), tf.constant(2, tf.int64)
    # the restored endpoint applies it too; `signatures[...]` takes every input
    np.testing.assert_array_equal(
        loaded.generate(seed=seed, count=count)["images"],
        _call(loaded.signatures["generate"], seed=3, count=2, truncation=1.0)["images"])
    with pytest.raises(TypeError, match="missing a required argument: 'truncation'"):
        loaded.signatures["generate"](seed=seed, count=count)
    psi = r"truncation must be in \(0, 1\] \(1: no truncation\); got\] \[inf\]"
    with pytest.raises(tf.errors.InvalidArgumentError, match=psi):
        _call(loaded.signatures["interpolate"], seed_a=0, seed_b=1, steps=3, truncation=np.inf)
    # An unconditional model's walk has no labels input: the call names the
    # argument (TF Serving: "input tensor alias not found in signature: labels").
    with pytest.raises(TypeError, match="got an unexpected keyword argument 'labels'"):
        loaded.signatures["interpolate"](
            seed_a=seed, seed_b=seed, steps=count, truncation=tf.constant(1.0),
            labels=tf.constant([0], tf.int64))


def test_run_tflite_checks_inputs_as_the_savedmodel_does(conditional_ema_gan, tmp_path):
    path = export.export_tflite(conditional_ema_gan, str(tmp_path / "g.tflite"))
    assert export.litert_metadata(path) == {"num_classes": 3}  # for raw LiteRT callers
    z = np.zeros((2, 4), np.float32)
    for inputs, message in [
            (dict(z=np.zeros((2, 3)), labels=[0, 1]), r"z must be \[N, 4\]; got shape \(2, 3\)"),
            (dict(z=z, labels=[0, 3]), r"labels must be in \[0, 3\); got \[3\]"),
            (dict(z=z, labels=[-1, 0]), r"labels must be in \[0, 3\); got \[-1\]"),
            (dict(z=z, labels=[0]), r"labels must have one value per row of z \(2\)"),
            (dict(z=z), "This .tflite takes labels, z; got z"),
            (dict(z=np.zeros((1025, 4)), labels=np.zeros(1025, int)),
             "z must have 1 to 1024 rows"),
            (dict(z=np.full((2, 4), np.inf), labels=[0, 1]), "z must be finite"),
            (dict(z=z, labels=[1.7, 0.2]),  # were truncated to [1, 0] silently
             r"labels must be class ids \(integers\); got \[1\.7, 0\.2\]")]:
        with pytest.raises(ValueError, match=message):
            export.run_tflite(path, **inputs)


def test_missing_serving_protos_fail_before_anything_is_written(tiny_gan, tmp_path,
                                                                 monkeypatch, capsys):
    gan = tiny_gan()
    gan.save(tmp_path / "tiny.keras")
    hide_serving_protos(monkeypatch)
    command = ["export", str(tmp_path / "tiny.keras"), "--serving", str(tmp_path / "models"),
               "--tflite", str(tmp_path / "g.tflite")]
    assert cli.main(command) == 2
    err = capsys.readouterr().err
    assert err.startswith("tfgan-zoo export: error: Writing TF Serving warm-up records needs "
                          "TF Serving's protos: pip install --no-deps "
                          "tensorflow-serving-api==2.21.0"), err
    assert "or export without them (--no-warmup, warmup=False)" in err
    assert len(err.strip().splitlines()) == 1
    assert sorted(os.listdir(tmp_path)) == ["tiny.keras"]
    assert cli.main(command + ["--no-warmup"]) == 0
    version = tmp_path / "models" / "tiny" / "1"
    assert not (version / "assets.extra").exists()
    served = tf.saved_model.load(str(version)).signatures["generate"]
    assert _call(served, seed=3, count=2)["images"].shape == (2, 8, 8, 1)
    check_tflite(gan, str(tmp_path / "g.tflite"), "none")


def _full_disk_save(obj, export_dir, **kwargs):
    """tf.saved_model.save on a full disk: part of a file, then TF's error."""
    partial = os.path.join(export_dir, "saved_model.pb.tmp0")
    with open(partial, "wb") as f:
        f.write(b"\0" * 10)
    raise tf.errors.ResourceExhaustedError(None, None, f"{partial}; No space left on device")


def test_a_full_disk_is_one_line_and_leaves_nothing(tiny_gan, tmp_path, monkeypatch, capsys):
    gan = tiny_gan()
    source = str(tmp_path / "tiny.keras")
    gan.save(source)
    models = tmp_path / "models"
    assert cli.main(["export", source, "--serving", str(models)]) == 0
    capsys.readouterr()

    def full_disk_write_bytes(path, data):
        with files.atomic_path(path) as tmp:
            with open(tmp, "wb") as f:
                f.write(data[:10])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), tmp)

    # the .tflite is written last: the version written before it is removed again
    monkeypatch.setattr(files, "write_bytes", full_disk_write_bytes)
    tflite = tmp_path / "out" / "g.tflite"
    assert cli.main(["export", source, "--serving", str(models), "--tflite", str(tflite)]) == 2
    assert capsys.readouterr().err == (
        f"tfgan-zoo export: error: Cannot write {tflite}: No space left on device. Free space "
        "there or choose another --tflite path.\n")
    monkeypatch.setattr(tf.saved_model, "save", _full_disk_save)
    for name in ("tiny", "new"):  # an existing model folder, and one the export makes
        assert cli.main(["export", source, "--serving", str(models), "--name", name]) == 2
        assert capsys.readouterr().err == (
            f"tfgan-zoo export: error: Cannot write the export to {models / name}: No space "
            "left on device. Free space there or choose another --serving folder.\n")
    assert cli.main(["export", source, "--tflite", str(tflite)]) == 2
    assert "No space left on device. Free space there or choose another TMPDIR." in (
        capsys.readouterr().err)
    assert os.listdir(models) == ["tiny"] and os.listdir(models / "tiny") == ["1"]
    assert sorted(os.listdir(tmp_path)) == ["models", "tiny.keras"]
