"""Truncation trades variety for typicality: FID, precision and recall of a
GAN preset's samples as psi goes from 1 to 0.5."""
import tfgan_zoo

from . import common

PSIS = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5)


def add_arguments(parser):
    parser.add_argument("presets", nargs="*", default=["dcgan_fashion_mnist"],
                        help="GAN presets (default: dcgan_fashion_mnist)")
    parser.add_argument("--data", default=common.DATA,
                        help="the data they were trained on (default: Fashion-MNIST)")
    common.add_quick(parser, help="500 samples, psi 1 and 0.5")


def run(args):
    """`tfgan_zoo.metrics.evaluate(preset, data, truncation=psi)` per psi."""
    num = 500 if args.quick else 10_000
    psis = (1.0, 0.5) if args.quick else PSIS
    rows = []
    for preset in args.presets:
        gan = tfgan_zoo.load(preset)
        for psi in psis:
            scores = tfgan_zoo.metrics.evaluate(gan, args.data, num=num, truncation=psi,
                                                verbose=0)
            rows.append([preset, psi, f"{scores['fid']:.2f}", f"{1e3 * scores['kid']:.2f}",
                         f"{scores['precision']:.3f}", f"{scores['recall']:.3f}",
                         f"{scores['density']:.3f}", f"{scores['coverage']:.3f}"])
            print(rows[-1], flush=True)
    return (f"Truncation: {num} samples per psi against {num} training images (zoo "
            "classifier; latents scaled by psi, GAN.latents)",
            ["preset", "psi", "FID", "KID x1e3", "precision", "recall", "density",
             "coverage"], rows)
