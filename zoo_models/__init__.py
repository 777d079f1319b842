"""Model families of the zoo. Each registers itself under the
`tfgan_zoo.families` entry point (see setup.py); the engine never imports
them by name."""
