"""`tf.distribute` strategies by name; nothing else."""
import json
import os

import tensorflow as tf

STRATEGIES = ("default", "mirrored", "multi_worker", "tpu")


def get_strategy(name="default", devices=None):
    """Returns a strategy. Create the GAN, compile it and load checkpoints in
    its `scope()`; `fit` then splits each global batch between replicas.

    - `default`: one device (the first GPU if any, else the CPU).
    - `mirrored`: every local GPU (or `devices`), one process.
    - `multi_worker`: several processes/machines described by `TF_CONFIG`;
      every worker runs the same command.
    - `tpu`: a TPU found by `TPUClusterResolver` (Cloud TPU VM or `TPU_NAME`).
    """
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy(devices)
    if name == "multi_worker":
        if "TF_CONFIG" not in os.environ:
            raise ValueError("multi_worker needs TF_CONFIG describing the cluster and this "
                             "worker's task (see docs/DISTRIBUTED.md).")
        return tf.distribute.MultiWorkerMirroredStrategy()
    if name == "tpu":
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
        return tf.distribute.TPUStrategy(resolver)
    raise ValueError(f"Unknown strategy {name!r}; use one of {', '.join(STRATEGIES)}.")


def is_chief():
    """True unless this process is a non-chief worker of a TF_CONFIG cluster:
    only the chief writes outputs."""
    task = json.loads(os.environ.get("TF_CONFIG", "{}")).get("task", {})
    if task.get("type") in (None, "chief"):
        return True
    cluster = json.loads(os.environ["TF_CONFIG"]).get("cluster", {})
    # With no chief task, worker 0 acts as chief (as in Keras and TF).
    return task.get("type") == "worker" and task.get("index") == 0 and "chief" not in cluster
