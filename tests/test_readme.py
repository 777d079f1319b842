"""The README's commands and CI's are the same commands."""
import os

ROOT = os.path.join(os.path.dirname(__file__), "..")


def test_ci_runs_the_readme_test_command():
    readme = open(os.path.join(ROOT, "README.md")).read()
    ci = open(os.path.join(ROOT, ".ci", "run")).read().splitlines()
    install_and_test = next(line for line in ci if line.startswith("pip install"))
    assert (". .venv/bin/activate && " + install_and_test) in readme


def python_block(heading):
    """The first ```python block after `heading` in the README."""
    section = open(os.path.join(ROOT, "README.md")).read().split(heading + "\n", 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


def test_the_train_from_python_block_runs_as_written(tmp_path, monkeypatch):
    import keras
    import numpy as np

    # The block's relative data path, holding two batches of images.
    datasets = tmp_path / "shared" / "datasets"
    datasets.mkdir(parents=True)
    rng = np.random.default_rng(0)
    np.savez(datasets / "fashion_mnist.npz",
             x_train=rng.integers(0, 256, (128, 28, 28), dtype=np.uint8))
    work = tmp_path / "main"
    work.mkdir()
    monkeypatch.chdir(work)
    namespace = {}
    exec(python_block("## Train from Python"), namespace)  # noqa: S102 - the README's code
    assert namespace["images"].shape == (16, 28, 28, 1)
    assert keras.models.load_model(work / "wgan.keras").loss_name == "wgan_gp"


def test_the_readme_names_every_command_line_option():
    """`--help` and the README's command summary list the same options."""
    import argparse
    import re

    from tfgan_zoo.cli import _parser

    block = open(os.path.join(ROOT, "README.md")).read().split("## Command line\n", 1)[1]
    block = block.split("```\n", 1)[1].split("```", 1)[0]
    lines = {segment.split()[0]: segment for segment in re.split(r"(?m)^tfgan-zoo ", block)
             if segment.strip()}
    commands = _parser()._subparsers._group_actions[0].choices
    missing = []
    for name, command in commands.items():
        assert name in lines, f"tfgan-zoo {name} is not in the README"
        for action in command._actions:
            flags = action.option_strings
            if isinstance(action, argparse.BooleanOptionalAction):  # --resume: the default
                flags = [flag for flag in flags if flag.startswith("--no-")]
            missing += [f"{name} {flag}" for flag in flags
                        if flag.startswith("--") and flag != "--help"
                        and not re.search(re.escape(flag) + r"(?![\w-])", lines[name])]
    assert not missing, f"options missing from the README's command summary: {missing}"


def test_the_readme_names_every_family_and_its_options():
    """The README's family table lists each installed family's declared options."""
    from tfgan_zoo import families

    readme = open(os.path.join(ROOT, "README.md")).read()
    for name in families.available():
        row = next((line for line in readme.splitlines() if line.startswith(f"| `{name}` |")),
                   None)
        assert row, f"family {name} has no row in the README's family table"
        for option in families.get(name).OPTIONS:
            flag = "--" + option.name.replace("_", "-")
            assert f"`{flag}`" in row, f"{name}'s {flag} is missing from its README row"
