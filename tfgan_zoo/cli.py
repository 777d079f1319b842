"""`tfgan-zoo` command line: parses arguments and calls the API, nothing else."""
import argparse
import json
import os
import sys


def _parser():
    parser = argparse.ArgumentParser(prog="tfgan-zoo", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train a GAN or translator from scratch")
    train.add_argument("--family", default="dcgan", help="dcgan, pix2pix or cyclegan")
    train.add_argument("--loss",
                       help="non_saturating (default), minimax, least_squares, wgan_gp or "
                            "hinge; pix2pix: non_saturating or least_squares; CycleGAN "
                            "always least_squares")
    train.add_argument("--data", required=True,
                       help="an .npz with x_train (and y_train), or tfds:NAME; pix2pix "
                            "and CycleGAN: an .npz with a_train and b_train, a folder with "
                            "trainA/ and trainB/, or tfds:NAME")
    train.add_argument("--epochs", type=int, default=1)
    train.add_argument("--batch-size", type=int, default=64)
    train.add_argument("--out", required=True, help="output folder")
    train.add_argument("--conditional", action="store_true",
                       help="class-conditional GAN on the data's labels")
    train.add_argument("--latent-dim", type=int, help="size of z (default 100)")
    train.add_argument("--width", type=int, help="network width (default 64)")
    train.add_argument("--d-steps", type=int, help="D updates per G update")
    train.add_argument("--learning-rate", type=float)
    train.add_argument("--beta-1", type=float, help="Adam's beta_1 (default: the loss's)")
    train.add_argument("--ema-decay", type=float)
    train.add_argument("--simultaneous", action="store_true",
                       help="update G and D from one generator pass (the TF tutorial's "
                            "loop) instead of alternating; needs one D step")
    train.add_argument("--architecture",
                       help="dcgan (default), or tutorial: the TF DCGAN tutorial's networks")
    train.add_argument("--dtype-policy",
                       help="mixed_bfloat16 (or mixed_float16) for mixed precision; "
                            "default float32")
    train.add_argument("--spectral-norm", action="store_true", default=None)
    train.add_argument("--limit", type=int, help="use only the first N images")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--strategy", default="default",
                       help="default, mirrored, multi_worker (TF_CONFIG) or tpu")
    train.add_argument("--resume", action=argparse.BooleanOptionalAction, default=True,
                       help="continue after the last checkpoint in --out if there is "
                            "one (default); --no-resume starts over")

    finetune = commands.add_parser("finetune", help="continue training a preset on new data")
    finetune.add_argument("preset", help="a preset name, folder or URL")
    finetune.add_argument("--data", required=True)
    finetune.add_argument("--epochs", type=int, default=1)
    finetune.add_argument("--batch-size", type=int, default=64)
    finetune.add_argument("--out", required=True)
    finetune.add_argument("--learning-rate", type=float)
    finetune.add_argument("--freeze-d", type=int, default=0,
                          help="freeze the first N weight layers of D (FreezeD)")
    finetune.add_argument("--ema-decay", type=float, help="default: the preset's")
    finetune.add_argument("--limit", type=int)
    finetune.add_argument("--seed", type=int, default=0)
    finetune.add_argument("--strategy", default="default")
    finetune.add_argument("--resume", action=argparse.BooleanOptionalAction, default=True)

    commands.add_parser("list", help="list the zoo's presets")

    sample = commands.add_parser("sample", help="write samples of a trained GAN")
    sample.add_argument("model", help="a .keras file written by train, or a preset")
    sample.add_argument("--num", type=int, default=64)
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("--labels", type=int, nargs="+",
                        help="class labels (conditional GANs; default: cycle classes)")
    sample.add_argument("--out", required=True, help="grid.png or samples.npy")
    translate = commands.add_parser("translate",
                                    help="translate images by a Pix2Pix or CycleGAN")
    translate.add_argument("model", help="a preset, or a .keras file written by train")
    translate.add_argument("--input", required=True, nargs="+",
                           help="image file(s) of the model's input size and channels")
    translate.add_argument("--out", required=True,
                           help="out.png (several inputs: inputs over translations)")
    translate.add_argument("--reverse", action="store_true",
                           help="CycleGAN: translate B -> A instead of A -> B")
    export = commands.add_parser(
        "export", help="a TF Serving SavedModel and/or a LiteRT .tflite of the generator")
    export.add_argument("model", help="a preset, or a .keras file written by train")
    export.add_argument("--serving", metavar="BASE_DIR",
                        help="writes BASE_DIR/NAME/VERSION/ for tensorflow_model_server")
    export.add_argument("--name", help="model name (default: the preset's or file's)")
    export.add_argument("--version", type=int, help="default: the next free version")
    export.add_argument("--tflite", metavar="FILE", help="writes a .tflite file")
    export.add_argument("--quantize", default="none",
                        help="TFLite weights: none, float16, dynamic or int8")
    export.add_argument("--reverse", action="store_true",
                        help="CycleGAN: export the B -> A generator")
    export.add_argument("--calibration-data",
                        help="int8 translators: an .npy of input images, or an .npz with "
                             "a_train (b_train with --reverse)")
    evaluate = commands.add_parser("evaluate", help="FID, KID, IS, precision/recall")
    evaluate.add_argument("model", help="a .keras GAN, or samples as .npy [N, H, W, C]")
    evaluate.add_argument("--data", required=True,
                          help="fashion_mnist, mnist (from $TFGAN_ZOO_DATA or TFDS) or an .npz")
    evaluate.add_argument("--num", type=int, default=10_000, help="generated images")
    evaluate.add_argument("--num-real", type=int, help="real images (default: --num)")
    evaluate.add_argument("--extractor", help="default: the zoo classifier for --data")
    evaluate.add_argument("--extractor-weights",
                          help="inception_v3 only: the Keras ImageNet weights .h5")
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.add_argument("--json", action="store_true", help="print JSON only")
    return parser


