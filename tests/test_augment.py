"""DiffAugment and ADA (tfgan_zoo.augment): the ops against numpy versions of
the papers' reference code, gradients, ADA's transforms one at a time and its
adaptation of p, and the layers inside a GAN."""
import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from conftest import build
from tfgan_zoo import augment


def images(shape=(4, 9, 7, 3), seed=0):
    # Odd, unequal sides: an axis mix-up or an off-by-one in the centring shows.
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype(np.float32)


# -------------------------------------------------- DiffAugment, in numpy
# Written from github.com/mit-han-lab/data-efficient-gans DiffAugment_tf.py:
# the same padding, gathers, clipping and scatter, with its random draws
# replaced by the integers and magnitudes they produce.
def ref_translation(x, tx, ty):
    b, h, w, _ = x.shape
    padded = np.pad(x, [(0, 0), (1, 1), (0, 0), (0, 0)])
    rows = np.clip(np.arange(h)[None] + tx[:, None] + 1, 0, h + 1)
    x = np.stack([padded[i, rows[i]] for i in range(b)])
    padded = np.pad(x, [(0, 0), (0, 0), (1, 1), (0, 0)])
    cols = np.clip(np.arange(w)[None] + ty[:, None] + 1, 0, w + 1)
    return np.stack([padded[i][:, cols[i]] for i in range(b)])


