"""Range checks of numeric settings, one rule each, shared by the API (a
ValueError that names the argument) and the command line (a usage error,
`tfgan-zoo CMD: error: argument --epochs: ...`, exit status 2)."""
import math
import numbers


def _number(value):
    return (isinstance(value, numbers.Real) and not isinstance(value, bool)
            and math.isfinite(value))


def _integer(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


RULES = {  # name -> (what it must be, test)
    "count": ("an integer >= 1", lambda v: _integer(v) and v >= 1),
    "index": ("an integer >= 0", lambda v: _integer(v) and v >= 0),
    "positive": ("a finite number > 0", lambda v: _number(v) and v > 0),
    "weight": ("a finite number >= 0", lambda v: _number(v) and v >= 0),
    "fraction": ("a number in [0, 1)", lambda v: _number(v) and 0 <= v < 1),
    "truncation": ("a number in (0, 1] (1: no truncation)",
                   lambda v: _number(v) and 0 < v <= 1),
    "steps": ("an integer >= 2 (the two ends included)", lambda v: _integer(v) and v >= 2),
    "seed": ("an integer in [-2^63, 2^63 - 1]", lambda v: _integer(v) and -2**63 <= v < 2**63),
}


# The rule of each named setting, whether it comes as an argument of the API
# (`epochs=`) or as a command-line option (`--epochs`).
SETTINGS = {"epochs": "count", "batch_size": "count", "num_classes": "count",
            "d_steps": "count", "limit": "count", "decay_epochs": "count",
            "num": "count", "num_real": "count", "learning_rate": "positive",
            "beta_1": "fraction", "ema_decay": "fraction", "freeze_d": "index",
            "labels": "index", "truncation": "truncation", "steps": "steps", "seed": "seed",
            "seeds": "seed", "seed_b": "seed", "count": "count", "latent_dim": "count"}


def check_settings(**settings):
    """Checks each named setting by its rule in `SETTINGS`."""
    for name, value in settings.items():
        check(name, value, SETTINGS[name])


def check(name, value, rule):
    """`value` if it obeys `rule` (None passes: it means "the default")."""
    want, ok = RULES[rule]
    if value is not None and not ok(value):
        raise ValueError(f"{name} must be {want}; got {value!r}.")
    return value
