"""`tfgan-zoo` command line: parses arguments and calls the API, nothing else."""
import argparse
import json
import os
import sys


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line (the full usage is a screen long), exit status 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _parser():
    parser = _Parser(prog="tfgan-zoo", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    train = commands.add_parser(
        "train", help="train a GAN or translator from scratch",
        description="Trains into --out, resuming there after a crash: run the same command "
                    "again. --out must be new, empty, or a folder of a tfgan-zoo run.")
    train.add_argument("--family", default="dcgan",
                       help="dcgan, pix2pix or cyclegan (default: dcgan)")
    train.add_argument("--loss",
                       help="non_saturating (default), minimax, least_squares, wgan_gp or "
                            "hinge; pix2pix: non_saturating or least_squares; CycleGAN "
                            "always least_squares")
    train.add_argument("--data", required=True,
                       help="an .npz with x_train (and y_train), or tfds:NAME; pix2pix "
                            "and CycleGAN: an .npz with a_train and b_train, a folder with "
                            "trainA/ and trainB/, or tfds:NAME")
    _data_options(train)
    train.add_argument("--epochs", type=int, default=1, help="epochs in all (default: 1)")
    train.add_argument("--batch-size", type=int, default=64,
                       help="global batch size (default: 64)")
    train.add_argument("--out", required=True, help="the run's folder")
    train.add_argument("--conditional", action="store_true",
                       help="class-conditional GAN on the data's labels")
    train.add_argument("--num-classes", type=int,
                       help="number of classes with --conditional (default: the data's "
                            "own, e.g. TFDS's class label or a num_classes array in the "
                            ".npz; else the labels, when they are the classes 0..K-1)")
    train.add_argument("--latent-dim", type=int, help="size of z (default: 100)")
    train.add_argument("--width", type=int, help="network width (default: 64)")
    train.add_argument("--d-steps", type=int,
                       help="D updates per G update (default: 5 for wgan_gp, else 1)")
    train.add_argument("--learning-rate", type=float,
                       help="Adam's learning rate for G and D (default: 1e-4 for wgan_gp, "
                            "else 2e-4)")
    train.add_argument("--beta-1", type=float,
                       help="Adam's beta_1 (default: 0 for wgan_gp, else 0.5)")
    train.add_argument("--ema-decay", type=float,
                       help="keep an EMA of G's weights (e.g. 0.999); samples use it "
                            "(default: no EMA)")
    train.add_argument("--simultaneous", action="store_true",
                       help="update G and D from one generator pass (the TF tutorial's "
                            "loop) instead of alternating; needs one D step")
    train.add_argument("--architecture",
                       help="dcgan (default), or tutorial: the TF DCGAN tutorial's networks")
    train.add_argument("--dtype-policy",
                       help="mixed_bfloat16 (or mixed_float16) for mixed precision "
                            "(default: float32)")
    train.add_argument("--spectral-norm", action="store_true", default=None,
                       help="spectral normalization in D (default: off)")
    train.add_argument("--seed", type=int, default=0,
                       help="seeds weights, latents and data order (default: 0)")
    train.add_argument("--strategy", default="default",
                       help="default, mirrored, multi_worker (TF_CONFIG) or tpu "
                            "(default: default, one device)")
    _divergence_option(train)
    train.add_argument("--resume", action=argparse.BooleanOptionalAction, default=True,
                       help="continue after the last checkpoint in --out if there is "
                            "one (default); --no-resume starts over (a finished run's "
                            "model.keras is never replaced)")

    finetune = commands.add_parser(
        "finetune", help="continue training a preset on new data",
        description="Fine-tunes a GAN preset on --data into --out (resumes like train).")
    finetune.add_argument("preset", help="a preset name, folder or URL")
    finetune.add_argument("--data", required=True,
                          help="an .npz with x_train (and y_train for a conditional "
                               "preset), or tfds:NAME")
    _data_options(finetune)
    finetune.add_argument("--epochs", type=int, default=1, help="(default: 1)")
    finetune.add_argument("--batch-size", type=int, default=64, help="(default: 64)")
    finetune.add_argument("--out", required=True, help="the run's folder")
    finetune.add_argument("--learning-rate", type=float,
                          help="(default: the preset's optimizer's)")
    finetune.add_argument("--freeze-d", type=int, default=0,
                          help="freeze the first N weight layers of D (FreezeD; default: 0)")
    finetune.add_argument("--ema-decay", type=float,
                          help="default: the preset's, capped so that the EMA's time "
                               "constant is at most a tenth of the run's steps")
    finetune.add_argument("--seed", type=int, default=0, help="(default: 0)")
    finetune.add_argument("--strategy", default="default",
                          help="default, mirrored, multi_worker or tpu (default: default)")
    _divergence_option(finetune)
    finetune.add_argument("--resume", action=argparse.BooleanOptionalAction, default=True,
                          help="as for train (default: resume)")

    commands.add_parser("list", help="list the zoo's presets")

    sample = commands.add_parser("sample", help="write samples of a trained GAN")
    sample.add_argument("model", help="a .keras file written by train, or a preset")
    sample.add_argument("--num", type=int, default=64, help="(default: 64)")
    sample.add_argument("--seed", type=int, default=0,
                        help="the same seed gives the same images (default: 0)")
    sample.add_argument("--labels", type=int, nargs="+",
                        help="conditional GANs: one label for all, or one per sample "
                             "(default: cycle through the classes, a column each)")
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
    export.add_argument("--warmup", action=argparse.BooleanOptionalAction, default=True,
                        help="TF Serving warm-up records (default); they need "
                             "tensorflow-serving-api. --no-warmup: TF Serving warms up on "
                             "the first requests instead")
    serve = commands.add_parser(
        "serve-request", help="ask TF Serving for images from an exported generator",
        description="Sends one request to tensorflow_model_server serving a folder written "
                    "by `export --serving`, over REST or gRPC, and writes the images.")
    serve.add_argument("model_name", help="the name it is served under (--model_name)")
    serve.add_argument("--signature", default="generate_png",
                       choices=["generate_png", "generate", "serving_default"],
                       help="(default: generate_png)")
    serve.add_argument("--seed", type=int, default=0, help="(default: 0)")
    serve.add_argument("--count", type=int, default=16,
                       help="images, at most 1024 per request (default: 16)")
    serve.add_argument("--labels", type=int, nargs="+",
                       help="conditional models: one label for all, or one per image")
    serve.add_argument("--latent-dim", type=int,
                       help="serving_default only: the model's latent size")
    where = serve.add_mutually_exclusive_group(required=True)
    where.add_argument("--rest", metavar="HOST:PORT", help="TF Serving's REST address")
    where.add_argument("--grpc", metavar="HOST:PORT", help="TF Serving's gRPC address")
    where.add_argument("--show", action="store_true",
                       help="print the REST body and the gRPC request, send nothing")
    serve.add_argument("--out", default="served.png",
                       help="grid.png or images.npy (default: served.png)")
    evaluate = commands.add_parser(
        "evaluate", help="FID, KID, IS, precision/recall",
        description="Scores generated images against training images of --data, beside "
                    "the same scores of real test images (the floor).")
    evaluate.add_argument("model", help="a .keras GAN, a preset, or samples as .npy "
                                        "[N, H, W, C] (uint8, or floats: see --pixel-range)")
    evaluate.add_argument("--data", required=True,
                          help="fashion_mnist, mnist (from $TFGAN_ZOO_DATA or TFDS) or an "
                               ".npz with x_train and x_test")
    evaluate.add_argument("--num", type=int, default=10_000,
                          help="generated images (default: 10000)")
    evaluate.add_argument("--num-real", type=int,
                          help="real images (default: --num)")
    evaluate.add_argument("--extractor", help="default: the zoo classifier for --data")
    evaluate.add_argument("--extractor-weights",
                          help="inception_v3 only: the Keras ImageNet weights .h5")
    evaluate.add_argument("--seed", type=int, default=0,
                          help="picks the latents and the real images (default: 0)")
    _data_options(evaluate, what="float samples and data", limit=False)
    evaluate.add_argument("--json", action="store_true", help="print JSON only")
    return parser


def _divergence_option(parser):
    parser.add_argument("--on-divergence", choices=("stop", "warn"), default="stop",
                        help="when D's logits explode or G collapses to one image: stop "
                             "with an error, or warn and go on (default: stop)")


def _data_options(parser, what="float images", limit=True):
    parser.add_argument("--pixel-range", choices=("0,1", "-1,1", "0,255"),
                        help=f"the range of {what} (uint8 is 0..255); floats that all "
                             "lie in [0, 1] are refused without it")
    if limit:
        parser.add_argument("--limit", type=int,
                            help="use only the first N training images (default: all)")


def _version():
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("tfgan-zoo")
    except PackageNotFoundError:
        return "(not installed)"


def _check_ranges(parser, args):
    """Usage errors for numbers out of range, in the CLI's words."""
    from tfgan_zoo import checks

    command = parser._subparsers._group_actions[0].choices[args.command]
    for dest, rule in checks.SETTINGS.items():
        want, ok = checks.RULES[rule]
        value = getattr(args, dest, None)
        for item in (value if isinstance(value, list) else [value]):
            if item is not None and not ok(item):
                command.error(f"argument --{dest.replace('_', '-')}: must be {want}; "
                              f"got {item}")


def main(argv=None):
    parser = _parser()
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tfgan_zoo

    _check_ranges(parser, args)
    if args.command in ("train", "finetune"):
        import tensorflow as tf

        # Under oneDNN (x86 CPUs) grappler's remapper tries to fuse each
        # Conv2D + BiasAdd + LeakyRelu of a DCGAN or CycleGAN discriminator
        # although LeakyReluGrad still reads the BiasAdd, fails, logs
        # "remapper failed" and keeps the graph as it was; off, the step is
        # the same graph at the same speed (BENCHMARKS.md).
        tf.config.optimizer.set_experimental_options({"remapping": False})

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
                architecture=args.architecture, dtype_policy=args.dtype_policy,
                num_classes=args.num_classes, pixel_range=args.pixel_range,
                on_divergence=args.on_divergence)
            print(f"Wrote {os.path.join(args.out, 'model.keras')} and sample grids "
                  f"in {os.path.join(args.out, 'samples')}")
        elif args.command == "finetune":
            tfgan_zoo.finetune(
                args.preset, args.data, args.out, epochs=args.epochs,
                batch_size=args.batch_size, learning_rate=args.learning_rate,
                freeze_d=args.freeze_d, ema_decay=args.ema_decay, seed=args.seed,
                limit=args.limit, strategy=args.strategy, resume=args.resume,
                pixel_range=args.pixel_range, on_divergence=args.on_divergence)
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
            calibration = (export.load_calibration(args.calibration_data, args.reverse)
                           if args.calibration_data else None)
            path, _ = export.export_model(
                model, serving=args.serving, tflite=args.tflite,
                name=args.name or export.default_name(args.model, model),
                version=args.version, reverse=args.reverse, warmup=args.warmup,
                quantize=args.quantize, calibration_images=calibration)
            if path:
                print(f"Wrote {path} (signatures: "
                      f"{', '.join(export.signature_names(model))})")
            if args.tflite:
                print(f"Wrote {args.tflite} (quantize={args.quantize})")
        elif args.command == "serve-request":
            from tfgan_zoo import images, serving_client
            inputs = serving_client.request_inputs(args.signature, args.seed, args.count,
                                                   args.labels, args.latent_dim)
            if args.show:
                print(serving_client.show(args.model_name, args.signature, inputs))
            else:
                pixels = serving_client.predict(args.model_name, args.signature, inputs,
                                                rest=args.rest, grpc=args.grpc)
                images.save_samples(images.to_float(pixels), args.out)
                print(f"Wrote {args.out}: {len(pixels)} images of {pixels.shape[1:]}")
        elif args.command == "evaluate":
            result = tfgan_zoo.metrics.evaluate(
                args.model, args.data, num=args.num, num_real=args.num_real,
                extractor=args.extractor,
                extractor_weights=args.extractor_weights, seed=args.seed,
                pixel_range=args.pixel_range,
                verbose=0 if args.json else 1)
            print(json.dumps(result, indent=1) if args.json
                  else tfgan_zoo.metrics.format_report(result))
    # ImportError: a missing optional package (TF Serving's protos), named with its install.
    except (ValueError, OSError, FloatingPointError, ImportError) as error:
        if sys.stdout.isatty():
            print(flush=True)  # off the line of an unfinished progress bar
        print(f"tfgan-zoo {args.command}: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
