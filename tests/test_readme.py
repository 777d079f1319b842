"""The README's commands and CI's are the same commands."""
import os

ROOT = os.path.join(os.path.dirname(__file__), "..")


def test_ci_runs_the_readme_test_command():
    readme = open(os.path.join(ROOT, "README.md")).read()
    ci = open(os.path.join(ROOT, ".ci", "run")).read().splitlines()
    install_and_test = next(line for line in ci if line.startswith("pip install"))
    assert (". .venv/bin/activate && " + install_and_test) in readme
