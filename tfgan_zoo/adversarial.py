"""`AdversarialModel`: what every model trained by a generator against a
discriminator shares (`GAN`, `Pix2Pix`, `CycleGAN`): two optimizers, losses
reduced by the global batch, draws for the global batch, and RNG state that
is saved with the weights."""
import keras
import tensorflow as tf


def default_optimizer():
    """Adam(2e-4, beta_1=0.5), the DCGAN paper's setting (also pix2pix's and
    CycleGAN's)."""
    return keras.optimizers.Adam(2e-4, beta_1=0.5)


def per_example(values):
    """[batch, ...] -> [batch] float32, averaging any non-batch axes (PatchGAN)."""
    values = tf.cast(values, tf.float32)
    return tf.reduce_mean(tf.reshape(values, [tf.shape(values)[0], -1]), axis=1)


class AdversarialModel(keras.Model):
    """Base of the models whose `train_step` updates generators and
    discriminators with their own optimizers; subclasses have no `call`.

    Losses are computed per example and divided by the *global* batch size
    (`_mean`), and random draws are made for the global batch and sliced per
    replica (`_draw`), so a step gives the same numbers on one device or under
    any `tf.distribute` strategy.
    """

    def __init__(self, seed=0, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def _set_optimizers(self, g_optimizer, d_optimizer, g_variables, d_variables):
        g_optimizer = keras.optimizers.get(g_optimizer or default_optimizer())
        d_optimizer = keras.optimizers.get(d_optimizer or default_optimizer())
        if g_optimizer is d_optimizer:
            raise ValueError("g_optimizer and d_optimizer must be two different "
                             "optimizer instances (each keeps its own state).")
        if self._computes_in_float16():
            # float16 gradients underflow: scale the loss, skip steps whose
            # gradients overflow, as Keras' own compile does for this policy.
            g_optimizer, d_optimizer = (
                o if isinstance(o, keras.optimizers.LossScaleOptimizer)
                else keras.optimizers.LossScaleOptimizer(o) for o in (g_optimizer, d_optimizer))
        # Under a strategy the slots must exist before fit's first step.
        for optimizer, variables in ((g_optimizer, g_variables), (d_optimizer, d_variables)):
            if not optimizer.built:
                optimizer.build(variables)
        self.g_optimizer, self.d_optimizer = g_optimizer, d_optimizer

    def _computes_in_float16(self):
        return any(getattr(layer, "dtype_policy", None) is not None
                   and layer.dtype_policy.name == "mixed_float16"
                   for layer in self._flatten_layers())

    def _optimizer_config(self):
        return {"g_optimizer": keras.optimizers.serialize(self.g_optimizer),
                "d_optimizer": keras.optimizers.serialize(self.d_optimizer)}

    def compile_from_config(self, config):
        config = dict(config)
        for key in ("g_optimizer", "d_optimizer"):
            config[key] = keras.optimizers.deserialize(config[key])
        self.compile(**config)

    @staticmethod
    def _replica():
        ctx = tf.distribute.get_replica_context()
        if ctx is None:  # cross-replica context: act as one replica
            return 0, 1
        return ctx.replica_id_in_sync_group, ctx.num_replicas_in_sync

    def _draw(self, local_batch, tail, fn):
        """Draws for the global batch and keeps this replica's slice."""
        replica, replicas = self._replica()
        values = fn((local_batch * replicas,) + tuple(tail), seed=self.seed_generator)
        if replicas == 1:
            return values
        return values[replica * local_batch:(replica + 1) * local_batch]

    def _mean(self, per_example_values):
        """Sum over this replica / global batch: replicas' gradients then add up."""
        _, replicas = self._replica()
        global_batch = tf.cast(tf.shape(per_example_values)[0] * replicas, tf.float32)
        return tf.reduce_sum(per_example_values) / global_batch

    def _apply(self, optimizer, loss, tape, variables):
        scale = None
        if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
            # The backward pass starts from the loss scale instead of 1: the
            # gradients of the scaled loss, which the optimizer unscales.
            scale = tf.cast(optimizer.scale_loss(1.0), loss.dtype)
        grads = tape.gradient(loss, variables, output_gradients=scale)
        # Dense: Keras' optimizers square an embedding's tf.IndexedSlices
        # gradient slice by slice, so Adam's second moment of a class that
        # repeats in the batch would be the sum of squares, not the square of
        # the sum (a smaller step than Adam's, varying with the lookups).
        grads = [tf.convert_to_tensor(g) if isinstance(g, tf.IndexedSlices) else g
                 for g in grads]
        optimizer.apply_gradients(zip(grads, variables))

    def _logs(self, extra=None):
        """The trackers' results and `extra` (other scalars to log)."""
        logs = {m.name: m.result() for m in self.metrics}
        logs.update(extra or {})
        if isinstance(self.distribute_strategy, tf.distribute.MultiWorkerMirroredStrategy):
            # Keras 3 averages step outputs across workers with
            # reduce(MEAN, axis=0), which fails on scalars
            # (tensorflow/tensorflow#72388); it returns rank-1 inputs as scalars.
            logs = {name: tf.reshape(value, [1]) for name, value in logs.items()}
        return logs

    @staticmethod
    def _assign_everywhere(updates):
        """Runs `fn(variable, value)` for each `(Keras variable, fn, value)`,
        from a replica or cross-replica context: like Keras optimizers, it
        updates mirrored variables in one merge call, on the tf.Variables
        under the Keras ones. Every replica must pass the same values."""
        def update(strategy):
            for target, fn, value in updates:
                strategy.extended.update(target.value, fn, args=(value,), group=False)

        tf.__internal__.distribute.interim.maybe_merge_call(update, tf.distribute.get_strategy())

    # -------------------------------------------------------- serialization
    def _rng_states(self):
        """Seed-generator states of the model and its networks (draws,
        dropout): variables that are not weights."""
        weights = {id(w) for w in self.weights}
        return [v for v in self.variables if id(v) not in weights]

    def save_own_variables(self, store):
        # Keras saves no RNG state; a resumed run must draw what an
        # uninterrupted one would have drawn. Own weights (CycleGAN's image
        # pools) are saved as Keras does.
        super().save_own_variables(store)
        for i, state in enumerate(self._rng_states()):
            store[f"rng_{i}"] = state

    def load_own_variables(self, store):
        states = self._rng_states()
        rng_keys = [key for key in store.keys() if key.startswith("rng_")]
        if len(rng_keys) != len(states):
            raise ValueError(f"The file holds {len(rng_keys)} RNG states but this "
                             f"model has {len(states)}: it was saved from other networks.")
        super().load_own_variables({key: store[key] for key in store.keys()
                                    if not key.startswith("rng_")})
        for i, state in enumerate(states):
            state.assign(store[f"rng_{i}"])
