"""`sample`, and `tfgan_zoo.load` (which `sample`, `evaluate`, `translate` and
`export` share): bad counts, labels and model files get one clear line."""
import re
import zipfile

import keras
import numpy as np
import pytest
import tensorflow as tf

from conftest import make_tiny_gan
import tfgan_zoo
from tfgan_zoo import cli, images, metrics, sampling

GIVE = r"give a \.keras file written by `tfgan-zoo train` \(OUT/model\.keras\) or a preset"
UNREADABLE = r"is not a readable \.keras file \(truncated or corrupt\?\)"


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("models")
    make_tiny_gan().save(root / "gan.keras")
    make_tiny_gan(num_classes=3).save(root / "cgan.keras")
    keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]).save(root / "plain.keras")
    whole = (root / "gan.keras").read_bytes()
    (root / "cut.keras").write_bytes(whole[:len(whole) // 2])
    config = zipfile.ZipFile(root / "gan.keras").getinfo("config.json")
    middle = config.header_offset + 30 + len(config.filename) + config.compress_size // 2
    (root / "corrupt.keras").write_bytes(whole[:middle] + bytes(16) + whole[middle + 16:])
    with zipfile.ZipFile(root / "empty.keras", "w"):
        pass
    (root / "text.keras").write_text("not a model\n")
    return root


def assert_one_line_error(capsys, argv, message, out):
    """`tfgan-zoo ARGV` exits 2 with one `error:` line matching `message`
    and writes nothing to `out`."""
    try:
        status = cli.main(argv)
    except SystemExit as usage_error:  # the parser's range checks
        status = usage_error.code
    assert status == 2
    err = capsys.readouterr().err
    assert err.startswith(f"tfgan-zoo {argv[0]}: error: ") and len(err.strip().splitlines()) == 1
    assert re.search(message, err), err
    assert not out.exists()


@pytest.mark.parametrize("args, message", [
    (["gan.keras", "--num", "0"], r"num:? must be an integer >= 1; got 0"),
    (["gan.keras", "--num", "-1"], r"num:? must be an integer >= 1; got -1"),
    (["gan.keras", "--num", "4294967297"], r"--num 4294967297 is over 4,194,304, the most "
                                           r"images of 8x8x1 that sample writes at once"),
    (["gan.keras", "--seed", str(2**70)], r"argument --seed: must be an integer in "
                                          r"\[-2\^63, 2\^63 - 1\]; got 1180591620717411303424"),
    (["cgan.keras", "--labels", "7", "9", "--num", "16"],
     r"labels: give one label, or one per sample \(16\); got 2\."),
    (["cgan.keras", "--labels", "3", "--num", "4"], r"labels must be ints in \[0, 3\)"),
    (["gan.keras", "--labels", "1"], "labels were given but this GAN is unconditional: "
                                     "leave the labels out"),
    (["plain.keras"], r"plain\.keras holds a Sequential, not a GAN: sample takes a GAN"),
    (["cut.keras"], rf"cut\.keras {UNREADABLE}: it is not a zip archive\. Copy or save "
                    rf"it again, or {GIVE}\."),
    (["text.keras"], rf"text\.keras {UNREADABLE}"),
    (["corrupt.keras"], rf"corrupt\.keras {UNREADABLE}: Bad CRC-32 for file 'config\.json'"),
    (["empty.keras"], rf"empty\.keras {UNREADABLE}: \"There is no item named 'config\.json'"),
])
def test_cli_sample_errors_are_one_clear_line(models, tmp_path, capsys, args, message):
    out = tmp_path / "grid.png"
    assert_one_line_error(capsys, ["sample", str(models / args[0]), *args[1:], "--out",
                                   str(out)], message, out)


@pytest.mark.parametrize("name, message", [("plain.keras", "holds a Sequential, not a"),
                                           ("cut.keras", UNREADABLE)])
def test_evaluate_and_translate_refuse_these_files_alike(models, capsys, name, message):
    with pytest.raises(ValueError, match=message):
        metrics.evaluate(str(models / name), "fashion_mnist")
    assert cli.main(["translate", str(models / name), "--input", "x.png", "--out", "y.png"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tfgan-zoo translate: error: ")
    assert len(err.strip().splitlines()) == 1 and re.search(message, err), err


def test_one_label_or_one_per_sample(models, tmp_path):
    gan = tfgan_zoo.load(models / "cgan.keras")
    sampling.sample(gan, tmp_path / "one.npy", num=4, seed=1, labels=2)
    sampling.sample(gan, tmp_path / "each.npy", num=4, seed=1, labels=[2, 2, 2, 2])
    np.testing.assert_array_equal(np.load(tmp_path / "one.npy"), np.load(tmp_path / "each.npy"))
    with pytest.raises(ValueError, match=r"one per sample \(4\); got 3"):
        sampling.sample(gan, tmp_path / "x.npy", num=4, labels=[0, 1, 2])
    for num in (0, -1, 2.5):
        with pytest.raises(ValueError, match=f"num must be an integer >= 1; got {num}"):
            sampling.sample(gan, tmp_path / "x.npy", num=num)


def test_labels_by_class_name(models, tmp_path, capsys):
    gan = tfgan_zoo.load(models / "cgan.keras")
    with pytest.raises(ValueError, match=r"class_names: one name per class \(3\); got 2"):
        gan.class_names = ["ant", "bee"]
    with pytest.raises(ValueError, match="class_names must differ"):
        gan.class_names = ["ant", "Ant", "bee"]
    gan.class_names = ["Ant", "bee", "cow"]
    assert gan.class_ids(["ant", "BEE", 2, "1"]) == [0, 1, 2, 1]
    np.testing.assert_array_equal(gan.generate(3, 5, labels=["cow", "ant", "bee"]),
                                  gan.generate(3, 5, labels=[2, 0, 1]))
    np.testing.assert_array_equal(gan.interpolate(0, 1, 3, labels=("bee", "cow")),
                                  gan.interpolate(0, 1, 3, labels=(1, 2)))
    with pytest.raises(ValueError, match="Unknown class 'cwo': did you mean 'cow'\\? this "
                                         "GAN's classes are 'Ant', 'bee', 'cow'; or give "
                                         "numbers 0..2"):
        gan.generate(1, labels="cwo")
    path = tmp_path / "named.keras"
    gan.save(path)
    assert tfgan_zoo.load(path).class_names == ("Ant", "bee", "cow")  # in the config
    assert cli.main(["sample", str(path), "--num", "2", "--labels", "cow", "0",
                     "--out", str(tmp_path / "named.npy")]) == 0
    np.testing.assert_array_equal(np.load(tmp_path / "named.npy"),
                                  np.load(_sampled(gan, tmp_path, [2, 0])))
    assert_one_line_error(capsys, ["sample", str(path), "--labels", "dog", "--out",
                                   str(tmp_path / "dog.png")], "Unknown class 'dog'",
                          tmp_path / "dog.png")
    unnamed = tfgan_zoo.load(models / "cgan.keras")
    with pytest.raises(ValueError, match="this GAN's classes have no names; or give numbers"):
        unnamed.generate(1, labels="cow")


def _sampled(gan, tmp_path, labels):
    path = tmp_path / "by_number.npy"
    sampling.sample(gan, path, num=len(labels), labels=labels)
    return path


# ------------------------------------------------ truncation and latent walks
def test_truncation_scales_the_latents_and_keeps_each_seeds_picture(models):
    gan = keras.models.load_model(models / "gan.keras")
    z = np.asarray(gan.latents(6, 3))
    np.testing.assert_allclose(np.asarray(gan.latents(6, 3, truncation=0.5)), 0.5 * z, rtol=1e-6)
    np.testing.assert_array_equal(gan.generate(6, 3, truncation=1.0), gan.generate(6, 3))
    images = {psi: gan.generate(6, 3, truncation=psi) for psi in (1.0, 0.7, 0.4)}
    # lower psi: closer to the image of the mean latent, seed by seed
    mean_image = gan._run_generator(tf.zeros((1, gan.latent_dim)), None, 1, True)
    distance = [np.abs(images[psi] - mean_image).mean() for psi in (1.0, 0.7, 0.4)]
    assert distance[0] > distance[1] > distance[2]


def test_a_walk_goes_from_one_seeds_image_to_the_others(models):
    gan = keras.models.load_model(models / "gan.keras")
    for method in ("slerp", "linear"):
        walk = gan.interpolate(3, 9, steps=5, method=method, truncation=0.8)
        assert walk.shape == (5, 8, 8, 1)
        np.testing.assert_allclose(walk[0], gan.generate(1, 3, truncation=0.8)[0], atol=1e-5)
        np.testing.assert_allclose(walk[-1], gan.generate(1, 9, truncation=0.8)[0], atol=1e-5)
    a, b = np.asarray(gan.latents(1, 3)), np.asarray(gan.latents(1, 9))
    z, _ = gan.interpolation_inputs(3, 9, 5, method="slerp")
    norms = np.linalg.norm(np.asarray(z), axis=1)
    # slerp: the middle latent keeps the ends' length (within their spread); linear shrinks it
    assert norms[2] > 0.9 * min(np.linalg.norm(a), np.linalg.norm(b))
    angle = np.arccos(np.sum(a * b) / np.linalg.norm(a) / np.linalg.norm(b))
    t = 0.25
    want = (np.sin((1 - t) * angle) * a + np.sin(t * angle) * b) / np.sin(angle)
    np.testing.assert_allclose(np.asarray(z)[1], want[0], rtol=1e-4, atol=1e-5)
    z, _ = gan.interpolation_inputs(3, 9, 5, method="linear")
    np.testing.assert_allclose(np.asarray(z)[2], (0.5 * a + 0.5 * b)[0], rtol=1e-5, atol=1e-6)


def test_a_conditional_walk_blends_two_classes(models):
    gan = keras.models.load_model(models / "cgan.keras")
    walk = gan.interpolate(3, 9, steps=4, labels=(0, 2))
    np.testing.assert_allclose(walk[0], gan.generate(1, 3, labels=0)[0], atol=1e-5)
    np.testing.assert_allclose(walk[-1], gan.generate(1, 9, labels=2)[0], atol=1e-5)
    _, weights = gan.interpolation_inputs(3, 9, 4, labels=(0, 2))
    np.testing.assert_allclose(weights, [[1, 0, 0], [2 / 3, 0, 1 / 3], [1 / 3, 0, 2 / 3],
                                         [0, 0, 1]], atol=1e-6)
    one_class = gan.interpolate(3, 9, steps=4, labels=1)
    np.testing.assert_allclose(one_class, gan.interpolate(3, 9, steps=4, labels=(1, 1)))
    # the generator takes class weights: a one-hot row is its class id, exactly
    z = gan.latents(3, 0)
    np.testing.assert_array_equal(gan.generator([z, tf.one_hot([0, 1, 2], 3)]),
                                  gan.generator([z, tf.constant([0, 1, 2])]))


@pytest.mark.parametrize("call, message", [
    (lambda g, c: g.generate(2, truncation=0), r"truncation must be a number in \(0, 1\]"),
    (lambda g, c: g.generate(2, truncation=1.5), r"truncation must be a number in \(0, 1\]"),
    (lambda g, c: g.interpolate(0, 1, steps=1), r"steps must be an integer >= 2"),
    (lambda g, c: g.interpolate(0, 1, method="cubic"), "Unknown interpolation 'cubic'"),
    (lambda g, c: g.interpolate(0, 1, labels=1), "labels were given but this GAN is "
                                                 "unconditional"),
    (lambda g, c: c.interpolate(0, 1), r"This GAN is conditional: pass labels="),
    (lambda g, c: c.interpolate(0, 1, labels=(0, 1, 2)), "one class, or two"),
    (lambda g, c: c.interpolate(0, 1, labels=(0, 3)), r"labels must be ints in \[0, 3\)"),
])
def test_bad_walks_and_truncations_are_refused(models, call, message):
    gan, cgan = (keras.models.load_model(models / name) for name in ("gan.keras", "cgan.keras"))
    with pytest.raises(ValueError, match=message):
        call(gan, cgan)


def test_cli_interpolate_writes_a_strip_a_loop_and_an_array(models, tmp_path):
    from PIL import Image

    gan = keras.models.load_model(models / "cgan.keras")
    want = gan.interpolate(4, 5, steps=6, labels=(0, 2), truncation=0.9)
    for name in ("strip.png", "walk.gif", "walk.npy"):
        assert cli.main(["interpolate", str(models / "cgan.keras"), "--seeds", "4", "5",
                         "--labels", "0", "2", "--steps", "6", "--truncation", "0.9",
                         "--out", str(tmp_path / name)]) == 0
    np.testing.assert_array_equal(np.load(tmp_path / "walk.npy"), images.to_uint8(want))
    strip = np.asarray(Image.open(tmp_path / "strip.png"))
    assert strip.shape[:2] == (8, 6 * 9 - 1)  # one row, 1-pixel gaps
    gif = Image.open(tmp_path / "walk.gif")
    assert gif.n_frames == 10  # there (6) and back (4): a seamless loop
    gif.seek(3)
    assert gif.size == (256, 256)  # 8 px images, each pixel a 32x32 block
    np.testing.assert_array_equal(np.asarray(gif.convert("L"))[::32, ::32],
                                  images.to_uint8(want)[3, ..., 0])
    assert cli.main(["sample", str(models / "gan.keras"), "--num", "4", "--truncation", "0.5",
                     "--out", str(tmp_path / "t.npy")]) == 0
    np.testing.assert_array_equal(
        np.load(tmp_path / "t.npy"),
        images.to_uint8(keras.models.load_model(models / "gan.keras").generate(
            4, 0, truncation=0.5)))


@pytest.mark.parametrize("args, message", [
    (["gan.keras", "--steps", "1"], r"argument --steps: must be an integer >= 2"),
    (["gan.keras", "--steps", "100000"], r"--steps 100000 is over 1024, the most images of a "
                                         r"walk"),
    (["gan.keras", "--seeds", "0", str(-2**63 - 1)], r"argument --seeds: must be an integer"),
    (["gan.keras", "--truncation", "0"], r"argument --truncation: must be a number in \(0, 1\]"),
    (["gan.keras", "--truncation", "1.2"], r"argument --truncation: must be a number"),
    (["gan.keras", "--labels", "1"], "labels were given but this GAN is unconditional"),
    (["cgan.keras"], r"This GAN is conditional: give one class for the walk or two"),
    (["cgan.keras", "--labels", "0", "1", "2"], "one class, or two"),
    (["gan.keras", "--out", "walk.jpg"], r"use strip\.png, walk\.gif or walk\.npy"),
])
def test_cli_interpolate_errors_are_one_clear_line(models, tmp_path, capsys, args, message):
    out = tmp_path / "strip.png"
    argv = ["interpolate", str(models / args[0]), *args[1:]]
    if "--out" not in argv:
        argv += ["--out", str(out)]
    assert_one_line_error(capsys, argv, message, out)


def test_every_int64_seed_draws_its_own_latents(models):
    """Seeds were taken modulo 2^31 - 2, so 0 and 2147483646 drew the same
    images; a seed in [0, 2^31) still draws what the int32 key [seed, 0] drew."""
    gan = keras.models.load_model(models / "gan.keras")
    latents = {seed: np.asarray(gan.latents(2, seed)) for seed in
               (0, 5, 2**31 - 2, -5, 2**31 + 5, 2**63 - 1, -2**63)}
    for a in latents:
        for b in latents:
            assert a == b or not np.allclose(latents[a], latents[b]), (a, b)
    old = tf.random.stateless_normal([2, gan.latent_dim], seed=tf.constant([5, 0], tf.int32))
    np.testing.assert_array_equal(latents[5], old.numpy())
    with pytest.raises(ValueError, match=r"seed must be an integer in \[-2\^63"):
        gan.generate(1, seed=2**63)


def test_an_output_under_a_file_is_one_line(models, tmp_path, capsys):
    (tmp_path / "notes").write_text("mine")
    out = tmp_path / "notes" / "grid.png"
    assert_one_line_error(capsys, ["sample", str(models / "gan.keras"), "--out", str(out)],
                          r"Cannot write .*grid\.png: .*notes is a file, not a folder", out)
    assert (tmp_path / "notes").read_text() == "mine"
