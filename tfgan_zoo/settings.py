"""`train`'s settings, declared once (as families declare their `Option`s):
each `Setting` record gives the keyword and default, the CLI flag, the rule
that checks it, the tasks it applies to, what run.json keeps and whether
`GAN.compile` takes it. `cli.py`, `training.py` and the checks derive
everything else from `SETTINGS`."""
import dataclasses
import types

from tfgan_zoo import checks, data, families
from tfgan_zoo.gan import LOSSES

TRANSLATION = families.TRANSLATION
AUGMENT_HELP = ("augment what D sees, for small data sets (a few thousand images): "
                "diffaugment (color,translation,cutout) or a DiffAugment policy such as "
                "translation,cutout; ada (adaptive probability)")
DIVERGENCE_HELP = ("when D's logits explode or G collapses to one image: stop with an error, "
                   "or warn and go on (default: stop)")


@dataclasses.dataclass(frozen=True)
class Setting:
    """A setting of `train`, declared once: its keyword and default, its
    command-line flag (`--name-with-dashes`: `help`, `type` (bool: a switch)
    and other argparse keywords in `flag`), the rule that checks numbers
    (`checks.RULES`; default: `checks.SETTINGS`' rule of the name), the
    tasks it applies to (None: every task) and what run.json keeps of it
    (`record`): "always", "set" (only a value other than None or False, so
    that older run.json files still match) or "never" (it does not change
    what is trained). `compile`: a GAN's `GAN.compile` takes it as it is.
    Everything else (the CLI's options, the checks, the errors for settings
    that do not apply, run.json, what compile gets) is derived from these."""
    name: str
    default: object
    help: str
    type: object = None
    rule: str = None
    tasks: tuple = None
    record: str = "always"
    flag: dict = dataclasses.field(default_factory=dict)
    compile: bool = False

    @property
    def check_rule(self):
        return self.rule or checks.SETTINGS.get(self.name)


GAN_ONLY = ("generation",)
SETTINGS = (
    Setting("loss", None, "GANs: " + ", ".join(f"{name} ({record.help})" for name, record
                                                in LOSSES.items())
            + "; default non_saturating, unless the family names its own; translators: "
              "their adversarial loss, where they take one (non_saturating or "
              "least_squares)", tasks=GAN_ONLY + TRANSLATION),
    Setting("epochs", 1, "epochs in all (default: 1)", int, record="never"),
    Setting("batch_size", 64, "global batch size (default: 64)", int),
    Setting("conditional", False, "class-conditional GAN on the data's labels", bool,
            tasks=GAN_ONLY),
    Setting("num_classes", None, "number of classes with --conditional (default: the "
                                 "data's own, e.g. TFDS's class label or a num_classes array "
                                 "in the .npz; else the labels, when they are the classes "
                                 "0..K-1)", int, tasks=("generation", "extraction"),
            record="set"),
    Setting("d_steps", None, "D updates per G update (default: 5 for wgan_gp, else 1)", int,
            tasks=GAN_ONLY),
    Setting("learning_rate", None, "Adam's learning rate (GANs: 1e-4 for wgan_gp, else 2e-4; "
                                   "translators 2e-4; extractors 1e-3 with cosine decay)",
            float),
    Setting("beta_1", None, "Adam's beta_1 (default: 0 for wgan_gp, else 0.5)", float,
            tasks=GAN_ONLY + TRANSLATION, record="set"),
    Setting("ema_decay", None, "keep an EMA of G's weights (e.g. 0.999); samples use it "
                               "(default: no EMA)", float, tasks=GAN_ONLY, compile=True),
    Setting("label_smoothing", None, "one-sided label smoothing of D's real labels, e.g. "
                                     "0.1 (non_saturating and minimax; default: none)", float,
            rule="fraction", tasks=GAN_ONLY, record="set", compile=True),
    Setting("simultaneous", False, "update G and D from one generator pass (the TF "
                                   "tutorial's loop) instead of alternating; needs one D step",
            bool, tasks=GAN_ONLY, record="set", compile=True),
    Setting("decay_epochs", None, "length in epochs of the schedules that decay the learning "
                                  "rate (extractors; GAN losses that decay it, and gamma: "
                                  "rpgan) (default: --epochs)", int, record="set"),
    Setting("augment", None, AUGMENT_HELP + " (default: none, unless the family names its "
                                            "own)", tasks=GAN_ONLY, record="set",
            flag={"metavar": "none|diffaugment|ada|POLICY"}, compile=True),
    Setting("seed", 0, "seeds weights, latents and data order (default: 0)", int),
    Setting("limit", None, "use only the first N training images (default: all)", int),
    Setting("pixel_range", None, data.pixel_range_help(), record="set",
            flag={"choices": tuple(data.PIXEL_RANGES), "metavar": "LOW,HIGH"}),
    Setting("image_size", None, data.IMAGE_SIZE_HELP, data.parse_image_size,
            tasks=("generation", "extraction"), record="set", flag={"metavar": "HxW"}),
    Setting("strategy", "default", "default, mirrored, multi_worker (TF_CONFIG) or tpu "
                                   "(default: default, one device)", record="never"),
    Setting("on_divergence", "stop", DIVERGENCE_HELP, record="never",
            flag={"choices": ("stop", "warn")}),
    Setting("resume", True, "continue after the last checkpoint in --out if there is one "
                            "(default); --no-resume starts over (a finished run's "
                            "model.keras is never replaced)", bool, record="never"),
)


def resolve(family, given):
    """`train`'s keyword arguments as a namespace: every setting of
    `SETTINGS` (its default where not given; numbers checked by their rules;
    image_size as (height, width)), and `family_options`, the family's
    declared options among the rest (others refused)."""
    known = {setting.name: setting for setting in SETTINGS}
    values = {name: given.get(name, setting.default) for name, setting in known.items()}
    for name, setting in known.items():
        if setting.check_rule:
            checks.check(name, values[name], setting.check_rule)
    values["image_size"] = data.check_image_size(values["image_size"])
    options = {k: v for k, v in given.items() if k not in known}
    return types.SimpleNamespace(**values,
                                 family_options=families.check_options(family, options))
