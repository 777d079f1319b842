"""The benchmarks of `tools/bench.py`, one module each: `add_arguments(parser)`
declares a subcommand's options, `run(args)` measures and returns the table
`(section, header, rows)` that bench.py appends to BENCHMARKS.md."""
import os

# Before any module of the package imports TensorFlow (also in the `evaluate`
# child process, which starts here): keep TF's C++ log chatter out of the tables.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
