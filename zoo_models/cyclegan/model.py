"""The CycleGAN training model (Zhu et al. 2017, arXiv:1703.10593): unpaired
image-to-image translation trained with `fit`."""
import keras
import tensorflow as tf

from tfgan_zoo import Translator, losses
from tfgan_zoo.adversarial import per_example
from tfgan_zoo.translator import check_shape, per_example_l1


# Registered as "tfgan_zoo>CycleGAN", the name in the shipped presets' configs.
@keras.saving.register_keras_serializable(package="tfgan_zoo")
class CycleGAN(Translator):
    """Unpaired translation between domains A and B: `generator` G: A -> B
    (what `translate` and export use by default), `generator_ba` F: B -> A,
    and PatchGAN discriminators `discriminator_a`, `discriminator_b`.

    Each step, from one pass of both generators (the paper's objective, its
    code's weighting):
      G, F: MSE(D_B(G(a)), 1) + MSE(D_A(F(b)), 1)
            + cycle_weight * (|a - F(G(a))| + |b - G(F(b))|)
            + identity_weight * cycle_weight * (|b - G(b)| + |a - F(a)|),
      D_A, D_B: (MSE(D(real), 1) + MSE(D(fake), 0)) / 2, with fakes from a
            history of `pool_size` generated images per domain (Shrivastava
            et al. 2017): once full, each new fake is swapped, with
            probability 1/2, for a random stored one.
    One optimizer updates both generators, another both discriminators.
    The pool acts on the global batch (all-gathered across replicas, same
    draws on each), so a step is the same on one device or under a strategy.
    """

    PAIRED = False
    reversible = True

    def __init__(self, generator, generator_ba, discriminator_a, discriminator_b,
                 cycle_weight=10.0, identity_weight=0.5, pool_size=50, seed=0, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.generator = generator
        self.generator_ba = generator_ba
        self.discriminator_a = discriminator_a
        self.discriminator_b = discriminator_b
        self.cycle_weight = float(cycle_weight)
        self.identity_weight = float(identity_weight)
        self.pool_size = int(pool_size)
        shape_a = tuple(generator.inputs[0].shape[1:])
        shape_b = tuple(generator_ba.inputs[0].shape[1:])
        if self.identity_weight and shape_a[-1] != shape_b[-1]:
            raise ValueError(f"The identity loss needs domains with the same channels "
                             f"(A {shape_a}, B {shape_b}): set identity_weight=0.")
        self.pools = {}
        for domain, shape in (("a", shape_a), ("b", shape_b)):
            if self.pool_size:
                self.pools[domain] = (
                    self.add_weight(shape=(self.pool_size,) + shape, initializer="zeros",
                                    trainable=False, name=f"pool_{domain}"),
                    self.add_weight(shape=(), initializer="zeros", dtype="int32",
                                    trainable=False, name=f"pool_{domain}_count"))
        self.trackers = {name: keras.metrics.Mean(name=name) for name in (
            "g_loss", "g_adversarial", "cycle", "identity", "d_loss")}
        self.built = True

    def compile(self, g_optimizer=None, d_optimizer=None, loss="least_squares", **kwargs):
        """Optimizers default to Adam(2e-4, beta_1=0.5) each (the paper's);
        the loss is least squares, as in the paper (the only `loss`
        accepted); kwargs go to `keras.Model.compile`."""
        if loss != "least_squares":
            raise ValueError(f"CycleGAN trains with its least-squares loss, not {loss!r}: "
                             "drop --loss.")
        self._set_optimizers(g_optimizer, d_optimizer, self._generator_variables(),
                             self._discriminator_variables())
        kwargs.setdefault("jit_compile", False)
        super().compile(optimizer=self.g_optimizer, **kwargs)

    def get_compile_config(self):
        return self._optimizer_config() if self.compiled else None

    def _generator_variables(self):
        return self.generator.trainable_variables + self.generator_ba.trainable_variables

    def _discriminator_variables(self):
        return (self.discriminator_a.trainable_variables
                + self.discriminator_b.trainable_variables)

    def _generator_objective(self, a, b, training):
        g, f = self.generator, self.generator_ba

        def run(network, images):
            return tf.cast(network(images, training=training), tf.float32)

        fake_b, fake_a = run(g, a), run(f, b)
        # The paper's code takes MSE for G; TF-GAN's least-squares loss is half that.
        adversarial = 2.0 * (
            per_example(losses.least_squares_generator_loss(
                self.discriminator_b(fake_b, training=training), reduction="none"))
            + per_example(losses.least_squares_generator_loss(
                self.discriminator_a(fake_a, training=training), reduction="none")))
        cycle = 2.0 * losses.cycle_consistency_loss(a, run(f, fake_b), b, run(g, fake_a),
                                                    reduction="none")
        identity = tf.zeros_like(cycle)
        if self.identity_weight:
            identity = per_example_l1(b, run(g, b)) + per_example_l1(a, run(f, a))
        total = (adversarial + self.cycle_weight * cycle
                 + self.identity_weight * self.cycle_weight * identity)
        return fake_a, fake_b, adversarial, cycle, identity, total

    def _discriminator_objective(self, a, b, fake_a, fake_b, training):
        d_loss = 0.0
        for network, real, fake in ((self.discriminator_a, a, fake_a),
                                    (self.discriminator_b, b, fake_b)):
            d_loss += per_example(losses.least_squares_discriminator_loss(
                network(real, training=training), network(fake, training=training),
                reduction="none"))
        return d_loss

    def _from_pool(self, domain, fakes):
        """This replica's fakes after the history pool of `domain`."""
        if not self.pool_size:
            return fakes
        pool, count = self.pools[domain]
        replica, replicas = self._replica()
        local = tf.shape(fakes)[0]
        everyone = fakes
        if replicas > 1:
            everyone = tf.distribute.get_replica_context().all_gather(fakes, axis=0)
        n = tf.shape(everyone)[0]
        # Same draws on every replica: the seed generator's state is mirrored.
        swap = keras.random.uniform((n,), seed=self.seed_generator) > 0.5
        slot = keras.random.randint((n,), 0, self.pool_size, seed=self.seed_generator)

        def step(i, stored, filled, out):
            image = everyone[i]

            def insert():
                return (tf.tensor_scatter_nd_update(stored, [[filled]], image[None]),
                        filled + 1, image)

            def exchange():
                return (tf.tensor_scatter_nd_update(stored, [[slot[i]]], image[None]),
                        filled, stored[slot[i]])

            stored, filled, result = tf.cond(
                filled < self.pool_size, insert,
                lambda: tf.cond(swap[i], exchange, lambda: (stored, filled, image)))
            return i + 1, stored, filled, out.write(i, result)

        _, stored, filled, out = tf.while_loop(
            lambda i, *_: i < n, step,
            (tf.constant(0), tf.convert_to_tensor(pool), tf.convert_to_tensor(count),
             tf.TensorArray(tf.float32, size=n, element_shape=everyone.shape[1:])))
        self._assign_everywhere([(pool, lambda v, x: v.assign(x), stored),
                                 (count, lambda v, x: v.assign(x), filled)])
        out = out.stack()
        return out[replica * local:(replica + 1) * local]

    def train_step(self, data):
        a, b = self.pair(data)
        check_shape("Domain A", a, self.generator)
        check_shape("Domain B", b, self.generator_ba)
        with tf.GradientTape() as g_tape:
            fake_a, fake_b, adversarial, cycle, identity, g_loss = self._generator_objective(
                a, b, training=True)
            g_mean = self._mean(g_loss)
        fake_a = self._from_pool("a", tf.stop_gradient(fake_a))
        fake_b = self._from_pool("b", tf.stop_gradient(fake_b))
        with tf.GradientTape() as d_tape:
            d_loss = self._discriminator_objective(a, b, fake_a, fake_b, training=True)
            d_mean = self._mean(d_loss)
        self._apply(self.g_optimizer, g_mean, g_tape, self._generator_variables())
        self._apply(self.d_optimizer, d_mean, d_tape, self._discriminator_variables())
        return self._track(g_loss=g_loss, g_adversarial=adversarial, cycle=cycle,
                           identity=identity, d_loss=d_loss)

    def test_step(self, data):
        a, b = self.pair(data)
        fake_a, fake_b, adversarial, cycle, identity, g_loss = self._generator_objective(
            a, b, training=False)
        d_loss = self._discriminator_objective(a, b, fake_a, fake_b, training=False)
        return self._track(g_loss=g_loss, g_adversarial=adversarial, cycle=cycle,
                           identity=identity, d_loss=d_loss)

    def get_config(self):
        config = super().get_config()
        config.update({key: keras.layers.serialize(getattr(self, key)) for key in NETWORKS})
        config.update({"cycle_weight": self.cycle_weight,
                       "identity_weight": self.identity_weight,
                       "pool_size": self.pool_size, "seed": self.seed})
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in NETWORKS:
            config[key] = keras.layers.deserialize(config[key])
        return cls(**config)


NETWORKS = ("generator", "generator_ba", "discriminator_a", "discriminator_b")
