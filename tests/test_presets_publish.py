"""`publishing.publish` / `tfgan-zoo publish`: a finished run becomes a verified
preset folder, scored with its yardsticks; `evaluate` scores translators."""
import json
import os

import numpy as np
import pytest

import tfgan_zoo
from tfgan_zoo import cli, presets, publishing
from zoo_models.classifier import Classifier


@pytest.fixture
def pairs(tmp_path):
    rng = np.random.default_rng(0)
    a = rng.integers(0, 256, (48, 8, 8, 1), dtype=np.uint8)
    path = tmp_path / "pairs.npz"
    np.savez(path, a_train=a[:32], b_train=255 - a[:32], a_test=a[32:], b_test=255 - a[32:])
    return str(path)


@pytest.fixture
def extractor(tmp_path):
    path = str(tmp_path / "extractor")
    presets.save(Classifier((8, 8, 1), num_classes=3, width=2, feature_dim=4), path, card="#\n")
    return path


def test_a_translator_run_publishes_with_its_scores_beside_the_identity(pairs, extractor,
                                                                         tmp_path, capsys):
    run = str(tmp_path / "run")
    tfgan_zoo.train(pairs, run, family="pix2pix", batch_size=8, width=4, verbose=0)
    assert cli.main(["evaluate", os.path.join(run, "model.keras"), "--data", pairs,
                     "--extractor", extractor, "--json"]) == 0
    scores = json.loads(capsys.readouterr().out)
    assert set(scores["paired"]) == {"model", "identity"} and scores["num"] == 16
    test = np.load(pairs)
    identity_l1 = np.mean(np.abs(test["a_test"] / 127.5 - test["b_test"] / 127.5))
    assert scores["paired"]["identity"]["l1"] == pytest.approx(identity_l1, rel=1e-5)

    out = publishing.publish(run, "tiny_p2p", out=str(tmp_path / "tiny_p2p"), extractor=extractor,
                          data_license="generated noise", verbose=0,
                          standard_fid=False)  # 8x8 images: too small for the Inception
    presets.verify(out)  # SHA256SUMS lists every file
    # the data named as the card names it, not by the publisher's path
    params = sum(layer.count_params() for layer in tfgan_zoo.load(run + "/model.keras").layers)
    assert json.load(open(os.path.join(out, "metrics.json"))) == {**scores, "data": "pairs.npz",
                                                                  "params": params}
    assert presets.params({"path": out}) == params  # what `tfgan-zoo list` shows
    assert os.path.exists(os.path.join(out, "samples.png"))
    card = open(os.path.join(out, "card.md")).read()
    assert "`pix2pix` (paired_translation)" in card and "identity" in card
    assert "tfgan-zoo train --family pix2pix" in card and "generated noise" in card
    inputs = test["a_test"][:2]
    np.testing.assert_array_equal(tfgan_zoo.load(out).translate(inputs),
                                  tfgan_zoo.load(os.path.join(run, "model.keras")).translate(
                                      inputs))

    # the standard FID's scores join metrics.json, the card and SHA256SUMS; twice: one section
    standard = {**scores, "extractor": "inception", "data": "pairs.npz"}
    for _ in range(2):
        publishing.add_standard_scores(out, standard)
        presets.verify(out)
        assert json.load(open(os.path.join(out, "metrics.json"))) == {
            **scores, "data": "pairs.npz", "params": params, "inception": standard}
        card = open(os.path.join(out, "card.md")).read()
        assert card.count(publishing.STANDARD) == 1 and "FID by inception" in card
        assert card.index(publishing.STANDARD) < card.index("## Intended use and limits")
        assert card.index("## Metrics") < card.index(publishing.STANDARD)

    with pytest.raises(FileExistsError, match="exists and is not overwritten"):
        publishing.publish(run, "tiny_p2p", out=out, extractor=extractor, verbose=0)
    with pytest.raises(ValueError, match="holds no finished run"):
        publishing.publish(str(tmp_path), "x", out=str(tmp_path / "x"))
    assert not os.path.exists(tmp_path / "x")


@pytest.fixture
def gan_run(tmp_path):
    x = np.random.default_rng(0).integers(0, 256, (32, 8, 8, 1), dtype=np.uint8)
    data = tmp_path / "d.npz"
    np.savez(data, x_train=x, x_test=x[:16])
    run = tmp_path / "runs" / "run"
    tfgan_zoo.train(str(data), str(run), family="dcgan", batch_size=8, width=4, latent_dim=4,
                    verbose=0)
    return run


def test_publish_replace_replaces_only_a_preset_folder_publish_wrote(gan_run, extractor,
                                                                     tmp_path):
    def publish(out, replace=True):
        return publishing.publish(str(gan_run), "tiny", out=str(out), extractor=extractor,
                               num=16, replace=replace, verbose=0, standard_fid=False)

    before = sorted(os.listdir(gan_run))
    users = tmp_path / "mine"
    users.mkdir()
    (users / "thesis.tex").write_text("years of work")
    with pytest.raises(ValueError, match="is not a preset folder that publish wrote"):
        publish(users)
    assert (users / "thesis.tex").read_text() == "years of work"
    for source in (gan_run, gan_run.parent):  # the run, or a folder holding it
        with pytest.raises(ValueError, match="holds the run being published"):
            publish(source)
    assert sorted(os.listdir(gan_run)) == before
    out = publish(tmp_path / "tiny", replace=False)
    (tmp_path / "tiny" / "card.md").write_text("edited by hand")
    with pytest.raises(ValueError, match="or it was changed since"):
        publish(out)
    os.remove(os.path.join(out, "card.md"))
    presets.save(tfgan_zoo.load(os.path.join(gan_run, "model.keras")), out, "# old\n",
                 replace=True)
    assert publish(out) == out  # an intact preset folder is replaced
    presets.verify(out)


