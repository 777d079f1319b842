"""Speed, measured: each subcommand prints a table row and appends it to
BENCHMARKS.md with the machine, versions, date and the command that made it
(--dry-run: print only). One module of tools/benchmarks/ per subcommand.

  python tools/bench.py distribute [--quick]   fit img/s: one device vs
                                               MirroredStrategy, 1 and 2 replicas
  python tools/bench.py eval [--quick]         seconds and peak RSS of `evaluate`
                                               (10k and 100k generated vs 10k real)
  python tools/bench.py presets [--quick]      each GAN preset's scores beside the
                                               real floor and the blurred yardstick
  python tools/bench.py train [--quick]        GAN.fit on the TF tutorial's DCGAN vs the
                                               tutorial's own tf.function loop, alternated;
                                               FLOPs per image-step and share of fp32 GEMM
                                               (--no-remapping: grappler's remapper off,
                                               as `tfgan-zoo train` runs)
  python tools/bench.py profile [--quick]      tf.profiler traces of a few training steps
                                               of the tutorial loop and GAN.fit (both
                                               modes), for TensorBoard's Profile tab;
                           [--models NAME...]  or ms of each part of a step per model
                                               (R3GAN vs DCGAN at equal parameters)
  python tools/bench.py quality RECIPE... [--epochs N] [--quick]
                                               FID after each epoch against training
                                               wall time, per recipe (quality.RECIPES)
  python tools/bench.py sample [PRESET...] [--quick]
                                               generators via Keras, SavedModel and
                                               LiteRT per quantization: size, batch-1
                                               latency, img/s, difference to Keras, FID
  python tools/bench.py augment [--sizes N...] [--kimg K] [--quick]
                                               small data: FID after the same images
                                               seen without augmentation, with
                                               DiffAugment and with ADA; a preset
                                               fine-tuned on 500 MNIST images with each
  python tools/bench.py truncation [PRESET...] [--quick]
                                               FID, precision and recall per truncation
                                               psi from 1 to 0.5
  python tools/bench.py finetune [--kimg K] [--quick]
                                               colour fine-tuning: dcgan_emoji64 on 300
                                               OpenMoji emoji vs its recipe from scratch
                                               for the same steps, by KID
  python tools/bench.py gallery [PRESET...] [--quick]
                                               the gallery in headless Chromium: page
                                               weight, time to first sample, page vs TF
                                               latents and Keras pixels; screenshots
  python tools/bench.py gpu [--quick] [--tests] [--out DIR]
                                               the accelerator run: fit vs the tutorial
                                               loop (float32, mixed_float16, XLA),
                                               Mirrored on one device, big models and
                                               batches, SavedModel sampling; --quick is
                                               its reduced mode, which runs on a CPU
"""
import argparse
import sys

# `benchmarks` sits beside this script, whose folder Python puts first on sys.path.
from benchmarks import (augment, common, distribute, evaluate, finetune, gallery, gpu, presets,
                        profile, quality, sample, train, truncation)

SUBCOMMANDS = {"distribute": distribute, "eval": evaluate, "presets": presets,
               "train": train, "profile": profile, "quality": quality, "sample": sample,
               "augment": augment, "truncation": truncation, "finetune": finetune,
               "gallery": gallery, "gpu": gpu}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, module in SUBCOMMANDS.items():
        subparser = commands.add_parser(name, help=module.__doc__.split("\n\n")[0])
        module.add_arguments(subparser)
        subparser.add_argument("--dry-run", action="store_true",
                               help="print the table, append nothing to BENCHMARKS.md")
    args = parser.parse_args(argv)
    section, header, rows = SUBCOMMANDS[args.command].run(args)
    common.record(section, header, rows, command="python tools/bench.py " + " ".join(argv),
                  dry_run=args.dry_run)


if __name__ == "__main__":
    main()
