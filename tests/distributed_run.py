"""Runs a tiny GAN for the distribution tests, in its own process (logical
devices and TF_CONFIG must be set before TensorFlow starts).

  python distributed_run.py mirrored OUT.npz   one device vs MirroredStrategy on 2 logical CPUs
  python distributed_run.py worker OUT.npz     one MultiWorkerMirrored worker (TF_CONFIG set)
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

CONFIGS = {  # name -> GAN.compile arguments (plus "conditional")
    "non_saturating": {"loss": "non_saturating"},
    # the gradient penalty's per-example draws, D steps and the EMA in one config
    "wgan_gp_d_steps_2_ema": {"loss": "wgan_gp", "d_steps": 2, "ema_decay": 0.9},
    # (Every loss is per example over the global batch, one path: non_saturating stands
    # for the others. Every augmentation draws through GAN._draw: ADA stands for DiffAugment.)
    # R3GAN: relativistic pairing with R1 and R2 (double backprop per replica), and labels
    "r3gan_rpgan_r1_r2": {"gan_family": "r3gan", "loss": "rpgan", "r1_weight": 0.5,
                          "r2_weight": 0.5, "conditional": True},
    # Projected (a frozen feature network, synchronized batch norm, DiffAugment) and
    # FastGAN (D's reconstruction loss through add_loss, here with ADA: augmentation
    # draws for the global batch, p from all replicas' D outputs; p moves by 0.1 a step,
    # 0.5 to 0.1, so the augmentations change every step), class-conditional,
    # at the smallest sides they take; "options" are the family's build_model arguments
    "projected": {"gan_family": "projected", "side": 32, "conditional": True,
                  "loss": "hinge", "augment": "diffaugment",
                  "options": {"latent_dim": 4, "width": 4, "head_width": 2}},
    "fastgan_ada": {
        "gan_family": "fastgan", "side": 16, "conditional": True, "loss": "hinge",
        "augment": {"class_name": "tfgan_zoo>AdaptiveAugment", "config": {
            "initial_p": 0.5, "speed_kimg": 0.16, "interval": 1}},
        "options": {"latent_dim": 4, "width": 4, "d_width": 4}},
    # image-to-image: family options; the CycleGAN pool fills and swaps (4 steps of 16)
    "pix2pix": {"family": "pix2pix", "width": 4, "dropout": 0.0},  # masks are per replica
    "cyclegan_pool_6": {"family": "cyclegan", "width": 4, "num_blocks": 1, "pool_size": 6},
}
GLOBAL_BATCH = 16
# The projected D backpropagates through a frozen 16-block EfficientNet, whose float32
# sums run in another order at a replica's batch of 8; Adam magnifies that noise in
# near-zero gradients: one device and two replicas differ by up to 2.6e-4 (median 1.1e-6)
# after 4 steps, measured 2026-12-06. Batch norm left unsynchronized differs by 0.57.
ATOL = {"projected": 1e-3}


def run(strategy, config):
    import keras
    import tfgan_zoo

    config = dict(config)
    if "family" in config:
        return run_translator(strategy, config)
    conditional = config.pop("conditional", False)
    family = config.pop("gan_family", "dcgan")
    side = config.pop("side", 8)
    options = config.pop("options", None) or (
        {"latent_dim": 4, "width": 8, "group_size": 8} if family == "r3gan"
        else {"latent_dim": 4, "width": 4})
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (64, side, side, 1)).astype(np.uint8)
    y = rng.integers(0, 3, 64)
    dataset, _ = tfgan_zoo.load_images((x, y) if conditional else x, GLOBAL_BATCH,
                                     labels=conditional, shuffle=False)
    keras.utils.set_random_seed(1)
    with strategy.scope():
        info = tfgan_zoo.data.describe((side, side, 1), 64, GLOBAL_BATCH,
                                       num_classes=3 if conditional else None)
        gan = tfgan_zoo.families.get(family).build_model(info, seed=3, **options)
        gan.compile(**config)
    history = gan.fit(dataset, epochs=1, verbose=0, shuffle=False).history
    return ([w.numpy() for w in gan.weights],
            np.array([history[k][-1] for k in sorted(history)]))


def run_translator(strategy, config):
    import tempfile

    import keras
    import tfgan_zoo
    from tfgan_zoo import families

    module = families.get(config.pop("family"))
    rng = np.random.default_rng(0)
    a = rng.integers(0, 256, (64, 8, 8, 1)).astype(np.uint8)
    path = os.path.join(tempfile.mkdtemp(), "pairs.npz")
    np.savez(path, a_train=a, b_train=255 - a)
    load = tfgan_zoo.data.LOADERS[module.TASK]
    dataset, info = load(path, GLOBAL_BATCH, shuffle=False)
    keras.utils.set_random_seed(1)
    with strategy.scope():
        model = module.build_model(info, seed=3, **config)
        model.compile()
    history = model.fit(dataset, epochs=1, verbose=0, shuffle=False).history
    return ([w.numpy() for w in model.weights],
            np.array([history[k][-1] for k in sorted(history)]))


def save(path, results):
    np.savez(path, **{f"{name}/{kind}/{i}": a for name, (weights, logs) in results.items()
                      for kind, arrays in (("w", weights), ("log", [logs]))
                      for i, a in enumerate(arrays)})


def main(mode, out):
    if mode == "mirrored":
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        from tfgan_zoo import distribute
        mirrored = distribute.get_strategy("mirrored", devices=["/cpu:0", "/cpu:1"])
        assert mirrored.num_replicas_in_sync == 2
        results = {}
        for name, config in CONFIGS.items():
            results[f"{name}/one"] = run(tf.distribute.get_strategy(), config)
            results[f"{name}/two"] = run(mirrored, config)
        save(out, results)
    elif mode == "worker":
        from tfgan_zoo import distribute
        strategy = distribute.get_strategy("multi_worker")
        assert strategy.num_replicas_in_sync == 2
        save(out, {name: run(strategy, c) for name, c in CONFIGS.items()
                   if name in ("non_saturating", "wgan_gp_d_steps_2_ema")})


if __name__ == "__main__":
    main(*sys.argv[1:])