def test_publish_refuses_a_run_in_use(gan_run, extractor, tmp_path):
    from tfgan_zoo import runs

    with runs.RunFolder(str(gan_run)).claim():  # as `train` holds it while it resumes
        with pytest.raises(ValueError, match="is in use by a running tfgan-zoo process: "
                                             "publish it when its training has ended"):
            publishing.publish(str(gan_run), "tiny", out=str(tmp_path / "tiny"),
                            extractor=extractor, num=16, verbose=0, standard_fid=False)
    assert not (tmp_path / "tiny").exists()


@pytest.mark.parametrize("run_json, message", [
    ("{not json", r"run\.json is not valid JSON \(.*\): it is damaged; restore it"),
    ("[1, 2]", r"run\.json lacks settings: it is not as `tfgan-zoo train` wrote it"),
    ('{"family": "dcgan", "data": "d.npz"}', r"run\.json lacks batch_size"),
])
def test_a_damaged_run_json_is_named_before_any_work(gan_run, run_json, message, tmp_path):
    (gan_run / "run.json").write_text(run_json)
    with pytest.raises(ValueError, match=message):
        publishing.publish(str(gan_run), "tiny", out=str(tmp_path / "tiny"), verbose=0)
    assert not (tmp_path / "tiny").exists()


def test_publish_names_a_missing_relative_data_path_and_refuses_zoo_names(gan_run, tmp_path,
                                                                          monkeypatch):
    run = json.load(open(gan_run / "run.json"))
    (gan_run / "run.json").write_text(json.dumps({**run, "data": "data/d.npz"}))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"The run's data 'data/d\.npz' is not found "
                                                r"from here .*: pass --data PATH"):
        publishing.publish(str(gan_run), "tiny", verbose=0)
    with pytest.raises(ValueError, match="dcgan_fashion_mnist is the name of a preset of the "
                                         "zoo"):
        publishing.publish(str(gan_run), "dcgan_fashion_mnist", verbose=0)
    assert sorted(os.listdir(tmp_path)) == ["d.npz", "runs"]  # nothing written


def test_a_run_on_a_tfds_set_is_published_from_tfds(gan_run, extractor, tmp_path):
    # "tfds:emoji/64" holds a "/": a TFDS name, never a missing path to name --data for
    run = json.load(open(gan_run / "run.json"))
    (gan_run / "run.json").write_text(json.dumps({**run, "data": "tfds:emoji/128"}))
    with pytest.raises(ValueError, match=r"tfds:emoji has no configuration '128': use "
                                         r"tfds:emoji/32, tfds:emoji/64"):
        publishing.publish(str(gan_run), "tiny", out=str(tmp_path / "tiny"),
                           extractor=extractor, num=16, verbose=0, standard_fid=False)
    assert not (tmp_path / "tiny").exists()


def test_reproduce_trains_a_preset_by_its_recipe_and_publishes_it_beside_the_zoos(
        tmp_path, fashion_mnist, capsys):
    with np.load(fashion_mnist) as f:  # the recipe's file, cut to 128 + 64 images
        np.savez(tmp_path / "fashion_mnist.npz", x_train=f["x_train"][:128],
                 y_train=f["y_train"][:128], x_test=f["x_test"][:64], y_test=f["y_test"][:64])
    run, out = tmp_path / "run", tmp_path / "mine"
    path = publishing.reproduce("dcgan_fashion_mnist", out=str(out), run_dir=str(run),
                                data_dir=str(tmp_path), epochs=1, num=16, standard_fid=False,
                                verbose=0)
    assert path == str(out) and "model.weights.h5" in os.listdir(out)
    recipe = presets.registry()["dcgan_fashion_mnist"]["recipe"]["train"]
    settings = json.load(open(run / "run.json"))
    assert {k: settings[k] for k in recipe if k != "epochs"} == {
        k: v for k, v in recipe.items() if k != "epochs"}
    card = open(out / "card.md").read()
    assert card.startswith("# dcgan_fashion_mnist_reproduced\n")  # never the zoo's own name
    assert "`tfgan-zoo reproduce dcgan_fashion_mnist`" in card
    assert f"`dcgan` (generation), {378_273 + 55_233:,} parameters |" in card  # G and D, no EMA
    assert tfgan_zoo.load(str(out)).generate(2, seed=0).shape == (2, 28, 28, 1)
    # the wrong name and the missing data are one line each, and write nothing
    with pytest.raises(ValueError, match=r"Unknown preset 'dcgan_fashion'\. Did you mean "
                                         r"dcgan_fashion_mnist"):
        publishing.reproduce("dcgan_fashion", verbose=0)
    assert cli.main(["reproduce", "lsgan_mnist", "--data-dir", str(tmp_path), "--run-dir",
                     str(tmp_path / "other")]) == 2
    assert (f"The recipe's data mnist.npz is not in {tmp_path}: put it there, or pass the "
            "folder that holds it (--data-dir).") in capsys.readouterr().err
    assert not (tmp_path / "other").exists()
