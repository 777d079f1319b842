"""Image-to-image translation trained with `fit`: `Pix2Pix` on paired data
(Isola et al. 2017, arXiv:1611.07004) and `CycleGAN` on unpaired data (Zhu et
al. 2017, arXiv:1703.10593). Images are float32 in [-1, 1]."""
import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo import images as image_utils
from tfgan_zoo import losses
from tfgan_zoo.adversarial import AdversarialModel, per_example

# loss name -> (generator loss, discriminator loss)
ADVERSARIAL_LOSSES = {
    "non_saturating": (losses.modified_generator_loss, losses.modified_discriminator_loss),
    "least_squares": (losses.least_squares_generator_loss,
                      losses.least_squares_discriminator_loss),
}


def _l1(a, b):
    """Per-example mean absolute difference [batch]."""
    return per_example(tf.abs(tf.cast(a, tf.float32) - tf.cast(b, tf.float32)))


def _pair(data, model, wants):
    """The two image batches of a training batch (from `fit`, `train_on_batch`
    or `evaluate`), with a clear error for single image batches."""
    first, second, _ = keras.utils.unpack_x_y_sample_weight(data)
    if second is None:
        loader = "load_paired" if model == "Pix2Pix" else "load_unpaired"
        raise ValueError(f"{model} trains on {wants} batches of images in [-1, 1], got "
                         f"single image batches: load the data with "
                         f"tfgan_zoo.data.{loader}.")
    return tf.cast(first, tf.float32), tf.cast(second, tf.float32)


def _check_shape(what, images, network):
    want = tuple(network.inputs[0].shape[1:])
    got = tuple(images.shape[1:])
    if None not in got and got != want:
        raise ValueError(f"{what} has images of shape {got} but the network takes {want}: "
                         f"resize the data or build the networks for that shape.")


