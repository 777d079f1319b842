"""The shipped Fashion-MNIST DCGAN adapts to MNIST in one epoch."""
import os

import pytest

import tfgan_zoo
from conftest import SHARED


@pytest.mark.slow
def test_one_epoch_of_finetuning_on_mnist_lowers_the_mnist_fid(tmp_path):
    mnist = os.path.join(SHARED, "mnist.npz")
    if not os.path.exists(mnist):
        pytest.skip(f"{mnist} is not here")
    before = tfgan_zoo.metrics.evaluate("dcgan_fashion_mnist", mnist, num=1000, verbose=0)
    tuned = tfgan_zoo.finetune("dcgan_fashion_mnist", mnist, str(tmp_path), epochs=1,
                               ema_decay=0.99, verbose=0)
    after = tfgan_zoo.metrics.evaluate(tuned, mnist, num=1000, verbose=0)
    print(f"MNIST FID before {before['fid']:.2f}, after {after['fid']:.2f}")
    assert after["fid"] < 0.5 * before["fid"]
