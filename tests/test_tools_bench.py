"""tools/bench.py gpu: the accelerator run works end to end in its reduced
mode on a CPU, so that a session lent a GPU spends its minutes measuring."""
import hashlib
import os
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(__file__), "..")
SETUPS = ["pytest -m gpu", "tutorial loop float32 (reference)", "GAN.fit simultaneous float32",
          "GAN.fit simultaneous mixed_float16", "GAN.fit simultaneous jit_compile",
          "GAN.fit alternating float32", "GAN.fit simultaneous, MirroredStrategy on 1 device",
          "DCGAN 16x16x3 width 8, fit alternating",
          "CycleGAN 16x16x3 width 8 (largest family), fit",
          "SavedModel serving_default, DCGAN 16x16x3 generator"]


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_the_gpu_run_works_end_to_end_in_its_reduced_mode_on_a_cpu(tmp_path):
    benchmarks = os.path.join(ROOT, "BENCHMARKS.md")
    before = digest(benchmarks)
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "bench.py"), "gpu",
                           "--quick", "--tests", "--dry-run", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=900,
                          env={**os.environ, "CUDA_VISIBLE_DEVICES": ""})
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = (tmp_path / "gpu.md").read_text().splitlines()
    assert lines[0].startswith("### Accelerator run (reduced mode)")
    rows = [line.strip("| ").split(" | ") for line in lines if line.startswith("| ")][1:]
    rows = [row for row in rows if row[0] != "---"]
    assert [row[0] for row in rows] == SETUPS
    assert "skipped" in rows[0][-1]  # no GPU here: the GPU tests skip, and say so
    for row in rows[1:]:
        assert row[1].startswith("CPU") and float(row[3]) > 0, row
    assert digest(benchmarks) == before  # --dry-run appends nothing
