"""R3GAN presets. Each is reproduced by `tfgan-zoo reproduce NAME`:
its `recipe` trains it (`tfgan_zoo.train(DATA, OUT, **recipe["train"])`)
and `tfgan_zoo.publishing.publish` writes its folder."""
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
    "r3gan_emoji32": {
        "description": "Class-conditional R3GAN at a quarter of the paper's width, ADA, "
                       "emoji 32x32x3 sampled by Unicode group (KID 1.18 by "
                       "classifier_emoji32; blurred 1.56): the family's emoji reference, "
                       "far worse than cdcgan_emoji32 (KID 0.46)",
        "path": os.path.join(HERE, "r3gan_emoji32"),
        "recipe": {
            "data": "tfds:emoji/32", "data_license": licenses.EMOJI,
            "extractor": "classifier_emoji32",
            "train": {"family": "r3gan", "loss": "rpgan", "width": 32, "batch_size": 64,
                      "ema_decay": 0.999, "conditional": True, "augment": "ada",
                      "epochs": 100},
            "limits": licenses.EMOJI_LIMITS.format(looks=(
                "Trained 100 epochs (5,100 steps, 66 min on 2 CPU cores) at a quarter of "
                "the paper's width, as far as a session affords an R3GAN step here (about "
                "0.8 s). It is **far worse than cdcgan_emoji32**: KID 1.18 against 0.46, "
                "FID 75.9 against 25.1 (the blurred held-out emoji: KID 1.56, FID 64.1), "
                "recall 0.0006 against 0.36. Seen in its grid (columns: the 9 groups in "
                "emoji-test.txt order): no recognizable emoji; smileys are yellow-green "
                "rounded squares without eyes or mouths, people a pale disc with a dark "
                "curved stroke, flags one blue-rimmed dark oval, the other groups orange "
                "and yellow blobs, gray rings, small orange dots and a few blank white "
                "tiles; within a column the rows are nearly the same image (the low "
                "recall). No checkerboard; the latent walks change smoothly, one fading "
                "to white. ADA's p rose to 0.38 by the end. Use it to start R3GAN "
                "fine-tuning on colour images, not as an emoji generator; the paper's "
                "width trained many times longer on a GPU is what should beat DCGAN.")),
        },
    },
}
