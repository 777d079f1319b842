"""Export to TF Serving and LiteRT: TF-only reload, layout, versions, errors."""
import os
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest

from conftest import make_tiny_gan
from export_checks import check_serving, check_tflite
from tfgan_zoo import cli, export


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
            ("generate", ("seed", "count", "labels"), "images", "DT_UINT8"),
            ("generate_png", ("seed", "count", "labels"), "png_bytes", "DT_STRING")]:
        block = shown.split(f"signature_def['{signature}']")[1].split("signature_def[")[0]
        for name in inputs:
            assert f"inputs['{name}']" in block
        assert f"outputs['{output}']" in block and dtype in block
    assert "tensorflow/serving/predict" in shown


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


KILLED_EXPORT = """
import sys
sys.path.insert(0, {tests!r})
from conftest import make_tiny_gan
from tfgan_zoo import export
export.export_serving(make_tiny_gan(), {base!r}, name="m")
"""


def test_a_killed_export_leaves_no_version_folder(tmp_path):
    tests = os.path.dirname(os.path.abspath(__file__))
    script = KILLED_EXPORT.format(tests=tests, base=str(tmp_path))
    process = subprocess.Popen([sys.executable, "-c", script])
    model_dir = tmp_path / "m"
    deadline = time.time() + 120
    while not (model_dir.exists() and os.listdir(model_dir)):
        assert process.poll() is None and time.time() < deadline, "export ended unseen"
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    left = os.listdir(model_dir)
    assert left and all(name.startswith(".partial-") for name in left), left
    assert export.export_serving(make_tiny_gan(), tmp_path, name="m").endswith("1")
    assert os.listdir(model_dir) == ["1"]  # the dead export's temp folder is gone


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
    with pytest.raises(ValueError, match="Cannot export a Sequential: export takes a GAN"):
        export.export_serving(keras.Sequential([keras.layers.Dense(2)]), tmp_path)
    with pytest.raises(ValueError, match="'classifier_mnist': it is not a GAN"):
        export.export_tflite("classifier_mnist", str(tmp_path / "c.tflite"))
    assert not os.path.exists(tmp_path / "g.tflite")


@pytest.mark.parametrize("quantize", export.QUANTIZATIONS)
def test_tflite_matches_keras_in_litert(conditional_ema_gan, tmp_path, quantize):
    path = export.export_tflite(conditional_ema_gan, str(tmp_path / "g.tflite"),
                                quantize=quantize)
    check_tflite(conditional_ema_gan, path, quantize)


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
