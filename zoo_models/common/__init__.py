"""What several families share: the Network base, normalizations, the PatchGAN discriminator."""
