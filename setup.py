"""tfgan-zoo: pretrained GANs for Keras 3 / TensorFlow, ready to fine-tune and serve."""
from setuptools import find_packages, setup

TF = "2.21.0"

setup(
    name="tfgan-zoo",
    version="0.1.0",
    description="A Keras/TensorFlow model zoo for GANs: train, fine-tune, serve.",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    license_files=["LICENSE"],
    author="The tfgan-zoo authors",
    keywords=["gan", "keras", "tensorflow", "tf-serving", "litert", "model-zoo"],
    classifiers=[
        "Development Status :: 3 - Alpha",
        "Intended Audience :: Science/Research",
        "Programming Language :: Python :: 3.11",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
    python_requires=">=3.11",
    packages=find_packages(include=["tfgan_zoo", "tfgan_zoo.*", "zoo_models", "zoo_models.*"]),
    include_package_data=True,
    package_data={"zoo_models": ["*/presets/*/*"], "tfgan_zoo": ["site/*"]},
    # TensorFlow comes from an extra so that GPU users are not forced onto the
    # CPU wheel (and vice versa): pip install "tfgan-zoo[cpu]" or "[gpu]".
    install_requires=[
        "keras==3.15.1",
        "tensorflow-datasets==4.9.10",
        "importlib_resources>=6",  # tensorflow-datasets 4.9.10 imports it but does not declare it
        "numpy>=1.26",
        "scipy>=1.11",
        "pillow>=10",  # animated GIFs of latent walks (TF encodes no GIF)
        "ai-edge-litert==2.3.0",  # the LiteRT interpreter that checks .tflite exports
        "markdown==3.11.3",  # model cards as HTML in `tfgan-zoo gallery`
    ],
    extras_require={
        "cpu": [f"tensorflow-cpu=={TF}"],
        "gpu": [f"tensorflow[and-cuda]=={TF}"],
        # Test-time oracle dependencies that install normally; tensorflow-gan
        # and tf-keras must be installed --no-deps (requirements-oracle.txt).
        "test": [f"tensorflow-cpu=={TF}", "pytest>=8", "pytest-xdist==3.8.0",
                 "selenium==4.51.0",  # drives Debian's chromium in the gallery's tests
                 "tensorflow-probability==0.25.0"],
        # tools/bench.py's plots; the OpenMoji SVGs of `bench.py finetune`
        "bench": ["matplotlib>=3.8", "cairosvg==2.9.1"],
    },
    entry_points={
        "console_scripts": ["tfgan-zoo = tfgan_zoo.cli:main"],
        # The engine finds model families here and nowhere else (the protocol
        # a family follows: tfgan_zoo/families.py); it never imports them by name.
        "tfgan_zoo.families": ["dcgan = zoo_models.dcgan", "pix2pix = zoo_models.pix2pix",
                               "cyclegan = zoo_models.cyclegan",
                               "classifier = zoo_models.classifier",
                               "r3gan = zoo_models.r3gan",
                               "projected = zoo_models.projected",
                               "fastgan = zoo_models.fastgan"],
    },
)
