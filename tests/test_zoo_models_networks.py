"""The pix2pix and CycleGAN networks: shapes, receptive field, sizes, saving."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from conftest import networks
from zoo_models import cyclegan, pix2pix
from zoo_models.common.patch import PatchDiscriminator
from zoo_models.common.patch import default_num_down, receptive_field
from zoo_models.pix2pix.generator import default_depth

SHAPES = [(28, 28, 1), (32, 32, 3), (64, 48, 3)]


def uniform(shape, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype("float32")


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_pix2pix_shapes(shape):
    g, d = networks("pix2pix", shape, width=4)
    assert (g.name, d.name) == ("generator", "discriminator")
    x = uniform((2,) + shape)
    y = np.asarray(g(x))
    assert y.shape == (2,) + shape
    patches = -(-shape[0] // 2 ** d.num_down), -(-shape[1] // 2 ** d.num_down)
    assert d([x, y]).shape == (2,) + patches + (1,)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
def test_cyclegan_shapes(shape):
    nets = networks("cyclegan", shape, width=4, num_blocks=1)
    assert [n.name for n in nets] == [
        "generator_ab", "generator_ba", "discriminator_a", "discriminator_b"]
    g_ab, g_ba, d_a, d_b = nets
    x = uniform((2,) + shape)
    assert g_ab(x).shape == g_ba(x).shape == (2,) + shape
    patches = -(-shape[0] // 2 ** d_a.num_down), -(-shape[1] // 2 ** d_a.num_down)
    assert d_a(x).shape == d_b(x).shape == (2,) + patches + (1,)


def test_channels_change_from_one_to_three():
    x = uniform((2, 32, 32, 1))
    g, d = networks("pix2pix", (32, 32, 3), (32, 32, 1), width=4)
    y = np.asarray(g(x))
    assert y.shape == (2, 32, 32, 3)
    assert [tuple(i.shape[1:]) for i in d.inputs] == [(32, 32, 1), (32, 32, 3)]
    assert d([x, y]).shape == (2, 16, 16, 1)

    g_ab, g_ba, d_a, d_b = networks("cyclegan", (32, 32, 3), (32, 32, 1), width=4, identity_weight=0,
                                   num_blocks=1)
    b = np.asarray(g_ab(x))
    assert b.shape == (2, 32, 32, 3) and g_ba(b).shape == (2, 32, 32, 1)
    assert d_a(x).shape == d_b(b).shape == (2, 16, 16, 1)


def test_generators_end_in_tanh():
    x = 50 * uniform((2, 32, 32, 3))  # far outside [-1, 1], to push the output to saturate
    for g in (pix2pix.UNet((32, 32, 3), width=4),
              cyclegan.ResnetGenerator((32, 32, 3), width=4, num_blocks=1)):
        assert g.get_layer("to_image").activation is keras.activations.tanh
        y = np.asarray(g(x))
        assert y.dtype == np.float32 and np.all(np.abs(y) <= 1)


def test_unet_depth():
    assert [default_depth(s) for s in [(28, 28, 1), (32, 32, 3), (256, 256, 3),
                                       (64, 48, 3)]] == [2, 5, 8, 4]
    assert pix2pix.UNet((28, 28, 1), width=4).depth == 2
    assert pix2pix.UNet((32, 32, 1), width=4).depth == 5
    with pytest.raises(ValueError, match=r"depth=3 .* valid depths: \[1, 2\]"):
        pix2pix.UNet((28, 28, 1), depth=3)
    with pytest.raises(ValueError, match="even image sides"):
        pix2pix.UNet((27, 27, 1))


def test_refusals():
    with pytest.raises(ValueError, match="Unknown norm 'layer'"):
        PatchDiscriminator(norm="layer")
    with pytest.raises(ValueError, match="divisible by 4, got 30x30"):
        cyclegan.ResnetGenerator((30, 30, 1))
    with pytest.raises(ValueError, match="one size"):
        networks("pix2pix", (32, 32, 1), (28, 28, 1))


def test_receptive_field_arithmetic():
    assert [receptive_field(n) for n in range(4)] == [7, 16, 34, 70]
    # pix2pix's 70 px on 256 px, scaled: 28 * 70 / 256 = 7.7 -> 16 px
    assert [default_num_down(s) for s in [(28, 28, 1), (32, 32, 3), (64, 64, 3),
                                          (256, 256, 3)]] == [1, 1, 2, 3]
    d = PatchDiscriminator((256, 256, 3), width=4)
    assert (d.num_down, d.receptive_field) == (3, 70)


def test_receptive_field_measured():
    """Each logit depends on exactly a receptive_field(1) = 16 px square, and a
    pixel changes exactly the logits whose patch covers it."""
    keras.utils.set_random_seed(0)
    d = PatchDiscriminator((32, 32, 1), width=4, num_down=1, conditional=False)
    x = tf.constant(uniform((1, 32, 32, 1)))
    with tf.GradientTape() as tape:
        tape.watch(x)
        logits = d(x, training=False)[0, :, :, 0]
    jacobian = tape.jacobian(logits, x)[:, :, 0, :, :, 0].numpy()  # (16, 16, 32, 32)
    covers = np.abs(jacobian) > 1e-7

    rows, cols = np.nonzero(covers[8, 8])  # the centre logit
    extent = rows.max() - rows.min() + 1, cols.max() - cols.min() + 1
    assert extent == (receptive_field(1), receptive_field(1)) and receptive_field(0) < extent[0]

    moved = x.numpy()
    moved[0, 16, 16, 0] += 1
    changed = np.abs(np.asarray(d(moved) - d(x)))[0, :, :, 0] > 1e-6
    np.testing.assert_array_equal(changed, covers[:, :, 16, 16])
    # 16 px patches at a stride of 2 px: 8 x 8 of them cover one pixel
    rows, cols = np.nonzero(changed)
    assert changed.sum() == 64 and np.ptp(rows) == np.ptp(cols) == 7


def test_parameter_counts():
    # PatchDiscriminator, width 8, 28x28x1 conditional (2 channels in), num_down 1:
    #   down0 4*4*2*8 + 8 bias            =   264
    #   features 4*4*8*16 (no bias)       = 2,048
    #   features_norm BN 4*16             =    64
    #   logits 4*4*16*1 + 1               =   257   -> 2,633
    assert PatchDiscriminator((28, 28, 1), width=8).count_params() == 2_633
    # Unconditional, instance norm (GroupNorm: gamma, beta): 4*4*1*8 + 8 = 136,
    #   2,048 + 2*16 = 2,080, 257                                          -> 2,473
    assert PatchDiscriminator((28, 28, 1), width=8, conditional=False,
                                      norm="instance").count_params() == 2_473
    # UNet, width 4, 28x28x1, depth 2:
    #   down0 4*4*1*4 + 4 = 68; down1 4*4*4*8 + BN 4*8 = 544;
    #   bottleneck 4*4*8*8 + 8 = 1,032; up0 4*4*8*4 + BN 4*4 = 528;
    #   to_image 4*4*(4+4)*1 + 1 = 129                                     -> 2,301
    assert pix2pix.UNet((28, 28, 1), width=4).count_params() == 2_301
    # ResnetGenerator, width 4, one block, 28x28x1 (IN: 2 per channel):
    #   stem 7*7*1*4 + 8 = 204; down0 3*3*4*8 + 16 = 304;
    #   down1 3*3*8*16 + 32 = 1,184; block 2 * (3*3*16*16 + 32) = 4,672;
    #   up1 3*3*16*8 + 16 = 1,168; up0 3*3*8*4 + 8 = 296;
    #   to_image 7*7*4*1 + 1 = 197                                         -> 8,025
    assert cyclegan.ResnetGenerator((28, 28, 1), width=4, num_blocks=1).count_params() == 8_025


NETWORKS = {
    "unet": lambda **kw: pix2pix.UNet((32, 32, 1), out_channels=3, width=4, **kw),
    "patch_conditional_batch": lambda **kw: PatchDiscriminator(
        (32, 32, 1), target_channels=3, width=4, **kw),
    "patch_instance": lambda **kw: PatchDiscriminator(
        (28, 28, 3), width=4, conditional=False, norm="instance", **kw),
    "resnet_generator": lambda **kw: cyclegan.ResnetGenerator(
        (28, 28, 1), out_channels=3, width=4, num_blocks=1, **kw),
}


def inputs_for(model):
    inputs = [uniform((2,) + tuple(i.shape[1:]), seed) for seed, i in enumerate(model.inputs)]
    return inputs if len(inputs) > 1 else inputs[0]


@pytest.mark.parametrize("name", list(NETWORKS))
def test_config_and_keras_file_round_trip(name, tmp_path):
    model = NETWORKS[name]()
    x = inputs_for(model)
    config = model.get_config()
    clone = type(model).from_config(config)
    assert clone.get_config() == config and clone.count_params() == model.count_params()
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone(x), model(x), atol=1e-6)

    path = tmp_path / "net.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is type(model) and loaded.get_config() == config
    np.testing.assert_allclose(loaded(x), model(x), atol=1e-6)


@pytest.mark.parametrize("name", list(NETWORKS))
def test_mixed_bfloat16_survives_save_and_load(name, tmp_path):
    model = NETWORKS[name](dtype_policy="mixed_bfloat16")
    path = tmp_path / "net.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.get_config()["dtype_policy"] == "mixed_bfloat16"
    policies = {layer.dtype_policy.name for layer in loaded.layers[1:]}
    assert "mixed_bfloat16" in policies and loaded.layers[-1].dtype_policy.name == "float32"
    y = loaded(inputs_for(loaded))
    assert y.dtype == "float32"
    np.testing.assert_allclose(y, model(inputs_for(model)), atol=1e-6)


def test_build_passes_the_policy():
    nets = (*networks("pix2pix", (28, 28, 1), width=4, dtype_policy="mixed_bfloat16"),
            *networks("cyclegan", (28, 28, 1), width=4, num_blocks=1,
                      dtype_policy="mixed_bfloat16"))
    for net in nets:
        assert net.dtype_policy_name == "mixed_bfloat16"
        assert net.get_layer("down0").compute_dtype == "bfloat16"
