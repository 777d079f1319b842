"""Scores of image-to-image translators: L1 and SSIM to paired ground truth,
FID to the target domain, cycle-reconstruction L1; each can be given for the
identity mapping as the trivial baseline."""
import numpy as np
import tensorflow as tf

from tfgan_zoo import images
from tfgan_zoo.metrics import extractors
from tfgan_zoo.metrics.fid import frechet_distance


def l1(outputs, targets):
    """Mean absolute difference of images in [-1, 1] (0 to 2)."""
    return float(np.mean(np.abs(images.to_float(outputs) - images.to_float(targets))))


def ssim(outputs, targets, batch_size=1000):
    """Mean SSIM (Wang et al. 2004, `tf.image.ssim`, 11x11 Gaussian window;
    a smaller window for images under 11 pixels) of images in [-1, 1]."""
    outputs, targets = images.to_float(outputs), images.to_float(targets)
    size = min(11, outputs.shape[1], outputs.shape[2])
    values = [tf.image.ssim(outputs[i:i + batch_size], targets[i:i + batch_size],
                            max_val=2.0, filter_size=size).numpy()
              for i in range(0, len(outputs), batch_size)]
    return float(np.mean(np.concatenate(values)))


def fid(outputs, targets, extractor):
    """FID between two image sets by the zoo extractor `extractor` (a name)."""
    extract = extractors.get(extractor) if isinstance(extractor, str) else extractor
    return frechet_distance(extract(images.to_float(targets))[0],
                            extract(images.to_float(outputs))[0])


def paired_scores(outputs, inputs, targets, extractor):
    """{"model": {l1, ssim, fid}, "identity": the same for outputs = inputs}."""
    def scores(made):
        return {"l1": l1(made, targets), "ssim": ssim(made, targets),
                "fid": fid(made, targets, extractor)}
    return {"model": scores(outputs), "identity": scores(inputs)}


def unpaired_scores(model, a, b, extractor):
    """Both directions of a CycleGAN on test images `a` and `b`: FID of the
    translations to the other domain and cycle-reconstruction L1, beside the
    identity mapping (FID of the untranslated images; its cycle L1 is 0)."""
    a, b = images.to_float(a), images.to_float(b)
    a_to_b, b_to_a = model.translate(a), model.translate(b, reverse=True)
    return {
        "a_to_b": {"fid": fid(a_to_b, b, extractor), "identity_fid": fid(a, b, extractor),
                   "cycle_l1": l1(model.translate(a_to_b, reverse=True), a)},
        "b_to_a": {"fid": fid(b_to_a, a, extractor), "identity_fid": fid(b, a, extractor),
                   "cycle_l1": l1(model.translate(b_to_a), b)},
    }