def main(argv=None):
    args = _parser().parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tfgan_zoo  # after parsing, so --help is instant

    try:
        if args.command == "train":
            tfgan_zoo.train(
                args.data, args.out, family=args.family, loss=args.loss,
                epochs=args.epochs, batch_size=args.batch_size,
                conditional=args.conditional, d_steps=args.d_steps,
                learning_rate=args.learning_rate, beta_1=args.beta_1,
                ema_decay=args.ema_decay, simultaneous=args.simultaneous,
                seed=args.seed, limit=args.limit, strategy=args.strategy,
                resume=args.resume, latent_dim=args.latent_dim,
                width=args.width, spectral_norm=args.spectral_norm,
                architecture=args.architecture, dtype_policy=args.dtype_policy)
            print(f"Wrote {os.path.join(args.out, 'model.keras')} and sample grids "
                  f"in {os.path.join(args.out, 'samples')}")
        elif args.command == "finetune":
            tfgan_zoo.finetune(
                args.preset, args.data, args.out, epochs=args.epochs,
                batch_size=args.batch_size, learning_rate=args.learning_rate,
                freeze_d=args.freeze_d, ema_decay=args.ema_decay, seed=args.seed,
                limit=args.limit,
                strategy=args.strategy, resume=args.resume)
            print(f"Wrote {os.path.join(args.out, 'model.keras')}")
        elif args.command == "list":
            for name, entry in sorted(tfgan_zoo.presets.registry().items()):
                print(f"{name:<28} {entry['params']:>10,}  {entry['description']}")
        elif args.command == "sample":
            tfgan_zoo.sample(args.model, args.out, num=args.num, seed=args.seed,
                             labels=args.labels)
            print(f"Wrote {args.out}")
        elif args.command == "translate":
            tfgan_zoo.sampling.translate(args.model, args.input, args.out,
                                         reverse=args.reverse)
            print(f"Wrote {args.out}")
        elif args.command == "export":
            if not (args.serving or args.tflite):
                raise ValueError("Nothing to export: give --serving BASE_DIR and/or "
                                 "--tflite FILE.")
            from tfgan_zoo import export
            model = export.as_model(args.model)
            name = args.name or export.default_name(args.model, model)
            if args.serving:
                path = export.export_serving(model, args.serving, name=name,
                                             version=args.version, reverse=args.reverse)
                print(f"Wrote {path} (signatures: "
                      f"{', '.join(export.signature_names(model))})")
            if args.tflite:
                calibration = None
                if args.calibration_data:
                    import numpy as np
                    calibration = np.load(args.calibration_data)
                    if isinstance(calibration, np.lib.npyio.NpzFile):
                        calibration = calibration["b_train" if args.reverse else "a_train"]
                export.export_tflite(model, args.tflite, quantize=args.quantize,
                                     calibration_images=calibration, reverse=args.reverse)
                print(f"Wrote {args.tflite} (quantize={args.quantize})")
        elif args.command == "evaluate":
            result = tfgan_zoo.metrics.evaluate(
                args.model, args.data, num=args.num, num_real=args.num_real,
                extractor=args.extractor,
                extractor_weights=args.extractor_weights, seed=args.seed,
                verbose=0 if args.json else 1)
            print(json.dumps(result, indent=1) if args.json
                  else tfgan_zoo.metrics.format_report(result))
    except (ValueError, OSError, FloatingPointError) as error:
        print(f"tfgan-zoo {args.command}: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
