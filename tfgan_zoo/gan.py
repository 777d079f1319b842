"""`GAN`: a Keras model that trains a generator against a discriminator with `fit`."""
import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo import checks, losses
from tfgan_zoo.adversarial import AdversarialModel, per_example

# loss name -> (generator loss, discriminator loss, uses the gradient penalty)
LOSSES = {
    "non_saturating": (losses.modified_generator_loss,
                       losses.modified_discriminator_loss, False),
    "minimax": (losses.minimax_generator_loss, losses.minimax_discriminator_loss, False),
    "least_squares": (losses.least_squares_generator_loss,
                      losses.least_squares_discriminator_loss, False),
    "wgan_gp": (losses.wasserstein_generator_loss,
                losses.wasserstein_discriminator_loss, True),
    "hinge": (losses.hinge_generator_loss, losses.hinge_discriminator_loss, False),
}
_SMOOTHABLE = ("non_saturating", "minimax")


def _infer_latent_dim(generator):
    if getattr(generator, "latent_dim", None):
        return int(generator.latent_dim)
    try:
        return int(generator.inputs[0].shape[-1])
    except (AttributeError, TypeError, IndexError):
        raise ValueError(
            "Cannot tell the latent size of this generator: pass "
            "GAN(generator, discriminator, latent_dim=...).") from None


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class GAN(AdversarialModel):
    """A generator and a discriminator trained by `fit`.

    Networks take `z` (or `[z, labels]` when `num_classes` is set) and
    `images` (or `[images, labels]`). `fit` takes batches of images in
    [-1, 1], or `(images, labels)` for a class-conditional GAN; labels of
    generated images are those of the real batch.

    Each `train_step` runs `d_steps` discriminator updates (fresh latents,
    the same real batch) and then one generator update. Losses are computed
    per example and divided by the global batch size, and latents are drawn
    for the global batch and sliced per replica, so a step gives the same
    numbers on one device or under any `tf.distribute` strategy. The draw
    order per step is fixed: for each D step `z` then (wgan_gp) `alpha`, then
    the G step's `z`, all from `seed_generator`.
    """

    def __init__(self, generator, discriminator, latent_dim=None, num_classes=None,
                 ema_generator=None, seed=0, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.ema_generator = ema_generator
        self.latent_dim = latent_dim or _infer_latent_dim(generator)
        self.num_classes = (num_classes if num_classes is not None
                            else getattr(generator, "num_classes", None))
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.gp_tracker = keras.metrics.Mean(name="gp")
        self.r1_tracker = keras.metrics.Mean(name="r1")
        self.d_real_tracker = keras.metrics.Mean(name="d_real")
        self.d_fake_tracker = keras.metrics.Mean(name="d_fake")
        # No `call`: fit must never feed real images through the GAN itself.
        self.built = True

    @property
    def conditional(self):
        return self.num_classes is not None

    # ----------------------------------------------------------------- compile
    def compile(self, g_optimizer=None, d_optimizer=None, loss="non_saturating",
                d_steps=1, gp_weight=10.0, r1_weight=0.0, ema_decay=None,
                label_smoothing=0.0, simultaneous=False, **kwargs):
        """Configures training.

        Args:
          g_optimizer, d_optimizer: two distinct optimizers (names, configs or
            instances); default `default_optimizer()` each.
          loss: one of `LOSSES`.
          d_steps: discriminator updates per generator update.
          gp_weight: weight of the gradient penalty (wgan_gp only).
          r1_weight: gamma of the R1 penalty on real data (adds gamma/2 * R1).
          ema_decay: keep an exponential moving average of the generator's
            trainable weights in `ema_generator` (e.g. 0.999); its BatchNorm
            statistics are copied from the live generator, not averaged.
          label_smoothing: one-sided, for non_saturating and minimax.
          simultaneous: update G and D from one generator forward pass and
            the same latents (as the TF DCGAN tutorial's loop does) instead of
            alternating a D step and a G step on fresh latents: one G forward
            and one D pass on the fakes less per step. Needs d_steps=1.
          **kwargs: passed to `keras.Model.compile` (`steps_per_execution`,
            `jit_compile`, `run_eagerly`).
        """
        if loss not in LOSSES:
            raise ValueError(f"Unknown loss {loss!r}. Valid losses: {', '.join(LOSSES)}.")
        checks.check("d_steps", d_steps, "count")
        checks.check("ema_decay", ema_decay, "fraction")
        checks.check("label_smoothing", label_smoothing, "fraction")
        for name, weight in (("gp_weight", gp_weight), ("r1_weight", r1_weight)):
            checks.check(name, weight, "weight")
        if loss == "wgan_gp" and not gp_weight:
            raise ValueError("loss='wgan_gp' needs gp_weight > 0 (10 in the paper): without "
                             "the penalty nothing keeps the critic Lipschitz and it diverges.")
        if simultaneous and d_steps != 1:
            raise ValueError(f"simultaneous=True updates G and D once each per step: "
                             f"use d_steps=1 (got {d_steps}) or simultaneous=False.")
        if label_smoothing and loss not in _SMOOTHABLE:
            raise ValueError(f"label_smoothing applies to {_SMOOTHABLE}, not {loss!r}.")
        self._set_optimizers(g_optimizer, d_optimizer, self.generator.trainable_variables,
                             self.discriminator.trainable_variables)
        self.loss_name = loss
        self.d_steps = d_steps
        self.gp_weight = float(gp_weight)
        self.r1_weight = float(r1_weight)
        self.ema_decay = ema_decay
        self.label_smoothing = float(label_smoothing)
        self.simultaneous = bool(simultaneous)
        if ema_decay is not None and self.ema_generator is None:
            self.ema_generator = type(self.generator).from_config(self.generator.get_config())
            self.ema_generator.set_weights(self.generator.get_weights())
        if self.ema_generator is not None:
            self.ema_generator.trainable = False
        kwargs.setdefault("jit_compile", False)
        # `self.optimizer` is the generator's, so `optimizer.iterations`
        # counts train steps for callbacks such as TensorBoard.
        super().compile(optimizer=self.g_optimizer, **kwargs)

    def get_compile_config(self):
        if not self.compiled:
            return None
        return {
            **self._optimizer_config(),
            "loss": self.loss_name, "d_steps": self.d_steps,
            "gp_weight": self.gp_weight, "r1_weight": self.r1_weight,
            "ema_decay": self.ema_decay, "label_smoothing": self.label_smoothing,
            "simultaneous": self.simultaneous,
        }

    @property
    def metrics(self):
        active = [self.g_loss_tracker, self.d_loss_tracker]
        if getattr(self, "loss_name", None) == "wgan_gp" and self.gp_weight:
            active.append(self.gp_tracker)
        if getattr(self, "r1_weight", 0.0):
            active.append(self.r1_tracker)
        return active + [self.d_real_tracker, self.d_fake_tracker]

    # ------------------------------------------------------------- the step
    def _unpack(self, data):
        images, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
        if self.conditional and labels is None:
            raise ValueError(
                "This GAN is conditional (num_classes="
                f"{self.num_classes}) but the data has no labels: give "
                "(images, labels) batches, e.g. data.load_images(..., labels=True).")
        if not self.conditional and labels is not None:
            raise ValueError(
                "The data gives (images, labels) but this GAN is unconditional: "
                "drop the labels (data.load_images(..., labels=False)) or build "
                "networks with num_classes=... for a conditional GAN.")
        images = tf.cast(images, tf.float32)
        if labels is not None:
            labels = tf.reshape(tf.cast(labels, tf.int32), [-1])
        return images, labels

    def _check_shape(self, real, fake):
        if real.shape[1:].is_fully_defined() and real.shape[1:] != fake.shape[1:]:
            raise ValueError(
                f"The data has images of shape {tuple(real.shape[1:])} but the "
                f"generator makes {tuple(fake.shape[1:])}: build the networks for "
                f"image_shape={tuple(real.shape[1:])} or resize the data.")

    def _generate(self, z, labels, training, generator=None):
        generator = generator or self.generator
        return generator([z, labels] if self.conditional else z, training=training)

    def _discriminate(self, images, labels, training):
        return self.discriminator(
            [images, labels] if self.conditional else images, training=training)

    def _loss_options(self):
        options = {"reduction": "none"}
        if self.loss_name in _SMOOTHABLE:
            options["label_smoothing"] = self.label_smoothing
        return options

    def _fake(self, labels, batch, training):
        z = self._draw(batch, (self.latent_dim,), keras.random.normal)
        return tf.cast(self._generate(z, labels, training=training), tf.float32)

    def _d_objective(self, real, labels, batch, training=True, fake=None):
        """(Per-example discriminator loss, penalties included, and D's outputs
        on the fakes), on `fake` or on fakes from fresh latents."""
        _, d_loss_fn, uses_gp = LOSSES[self.loss_name]
        if fake is None:
            fake = self._fake(labels, batch, training)
        self._check_shape(real, fake)

        def discriminate(images):
            return self._discriminate(images, labels, training)

        real_out, fake_out = discriminate(real), discriminate(fake)
        d_loss = per_example(d_loss_fn(real_out, fake_out, **self._loss_options()))
        if uses_gp and self.gp_weight:
            alpha = self._draw(batch, (1,) * (real.shape.rank - 1), keras.random.uniform)
            gp = losses.wasserstein_gradient_penalty(
                real, fake, discriminate, alpha=alpha, reduction="none")
            self.gp_tracker.update_state(gp)
            d_loss += self.gp_weight * gp
        if self.r1_weight:
            r1 = losses.r1_penalty(real, discriminate, reduction="none")
            self.r1_tracker.update_state(r1)
            d_loss += 0.5 * self.r1_weight * r1
        self.d_loss_tracker.update_state(d_loss)
        self.d_real_tracker.update_state(per_example(real_out))
        self.d_fake_tracker.update_state(per_example(fake_out))
        return d_loss, fake_out

    def _g_objective(self, labels, batch, training=True, fake_out=None):
        """Per-example generator loss of `fake_out` (D's outputs on fakes), or
        of fakes from fresh latents."""
        g_loss_fn = LOSSES[self.loss_name][0]
        if fake_out is None:
            fake_out = self._discriminate(self._fake(labels, batch, training), labels,
                                          training)
        g_loss = per_example(g_loss_fn(fake_out, **self._loss_options()))
        self.g_loss_tracker.update_state(g_loss)
        return g_loss

    def train_step(self, data):
        real, labels = self._unpack(data)
        batch = tf.shape(real)[0]
        d_vars = self.discriminator.trainable_variables
        g_vars = self.generator.trainable_variables
        if self.simultaneous:
            with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
                d_loss, fake_out = self._d_objective(
                    real, labels, batch, fake=self._fake(labels, batch, training=True))
                d_loss = self._mean(d_loss)
                g_loss = self._mean(self._g_objective(labels, batch, fake_out=fake_out))
            self._apply(self.d_optimizer, d_loss, d_tape, d_vars)
            self._apply(self.g_optimizer, g_loss, g_tape, g_vars)
        else:
            for _ in range(self.d_steps):
                with tf.GradientTape() as tape:
                    d_loss = self._mean(self._d_objective(real, labels, batch)[0])
                self._apply(self.d_optimizer, d_loss, tape, d_vars)
            with tf.GradientTape() as tape:
                g_loss = self._mean(self._g_objective(labels, batch))
            self._apply(self.g_optimizer, g_loss, tape, g_vars)
        if self.ema_generator is not None:
            self._update_ema()
        return self._logs()

    def test_step(self, data):
        real, labels = self._unpack(data)
        batch = tf.shape(real)[0]
        self._d_objective(real, labels, batch, training=False)
        self._g_objective(labels, batch, training=False)
        return self._logs()

    def _update_ema(self):
        decay = self.ema_decay
        trainable = {id(v) for v in self.generator.trainable_weights}

        def average(ema, live):
            return ema.assign(decay * ema + (1.0 - decay) * live)

        def copy(ema, live):
            # BatchNorm statistics: an average of statistics of past
            # generators fits none of them, so the EMA copy takes the live ones.
            return ema.assign(live)

        self._assign_everywhere([(ema, average if id(live) in trainable else copy, live.value)
                                 for ema, live in zip(self.ema_generator.weights,
                                                      self.generator.weights)])

    # ------------------------------------------------------------- sampling
    def generate(self, num, seed=0, labels=None, batch_size=256, use_ema=True):
        """Returns `num` images in [-1, 1] as a float32 numpy array [N, H, W, C].

        The same `seed` gives the same latents, hence the same images.
        `labels`: an int or `num` ints in [0, num_classes), required exactly
        when the GAN is conditional. Uses the EMA generator when there is one
        and `use_ema` is true.
        """
        labels = self._check_labels(labels, num)
        generator = self.ema_generator if (use_ema and self.ema_generator) else self.generator
        z = self.latents(num, seed)
        out = []
        for start in range(0, num, batch_size):
            stop = min(start + batch_size, num)
            y = None if labels is None else labels[start:stop]
            out.append(keras.ops.convert_to_numpy(
                self._generate(z[start:stop], y, training=False, generator=generator)))
        return np.concatenate(out).astype(np.float32)

    def latents(self, num, seed):
        """The [num, latent_dim] standard-normal latents of `generate(num, seed)`.

        `seed` may be an int or an int64 tensor (exported signatures): the draw
        is `keras.random.normal(..., seed=int)`'s stateless one, written with
        tensors.
        """
        key = tf.stack([tf.cast(seed, tf.int64), tf.constant(0, tf.int64)])
        key = tf.cast(tf.math.floormod(key, tf.int32.max - 1), tf.int32)
        return tf.random.stateless_normal(tf.stack([tf.cast(num, tf.int32), self.latent_dim]),
                                          seed=key)

    def class_cycle(self, num, start=0):
        """Labels start, start+1, ... modulo the classes (None if unconditional):
        balanced classes for grids and evaluation."""
        if not self.conditional:
            return None
        return np.arange(start, start + num) % self.num_classes

    def _check_labels(self, labels, num):
        if not self.conditional:
            if labels is not None:
                raise ValueError("labels were given but this GAN is unconditional: "
                                 "leave the labels out.")
            return None
        if labels is None:
            raise ValueError(
                f"This GAN is conditional: pass labels=, an int or {num} ints in "
                f"[0, {self.num_classes}).")
        labels = np.asarray(labels)
        if labels.size not in (1, num) or labels.ndim > 1:
            raise ValueError(f"labels: give one label, or one per sample ({num}); "
                             f"got {labels.size}.")
        labels = np.broadcast_to(labels, (num,))
        if not np.issubdtype(labels.dtype, np.integer) or (
                labels.size and (labels.min() < 0 or labels.max() >= self.num_classes)):
            raise ValueError(
                f"labels must be ints in [0, {self.num_classes}), got {labels[:8]}...")
        return tf.constant(labels, tf.int32)

    def get_config(self):
        config = super().get_config()
        config.update({
            "generator": keras.layers.serialize(self.generator),
            "discriminator": keras.layers.serialize(self.discriminator),
            "ema_generator": (keras.layers.serialize(self.ema_generator)
                              if self.ema_generator is not None else None),
            "latent_dim": self.latent_dim,
            "num_classes": self.num_classes,
            "seed": self.seed,
        })
        # Sub-layers frozen after construction (FreezeD): network configs do
        # not record them, and the optimizers must be built without them.
        frozen = {key: [layer.name for layer in network.layers
                        if not layer.trainable and layer.weights]
                  for key, network in (("generator", self.generator),
                                       ("discriminator", self.discriminator))}
        if any(frozen.values()):
            config["frozen_layers"] = frozen
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("generator", "discriminator", "ema_generator"):
            if config.get(key) is not None:
                config[key] = keras.layers.deserialize(config[key])
        frozen = config.pop("frozen_layers", {})
        for key, names in frozen.items():
            for name in names:
                config[key].get_layer(name).trainable = False
        return cls(**config)
