"""R3GAN presets (none published yet)."""
PRESETS = {}