def ref_cutout(x, ox, oy, ratio=0.5):
    b, h, w, _ = x.shape
    ch, cw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    count = np.zeros((b, h, w))
    for i in range(b):
        rows = np.clip(np.arange(ch) + ox[i] - ch // 2, 0, h - 1)
        cols = np.clip(np.arange(cw) + oy[i] - cw // 2, 0, w - 1)
        np.add.at(count[i], (rows[:, None], cols[None, :]), 1.0)
    return x * np.maximum(1 - count, 0)[..., None]


def test_color_ops_equal_the_reference_formulas():
    x = images()
    u = np.array([0.0, 0.3, 0.75, 0.999], np.float32)[:, None, None, None]
    np.testing.assert_allclose(augment.brightness(x, u), x + (u - 0.5), atol=1e-6)
    mean = x.mean(axis=3, keepdims=True)
    np.testing.assert_allclose(augment.saturation(x, u), (x - mean) * (u * 2) + mean,
                               atol=1e-6)
    mean = x.mean(axis=(1, 2, 3), keepdims=True)
    np.testing.assert_allclose(augment.contrast(x, u), (x - mean) * (u + 0.5) + mean,
                               atol=1e-6)


def test_translation_equals_the_reference_at_every_shift():
    x = images()
    s_h, s_w = int(9 * 0.125 + 0.5), int(7 * 0.125 + 0.5)  # 1 and 1
    for u0 in np.linspace(0, 0.999, 7):
        u = np.array([[u0, 0.999 - u0], [0.0, 0.999], [0.999, 0.0], [0.5, 0.5]], np.float32)
        tx = np.floor(u[:, 0] * (2 * s_h + 1)).astype(int) - s_h
        ty = np.floor(u[:, 1] * (2 * s_w + 1)).astype(int) - s_w
        np.testing.assert_array_equal(augment.translation(x, u), ref_translation(x, tx, ty))
    # 28x28: shifts of up to 4 pixels, both ends reached
    x = images((2, 28, 28, 1))
    u = np.array([[0.0, 0.999], [0.999, 0.0]], np.float32)
    np.testing.assert_array_equal(augment.translation(x, u),
                                  ref_translation(x, np.array([-4, 4]), np.array([4, -4])))


@pytest.mark.parametrize("shape", [(4, 9, 7, 3), (3, 28, 28, 1), (2, 13, 10, 1)])
def test_cutout_equals_the_reference_at_every_offset(shape):
    x = images(shape)
    b, h, w, _ = shape
    ch, cw = int(h * 0.5 + 0.5), int(w * 0.5 + 0.5)
    for u0 in np.linspace(0, 0.999, 9):
        u = np.tile(np.array([[u0, 0.999 - u0]], np.float32), (b, 1))
        u[0] = [0.0, 0.0]
        ox = np.floor(u[:, 0] * (h + 1 - ch % 2)).astype(int)  # [0, h + (1 - ch % 2))
        oy = np.floor(u[:, 1] * (w + 1 - cw % 2)).astype(int)
        np.testing.assert_array_equal(augment.cutout(x, u), ref_cutout(x, ox, oy))


def test_diffaugment_layer_chains_the_policy_in_order():
    x = images()
    draws = iter([np.full((4,) + tail, value, np.float32) for tail, value in
                  [((1, 1, 1), 0.2), ((1, 1, 1), 0.7), ((1, 1, 1), 0.4), ((2,), 0.9),
                   ((2,), 0.1)]])

    def draw(tail, fn):
        value = next(draws)
        assert value.shape[1:] == tuple(tail)
        return value

    out = augment.DiffAugment().augment(x, draw)
    want = ref_translation(augment.contrast(augment.saturation(augment.brightness(
        x, 0.2), 0.7), 0.4).numpy(), np.array([1] * 4), np.array([1] * 4))
    want = ref_cutout(want, np.zeros(4, int), np.zeros(4, int))
    np.testing.assert_allclose(out, want, atol=1e-6)


def test_gradients_flow_through_every_op_to_the_generator():
    gan = build("dcgan", (8, 8, 1), latent_dim=4, width=4)
    gan.compile(augment="color,translation,cutout")
    with tf.GradientTape() as tape:
        loss = gan._mean(gan._g_objective(None, None, tf.constant(8)))  # no reals: not rpgan
    grads = tape.gradient(loss, gan.generator.trainable_variables)
    assert all(g is not None and np.isfinite(g).all() for g in grads)
    assert sum(float(tf.reduce_sum(tf.abs(g))) for g in grads) > 0
    for word in augment.DIFFAUGMENT_OPS:  # each op alone passes gradients to its input
        x = tf.Variable(images())
        layer = augment.DiffAugment(word, seed=1)
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(layer(x, training=True) * images(seed=1))
        assert np.abs(tape.gradient(y, x)).sum() > 0, word


def test_unknown_policies_and_specs_are_refused_with_the_valid_ones():
    for spec in ("colour", "color,flip", "adaptive", ""):
        with pytest.raises(ValueError, match="color, translation, cutout"):
            augment.get(spec) if spec else augment.DiffAugment(spec)
    with pytest.raises(ValueError, match="none, diffaugment, ada"):
        augment.get(3)
    gan = build("dcgan", (8, 8, 1), latent_dim=4, width=4)
    with pytest.raises(ValueError, match="Unknown augment 'adda'"):
        gan.compile(augment="adda")
    assert augment.get("none") is None and augment.get(None) is None
    assert augment.get("translation, cutout").policy == "translation,cutout"
    assert augment.get("ada").speed_kimg == 500 and augment.get("ada", True).speed_kimg == 100


# ------------------------------------------------------------------- ADA
# The order of ADA's draws: (name, kind) per call; "?" ones are decisions.
ADA_DRAWS = ["xflip", "xflip?", "rotate90", "rotate90?", "xint", "xint?", "scale", "scale?",
             "rotate", "rotate?", "aniso", "aniso?", "rotate_post", "rotate_post?", "xfrac",
             "xfrac?", "brightness", "brightness?", "contrast", "contrast?", "lumaflip",
             "lumaflip?", "hue", "hue?", "saturation", "saturation?"]


def ada_with(values, x, p=0.5):
    """ADA's output with draws set by name (decisions default to 'not applied')."""
    layer = augment.AdaptiveAugment(initial_p=p)
    names = iter(ADA_DRAWS if x.shape[-1] == 3 else ADA_DRAWS[:-4])

    def draw(tail, fn):
        name = next(names)
        default = 0.999 if name.endswith("?") else 0.0
        return np.full((len(x),) + tuple(tail), values.get(name, default), np.float32)

    out = layer.augment(x, draw).numpy()
    assert next(names, None) is None, "ADA drew fewer values than expected"
    return out


def test_ada_at_p_0_and_with_no_transform_chosen_is_the_identity():
    for shape in ((3, 9, 7, 3), (3, 28, 28, 1)):
        x = images(shape)
        layer = augment.AdaptiveAugment(seed=1)
        np.testing.assert_array_equal(layer(x, training=True), x)
        np.testing.assert_allclose(ada_with({}, x), x, atol=1e-6)


def test_ada_transforms_one_at_a_time():
    x = images((2, 9, 9, 1))
    on = 0.0  # a decision draw below p: applied
    np.testing.assert_allclose(ada_with({"xflip": 0.7, "xflip?": on}, x), x[:, :, ::-1],
                               atol=1e-5)
    np.testing.assert_allclose(ada_with({"xflip": 0.2, "xflip?": on}, x), x, atol=1e-6)
    # i = floor(4u) quarter turns: out(x, y) = in(-y, x) for i = 1, as np.rot90 turns.
    np.testing.assert_allclose(ada_with({"rotate90": 0.3, "rotate90?": on}, x),
                               np.rot90(x, k=1, axes=(1, 2)), atol=1e-5)
    np.testing.assert_allclose(ada_with({"rotate90": 0.6, "rotate90?": on}, x),
                               x[:, ::-1, ::-1], atol=1e-5)
    # integer translation: u = 1 -> +0.125 of the side -> round(1.125) = 1 pixel right,
    # the column coming in mirrors the edge (fill "reflect" repeats the edge pixel)
    out = ada_with({"xint": 1.0, "xint?": on}, x)
    np.testing.assert_allclose(out[:, 1:, 1:], x[:, :-1, :-1], atol=1e-5)
    np.testing.assert_allclose(out[:, 1:, 0], x[:, :-1, 0], atol=1e-5)
    # colour: brightness b = 0.2 n, contrast 2^(0.5 n), luma flip negates a gray image
    np.testing.assert_allclose(ada_with({"brightness": 1.0, "brightness?": on}, x), x + 0.2,
                               atol=1e-5)
    np.testing.assert_allclose(ada_with({"contrast": 1.0, "contrast?": on}, x),
                               x * 2 ** 0.5, atol=1e-5)
    np.testing.assert_allclose(ada_with({"lumaflip": 0.7, "lumaflip?": on}, x), -x, atol=1e-5)


def test_ada_scaling_and_rotation_resample_around_the_centre():
    x = np.zeros((1, 9, 9, 1), np.float32)
    x[0, 4, 4] = 1.0  # the centre pixel stays under any rotation and scaling
    for values in ({"scale": 1.0, "scale?": 0.0}, {"rotate": 0.8, "rotate?": 0.0},
                   {"aniso": -1.0, "aniso?": 0.0}):
        out = ada_with(values, x)
        assert out[0, 4, 4, 0] == pytest.approx(1.0, abs=1e-5), values
    # zooming in by 2 (scale = 2^(0.2 * 5)) spreads the dot over its neighbours
    out = ada_with({"scale": 5.0, "scale?": 0.0}, x)
    assert out[0, 4, 5, 0] == pytest.approx(0.5, abs=1e-5)


def test_ada_hue_and_saturation_keep_gray_and_luma():
    x = images((3, 5, 5, 3))
    x[0] = x[0, ..., :1]  # a gray image
    for values in ({"hue": 0.8, "hue?": 0.0}, {"saturation": 1.0, "saturation?": 0.0}):
        out = ada_with(values, x)
        np.testing.assert_allclose(out[0], x[0], atol=1e-5)  # gray stays gray
        np.testing.assert_allclose(out.mean(-1), x.mean(-1), atol=1e-5)  # luma kept
        assert np.abs(out[1:] - x[1:]).max() > 0.05
    # saturation 2^1 doubles each pixel's distance from its gray
    out = ada_with({"saturation": 1.0, "saturation?": 0.0}, x)
    gray = x.mean(-1, keepdims=True)
    np.testing.assert_allclose(out - gray, 2 * (x - gray), atol=1e-5)
    # a half turn of hue maps a colour to the gray's other side: c -> 2 gray - c ... in the
    # chroma plane: its distance from gray is kept
    out = ada_with({"hue": 0.75, "hue?": 0.0}, x)  # theta = pi / 2
    np.testing.assert_allclose(np.linalg.norm(out - gray, axis=-1),
                               np.linalg.norm(x - gray, axis=-1), atol=1e-5)


def test_ada_p_rises_when_d_is_sure_of_the_reals_and_falls_when_not():
    def steps(layer, sign_sum, n):
        for _ in range(n):
            for variable, value in layer.feedback(sign_sum, 64):
                variable.assign(value)
        return float(layer.p.numpy())

    layer = augment.AdaptiveAugment(initial_p=0.3)
    step = 4 * 64 / 500_000  # an interval of 4 steps of 64 images, 500 kimg from 0 to 1
    assert steps(layer, 64, 3) == pytest.approx(0.3)  # adjusts only every 4 steps
    assert steps(layer, 64, 1) == pytest.approx(0.3 + step)  # r_t = 1 > 0.6: D overfits
    assert steps(layer, 0.5 * 64, 4) == pytest.approx(0.3)  # r_t = 0.5 < 0.6
    fast = augment.AdaptiveAugment(initial_p=0.3, speed_kimg=0.1)  # 2.56 per interval
    assert steps(fast, -64, 4) == 0.0 and steps(fast, 64, 4) == 1.0  # clipped to [0, 1]


def constant_d_gan(output, loss):
    """A tiny DCGAN whose D outputs `output` for every image and never learns,
    compiled with `loss` and ADA from p = 0.2 (1 kimg from 0 to 1)."""
    gan = build("dcgan", (8, 8, 1), latent_dim=4, width=4)
    out_layer = [layer for layer in gan.discriminator.layers if hasattr(layer, "kernel")][-1]
    out_layer.kernel.assign(np.zeros(out_layer.kernel.shape))
    out_layer.bias.assign([output])
    gan.compile(loss=loss, d_optimizer=keras.optimizers.SGD(0.0),
                augment=augment.AdaptiveAugment(initial_p=0.2, speed_kimg=1.0))
    return gan


def test_ada_p_in_a_gan_follows_the_signs_of_a_fixed_discriminator():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (64, 8, 8, 1)).astype(np.float32)
    for bias, expected in ((5.0, 0.2 + 4 * 16 / 1000), (-5.0, 0.2 - 4 * 16 / 1000)):
        gan = constant_d_gan(bias, "non_saturating")
        history = gan.fit(x, batch_size=16, epochs=2, verbose=0, shuffle=False).history
        assert history["augment_p"][0] == pytest.approx(expected, abs=1e-6)  # logged
        assert float(gan.augmenter.p) == pytest.approx(expected + (expected - 0.2))


@pytest.mark.parametrize("loss, output, rises", [
    ("hinge", 0.3, True),  # threshold 0, as the logistic losses
    ("least_squares", 0.3, False),  # below the labels' midpoint 0.5: taken for fake
    ("least_squares", 0.7, True),
    # A relativistic D outputting one constant for every image ranks no real
    # above a fake: each pair's logit is 0, whatever the constant.
    ("rpgan", 5.0, False), ("rpgan", -5.0, False)])
def test_ada_p_follows_each_losses_own_logit(loss, output, rises):
    x = np.random.default_rng(0).uniform(-1, 1, (16, 8, 8, 1)).astype(np.float32)
    gan = constant_d_gan(output, loss)
    gan.fit(x, batch_size=4, epochs=1, verbose=0, shuffle=False)  # one interval of 4 steps
    assert float(gan.augmenter.p) == pytest.approx(0.2 + (1 if rises else -1) * 16 / 1000)


def test_ada_is_refused_where_the_loss_has_no_threshold(tmp_path):
    gan = build("dcgan", (8, 8, 1), latent_dim=4, width=4)
    message = "augment='ada' adapts p from the sign of D's outputs on real images, which " \
              "means nothing for loss='wgan_gp'.*use augment='diffaugment'"
    with pytest.raises(ValueError, match=message):
        gan.compile(loss="wgan_gp", augment="ada")
    gan.compile(loss="wgan_gp", augment="diffaugment")  # fixed augmentation needs no logit
    from tfgan_zoo import train
    with pytest.raises(ValueError, match=message):  # before the data is read
        train(str(tmp_path / "missing.npz"), str(tmp_path / "out"), family="dcgan",
              loss="wgan_gp", augment="ada", epochs=1)
    assert not (tmp_path / "out").exists()


def test_augmenter_state_round_trips_and_compile_keeps_or_replaces_it(tmp_path):
    gan = build("dcgan", (8, 8, 1), latent_dim=4, width=4)
    gan.compile(augment="ada")
    gan.augmenter.p.assign(0.42)
    gan.compile(augment="ada")  # the same augmentation: p is kept
    assert float(gan.augmenter.p) == pytest.approx(0.42)
    gan.save(tmp_path / "a.keras")
    loaded = keras.models.load_model(tmp_path / "a.keras")
    assert float(loaded.augmenter.p) == pytest.approx(0.42)
    assert loaded.get_compile_config()["augment"]["class_name"] == "AdaptiveAugment"
    for spec, kind in (("translation", augment.DiffAugment), (None, type(None))):
        loaded.compile(augment=spec)  # replaced, and the old state is not saved
        loaded.save(tmp_path / "b.keras")
        assert isinstance(keras.models.load_model(tmp_path / "b.keras").augmenter, kind)
    assert math.isclose(float(loaded.generate(1)[0].mean()), float(gan.generate(1)[0].mean()),
                        abs_tol=1e-6)  # the generator is untouched
