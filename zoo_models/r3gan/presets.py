"""R3GAN presets. Each is reproduced by `python tools/train_preset.py NAME`:
its `recipe` trains it (`tfgan_zoo.train(DATA, OUT, **recipe["train"])`)
and `tfgan_zoo.presets.publish` writes its folder."""
import os

from zoo_models.common import licenses

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "presets")

LIMITS = (
    "Trained 12 epochs in 211 min on 2 CPU cores (16-20 min an epoch; some overlapped "
    "other work), at a quarter of the paper's width: what this CPU affords, where an "
    "R3GAN step costs 29x a DCGAN step of equal parameters (`bench.py profile`, "
    "BENCHMARKS.md). It is **worse than the DCGAN presets**: FID 27.1 against "
    "dcgan_fashion_mnist's 11.7, and recall 0.003 against 0.32 (its samples reach almost "
    "none of the training images' neighbourhoods in the classifier's features). FID was "
    "still falling by 1-4 an epoch at the end (52 after epoch 1, 27.5 after 12; "
    "`bench.py quality`, docs/r3gan_vs_dcgan.png): under-trained, not converged. Seen in "
    "its grid: recognizable sneakers, boots, trousers, T-shirts, shirts, dresses and bags "
    "with smooth, textureless fills, beside about a third of twisted, melted garments "
    "with dark holes, and blobs; no checkerboard. The latent walks change smoothly. Use "
    "it to start R3GAN fine-tuning or as the family's reference; the paper's width (128) "
    "trained on a GPU is the recipe that should beat DCGAN.")

PRESETS = {
    "r3gan_fashion_mnist": {
        "description": "R3GAN (RpGAN + R1 + R2, modernized ResNet) at a quarter of the "
                       "paper's width, Fashion-MNIST 28x28x1 (FID 27.1 by "
                       "classifier_fashion_mnist; blurred 51.7): the family's reference "
                       "weights, not yet better than the DCGAN presets",
        "params": 36_720 + 34_704,
        "path": os.path.join(HERE, "r3gan_fashion_mnist"),
        "recipe": {
            "data": "fashion_mnist.npz", "data_license": licenses.FASHION_MNIST,
            # the quality benchmark's r3gan_w32_b64 (BENCHMARKS.md): one cosine schedule
            # of lr and gamma over the 12 epochs
            "train": {"family": "r3gan", "loss": "rpgan", "width": 32, "batch_size": 64,
                      "ema_decay": 0.999, "epochs": 12, "decay_epochs": 12},
            "limits": LIMITS,
        },
    },
}
