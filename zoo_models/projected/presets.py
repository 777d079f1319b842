"""Projected GAN presets (none yet: the bake-off in BENCHMARKS.md comes first)."""
PRESETS = {}