class Translator(AdversarialModel):
    """What `Pix2Pix` and `CycleGAN` share: `generator` maps inputs to outputs
    (what `translate` and export use), trackers, `translate`. `reversible`:
    whether there is also `generator_ba`, B -> A."""

    reversible = False

    def translate(self, inputs, batch_size=64, generator=None):
        """Translates images: uint8 [0, 255] or float in [-1, 1], [N, H, W, C]
        or one [H, W, C] image; returns float32 in [-1, 1] of the same rank."""
        generator = generator or self.generator
        array = np.asarray(inputs)
        single = array.ndim == 3
        array = image_utils.to_float(array[None] if single else array)
        want = tuple(generator.inputs[0].shape[1:])
        if array.ndim != 4 or array.shape[1:] != want:
            raise ValueError(f"Cannot translate images of shape {tuple(np.shape(inputs))}: "
                             f"the generator takes [N, {', '.join(map(str, want))}] "
                             f"(or one {want} image).")
        out = [keras.ops.convert_to_numpy(generator(array[i:i + batch_size], training=False))
               for i in range(0, len(array), batch_size)]
        out = np.concatenate(out).astype(np.float32)
        return out[0] if single else out

    @property
    def metrics(self):
        return list(self.trackers.values())

    def _track(self, **values):
        for name, value in values.items():
            self.trackers[name].update_state(value)
        return self._logs()

    def _adversarial(self, loss):
        if loss not in ADVERSARIAL_LOSSES:
            raise ValueError(f"Unknown loss {loss!r}: use one of "
                             f"{', '.join(ADVERSARIAL_LOSSES)}.")
        return ADVERSARIAL_LOSSES[loss]


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class Pix2Pix(Translator):
    """Paired translation: `generator` (e.g. a U-Net) maps an input image to
    its target; `discriminator` (a conditional PatchGAN) takes `[inputs,
    images]` and gives a logit per patch.

    Each step, as in the paper and the TF pix2pix tutorial, runs the
    generator once and updates both networks from that pass (two tapes):
      D: adversarial D loss on D([x, y]) and D([x, G(x)]),
      G: adversarial G loss on D([x, G(x)]) + l1_weight * mean|y - G(x)|,
    patch losses averaged per example and divided by the global batch.
    """

    def __init__(self, generator, discriminator, l1_weight=100.0, seed=0, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.l1_weight = float(l1_weight)
        self.trackers = {name: keras.metrics.Mean(name=name)
                         for name in ("g_loss", "g_adversarial", "l1", "d_loss")}
        self.built = True  # no `call`: fit must not feed images through the model

    def compile(self, g_optimizer=None, d_optimizer=None, loss="non_saturating", **kwargs):
        """`loss`: "non_saturating" (the paper's) or "least_squares"; optimizers
        default to Adam(2e-4, beta_1=0.5) each (the paper's); kwargs go to
        `keras.Model.compile`."""
        self._adversarial(loss)
        self.loss_name = loss
        self._set_optimizers(g_optimizer, d_optimizer, self.generator.trainable_variables,
                             self.discriminator.trainable_variables)
        kwargs.setdefault("jit_compile", False)
        super().compile(optimizer=self.g_optimizer, **kwargs)

    def get_compile_config(self):
        if not self.compiled:
            return None
        return {**self._optimizer_config(), "loss": self.loss_name}

    def _objectives(self, inputs, targets, training):
        g_loss_fn, d_loss_fn = self._adversarial(self.loss_name)
        _check_shape("The input", inputs, self.generator)
        fake = tf.cast(self.generator(inputs, training=training), tf.float32)
        if None not in targets.shape[1:] and targets.shape[1:] != fake.shape[1:]:
            raise ValueError(f"The targets have shape {tuple(targets.shape[1:])} but the "
                             f"generator makes {tuple(fake.shape[1:])}.")
        real_out = self.discriminator([inputs, targets], training=training)
        fake_out = self.discriminator([inputs, fake], training=training)
        d_loss = per_example(d_loss_fn(real_out, fake_out, reduction="none"))
        adversarial = per_example(g_loss_fn(fake_out, reduction="none"))
        l1 = _l1(targets, fake)
        return d_loss, adversarial, l1, adversarial + self.l1_weight * l1

    def train_step(self, data):
        inputs, targets = _pair(data, "Pix2Pix", "(inputs, targets)")
        with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
            d_loss, adversarial, l1, g_loss = self._objectives(inputs, targets, True)
            d_mean, g_mean = self._mean(d_loss), self._mean(g_loss)
        self._apply(self.d_optimizer, d_mean, d_tape, self.discriminator.trainable_variables)
        self._apply(self.g_optimizer, g_mean, g_tape, self.generator.trainable_variables)
        return self._track(g_loss=g_loss, g_adversarial=adversarial, l1=l1, d_loss=d_loss)

    def test_step(self, data):
        inputs, targets = _pair(data, "Pix2Pix", "(inputs, targets)")
        d_loss, adversarial, l1, g_loss = self._objectives(inputs, targets, False)
        return self._track(g_loss=g_loss, g_adversarial=adversarial, l1=l1, d_loss=d_loss)

    def get_config(self):
        config = super().get_config()
        config.update({"generator": keras.layers.serialize(self.generator),
                       "discriminator": keras.layers.serialize(self.discriminator),
                       "l1_weight": self.l1_weight, "seed": self.seed})
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("generator", "discriminator"):
            config[key] = keras.layers.deserialize(config[key])
        return cls(**config)


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

    def compile(self, g_optimizer=None, d_optimizer=None, **kwargs):
        """Optimizers default to Adam(2e-4, beta_1=0.5) each (the paper's);
        the loss is least squares, as in the paper; kwargs go to
        `keras.Model.compile`."""
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
            identity = _l1(b, run(g, b)) + _l1(a, run(f, a))
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
        a, b = _pair(data, "CycleGAN", "(images_a, images_b)")
        _check_shape("Domain A", a, self.generator)
        _check_shape("Domain B", b, self.generator_ba)
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
        a, b = _pair(data, "CycleGAN", "(images_a, images_b)")
        fake_a, fake_b, adversarial, cycle, identity, g_loss = self._generator_objective(
            a, b, training=False)
        d_loss = self._discriminator_objective(a, b, fake_a, fake_b, training=False)
        return self._track(g_loss=g_loss, g_adversarial=adversarial, cycle=cycle,
                           identity=identity, d_loss=d_loss)

    def translate(self, inputs, batch_size=64, reverse=False):
        """A -> B images (B -> A with `reverse=True`); see `Translator.translate`."""
        return super().translate(inputs, batch_size,
                                 generator=self.generator_ba if reverse else None)

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
