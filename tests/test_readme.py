"""The README's commands and CI's are the same commands; the guide's and the
docs' commands parse; the command-line reference lists every option."""
import glob
import os
import shlex

ROOT = os.path.join(os.path.dirname(__file__), "..")
CLI_DOC = os.path.join(ROOT, "docs", "cli.md")


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
    exec(python_block("## Train your own"), namespace)  # noqa: S102 - the README's code
    assert namespace["images"].shape == (16, 28, 28, 1)
    assert keras.models.load_model(work / "wgan.keras").loss_name == "wgan_gp"


def test_the_readme_names_every_command_line_option():
    """`--help` and the README's command summary list the same options."""
    import argparse
    import re

    from tfgan_zoo.cli import _parser

    block = open(CLI_DOC).read().split("## Command line\n", 1)[1]
    block = block.split("```\n", 1)[1].split("```", 1)[0]
    lines = {segment.split()[0]: segment for segment in re.split(r"(?m)^tfgan-zoo ", block)
             if segment.strip()}
    commands = _parser()._subparsers._group_actions[0].choices
    missing = []
    for name, command in commands.items():
        assert name in lines, f"tfgan-zoo {name} is not in docs/cli.md"
        for action in command._actions:
            flags = action.option_strings
            if isinstance(action, argparse.BooleanOptionalAction):  # --resume: the default
                flags = [flag for flag in flags if flag.startswith("--no-")]
            missing += [f"{name} {flag}" for flag in flags
                        if flag.startswith("--") and flag != "--help"
                        and not re.search(re.escape(flag) + r"(?![\w-])", lines[name])]
    assert not missing, f"options missing from docs/cli.md's command summary: {missing}"


def test_the_readme_names_every_family_and_its_options():
    """docs/cli.md's family table lists each installed family's declared options."""
    from tfgan_zoo import families

    readme = open(CLI_DOC).read()
    for name in families.available():
        row = next((line for line in readme.splitlines() if line.startswith(f"| `{name}` |")),
                   None)
        assert row, f"family {name} has no row in the README's family table"
        for option in families.get(name).OPTIONS:
            flag = "--" + option.name.replace("_", "-")
            assert f"`{flag}`" in row, f"{name}'s {flag} is missing from its README row"


def shell_commands():
    """(file, command) of every `tfgan-zoo ...` line in a ```bash block of the
    README and docs/ (continued lines joined; `&&` chains split)."""
    for path in [os.path.join(ROOT, "README.md"), *sorted(glob.glob(os.path.join(ROOT, "docs",
                                                                                 "*.md")))]:
        text = open(path).read()
        for block in text.split("```bash\n")[1:]:
            for line in block.split("```", 1)[0].replace("\\\n", " ").splitlines():
                for part in line.split("&&"):
                    part = part.split("#", 1)[0].strip()
                    if part.startswith("tfgan-zoo "):
                        yield os.path.relpath(path, ROOT), part


def test_every_command_in_the_guide_and_docs_parses():
    """Each `tfgan-zoo` command the README and docs show is one the CLI takes
    (options that exist, values of the right kind); `[...]` marks an
    optional part, which is checked both with and without."""
    import re

    from tfgan_zoo.cli import _parser

    commands = list(shell_commands())
    assert len(commands) > 20, commands
    for where, command in commands:
        variants = {re.sub(r"\[([^\[\]]*)\]", r"\1", command),
                    re.sub(r"\s*\[[^\[\]]*\]", "", command)}
        for variant in variants:
            words = shlex.split(variant)[1:]
            try:
                _parser(words).parse_args(words)  # the family's options come with --family
            except SystemExit:
                raise AssertionError(f"{where}: `{variant}` does not parse") from None
