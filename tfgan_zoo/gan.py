"""`GAN`: a Keras model that trains a generator against a discriminator with `fit`."""
import contextlib
import dataclasses
import difflib
import keras
import numpy as np
import tensorflow as tf

from tfgan_zoo import augment as augmentation
from tfgan_zoo import checks, losses
from tfgan_zoo.adversarial import AdversarialModel, per_example

@dataclasses.dataclass(frozen=True)
class Loss:
    """Everything the engine knows about a GAN loss, in one record.

    `generator`, `discriminator`: the `losses` functions; `help`: a few
    words for `--loss`; `gradient_penalty`: D also pays WGAN-GP's penalty;
    `smoothable`: takes `label_smoothing`; `relativistic`: G's side also
    takes D's outputs on the reals; `ada_logit(real, fake)`: the logit whose
    sign ADA's overfitting heuristic r_t = E[sign(logit)] reads (Karras et
    al. 2020), None where ADA means nothing; `recipe`: the optimizer and D
    steps of the paper that introduced it (`training`; None: the default).
    """
    generator: object
    discriminator: object
    help: str
    gradient_penalty: bool = False
    smoothable: bool = False
    relativistic: bool = False
    ada_logit: object = None
    recipe: dict = None


def _d_output(real, fake):
    return real


# ADA's logits: D's output for the logistic and hinge losses (threshold 0, as in
# the paper); its distance past the labels' midpoint (0.5) for least squares;
# for rpgan each pair's relativistic logit D(real) - D(fake) (the signs R3GAN's
# code reports), since adding a constant to D changes nothing in that loss. A
# WGAN critic's scores have no threshold: no ADA for wgan_gp.
LOSSES = {
    "non_saturating": Loss(losses.modified_generator_loss, losses.modified_discriminator_loss,
                           "the logistic loss, G maximizing log D(G(z))", smoothable=True,
                           ada_logit=_d_output),
    "minimax": Loss(losses.minimax_generator_loss, losses.minimax_discriminator_loss,
                    "the original minimax game", smoothable=True, ada_logit=_d_output),
    "least_squares": Loss(losses.least_squares_generator_loss,
                          losses.least_squares_discriminator_loss, "LSGAN",
                          ada_logit=lambda real, fake: real - 0.5),
    "wgan_gp": Loss(losses.wasserstein_generator_loss, losses.wasserstein_discriminator_loss,
                    "Wasserstein with the gradient penalty", gradient_penalty=True,
                    recipe={"d_steps": 5, "adam": {"learning_rate": 1e-4, "beta_1": 0.0,
                                                   "beta_2": 0.9}}),
    "hinge": Loss(losses.hinge_generator_loss, losses.hinge_discriminator_loss,
                  "the margin loss of SAGAN and BigGAN",
                  ada_logit=_d_output),
    # R3GAN's recipe (arXiv:2501.05441, their CIFAR-10 one): Adam(beta_1=0), the
    # learning rate 2e-4 -> 5e-5 and gamma of R1 = R2 0.05 -> 0.005 along
    # half-cosines over the run (their beta_2 0.9 -> 0.99 is fixed at 0.99).
    "rpgan": Loss(losses.relativistic_pairing_generator_loss,
                  losses.relativistic_pairing_discriminator_loss,
                  "relativistic pairing, with R1 and R2", relativistic=True,
                  ada_logit=lambda real, fake: real - fake,
                  recipe={"d_steps": 1, "adam": {"learning_rate": 2e-4, "beta_1": 0.0,
                                                 "beta_2": 0.99, "epsilon": 1e-8},
                          "lr_decay_to": 0.25, "gamma": 0.05, "gamma_decay_to": 0.1}),
}


def check_loss(loss):
    """`loss`, refused with the valid names unless it is one of `LOSSES`."""
    if loss not in LOSSES:
        raise ValueError(f"Unknown loss {loss!r}. Valid losses: {', '.join(LOSSES)}.")
    return loss


def check_augment(loss, augmenter):
    """`augmenter`, refused where it is ADA and `loss` has no `ada_logit`."""
    if (isinstance(augmenter, augmentation.AdaptiveAugment)
            and LOSSES[check_loss(loss)].ada_logit is None):
        raise ValueError(f"augment='ada' adapts p from the sign of D's outputs on real "
                         f"images, which means nothing for loss={loss!r} (a critic's "
                         f"scores have no threshold): use augment='diffaugment', or "
                         f"another loss.")
    return augmenter


def _slerp(a, b, t):
    """Spherical interpolation of rows a, b [1, D] at t [steps, 1] (Shoemake
    1985); linear where the two are (anti)parallel and the arc is undefined."""
    a_unit, b_unit = tf.math.l2_normalize(a, axis=1), tf.math.l2_normalize(b, axis=1)
    cos = tf.clip_by_value(tf.reduce_sum(a_unit * b_unit, axis=1, keepdims=True), -1.0, 1.0)
    omega = tf.acos(cos)
    sin = tf.sin(omega)
    safe = sin > 1e-6
    sin = tf.where(safe, sin, 1.0)
    spherical = (tf.sin((1.0 - t) * omega) * a + tf.sin(t * omega) * b) / sin
    return tf.where(safe, spherical, _lerp(a, b, t))


def _lerp(a, b, t):
    return (1.0 - t) * a + t * b


INTERPOLATIONS = {"slerp": _slerp, "linear": _lerp}


def _weight(name, weight):
    """A penalty weight: a number >= 0, or a Keras schedule (or its config)."""
    if isinstance(weight, dict):
        weight = keras.optimizers.schedules.deserialize(weight)
    if isinstance(weight, keras.optimizers.schedules.LearningRateSchedule):
        return weight
    return float(checks.check(name, weight, "weight"))


def _infer_latent_dim(generator):
    if getattr(generator, "latent_dim", None):
        return int(generator.latent_dim)
    try:
        return int(generator.inputs[0].shape[-1])
    except (AttributeError, TypeError, IndexError):
        raise ValueError(
            "Cannot tell the latent size of this generator: pass "
            "GAN(generator, discriminator, latent_dim=...).") from None


MAX_GENERATE = 2**31 - 1  # latents are drawn with an int32 count


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
    order per step is fixed: for each D step `z`, (with augmentation) the
    draws of the real then the fake images' augmentations, (wgan_gp)
    `alpha`, then the G step's `z` and its fakes' augmentation draws, all
    from `seed_generator`.

    `augmenter` (set by `compile(augment=...)`, kept in the config so that
    its state, ADA's p, is saved with the weights) transforms every image D
    sees while training: see `tfgan_zoo.augment`.
    """

    def __init__(self, generator, discriminator, latent_dim=None, num_classes=None,
                 ema_generator=None, seed=0, augmenter=None, class_names=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.ema_generator = ema_generator
        self.augmenter = augmenter
        self.latent_dim = latent_dim or _infer_latent_dim(generator)
        self.num_classes = (num_classes if num_classes is not None
                            else getattr(generator, "num_classes", None))
        self.class_names = class_names
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.gp_tracker = keras.metrics.Mean(name="gp")
        self.r1_tracker = keras.metrics.Mean(name="r1")
        self.r2_tracker = keras.metrics.Mean(name="r2")
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
                label_smoothing=0.0, simultaneous=False, augment=None, r2_weight=0.0,
                **kwargs):
        """Configures training.

        Args:
          g_optimizer, d_optimizer: two distinct optimizers (names, configs or
            instances); default `default_optimizer()` each.
          loss: one of `LOSSES`.
          d_steps: discriminator updates per generator update.
          gp_weight: weight of the gradient penalty (wgan_gp only).
          r1_weight: gamma of the R1 penalty on real data (adds gamma/2 * R1):
            a number, or a `keras.optimizers.schedules.LearningRateSchedule`
            of the discriminator's step (R3GAN's cosine decay of gamma:
            `keras.optimizers.schedules.CosineDecay(gamma, steps, alpha=0.1)`).
          r2_weight: gamma of the same penalty on generated data (R2), the
            same way; R3GAN uses r1_weight = r2_weight.
          ema_decay: keep an exponential moving average of the generator's
            trainable weights in `ema_generator` (e.g. 0.999); its BatchNorm
            statistics are copied from the live generator, not averaged.
          label_smoothing: one-sided, for non_saturating and minimax.
          simultaneous: update G and D from one generator forward pass and
            the same latents (as the TF DCGAN tutorial's loop does) instead of
            alternating a D step and a G step on fresh latents: one G forward
            and one D pass on the fakes less per step. Needs d_steps=1.
          augment: what D sees while training, for small data sets (see
            `tfgan_zoo.augment.get`): None or "none"; "diffaugment" or a
            DiffAugment policy like "color,translation,cutout"; "ada"; or an
            augmentation layer. An augmenter of the same configuration as
            the GAN's current one is kept, with its state (ADA's p).
          **kwargs: passed to `keras.Model.compile` (`steps_per_execution`,
            `jit_compile`, `run_eagerly`).
        """
        check_loss(loss)
        checks.check("d_steps", d_steps, "count")
        checks.check("ema_decay", ema_decay, "fraction")
        checks.check("label_smoothing", label_smoothing, "fraction")
        checks.check("gp_weight", gp_weight, "weight")
        r1_weight, r2_weight = (_weight(name, weight) for name, weight in (
            ("r1_weight", r1_weight), ("r2_weight", r2_weight)))
        if loss == "wgan_gp" and not gp_weight:
            raise ValueError("loss='wgan_gp' needs gp_weight > 0 (10 in the paper): without "
                             "the penalty nothing keeps the critic Lipschitz and it diverges.")
        if simultaneous and d_steps != 1:
            raise ValueError(f"simultaneous=True updates G and D once each per step: "
                             f"use d_steps=1 (got {d_steps}) or simultaneous=False.")
        if label_smoothing and not LOSSES[loss].smoothable:
            smoothable = tuple(name for name, record in LOSSES.items() if record.smoothable)
            raise ValueError(f"label_smoothing applies to {smoothable}, not {loss!r}.")
        augmenter = check_augment(loss, augmentation.get(augment))
        self._call_once(self.generator, self.discriminator)  # lazily built networks
        self._set_optimizers(g_optimizer, d_optimizer, self.generator.trainable_variables,
                             self.discriminator.trainable_variables)
        self.loss_name = loss
        self.d_steps = d_steps
        self.gp_weight = float(gp_weight)
        self.r1_weight, self.r2_weight = r1_weight, r2_weight
        self.ema_decay = ema_decay
        self.label_smoothing = float(label_smoothing)
        self.simultaneous = bool(simultaneous)
        self._set_augmenter(augmenter)
        if ema_decay is not None and self.ema_generator is None:
            self.ema_generator = type(self.generator).from_config(self.generator.get_config())
            self._call_once(self.ema_generator)
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
            "gp_weight": self.gp_weight,
            **{name: (keras.optimizers.schedules.serialize(weight)
                      if isinstance(weight, keras.optimizers.schedules.LearningRateSchedule)
                      else weight)
               for name, weight in (("r1_weight", self.r1_weight),
                                    ("r2_weight", self.r2_weight))},
            "ema_decay": self.ema_decay, "label_smoothing": self.label_smoothing,
            "simultaneous": self.simultaneous,
            "augment": (keras.layers.serialize(self.augmenter)
                        if self.augmenter is not None else None),
        }

    def _set_augmenter(self, augmenter):
        current = self.augmenter
        if current is not None and augmenter is not None and (
                type(current) is type(augmenter)
                and {**current.get_config(), "name": None} == {**augmenter.get_config(),
                                                              "name": None}):
            return  # the same augmentation: keep its state
        if current is not None:
            # Keras tracks sub-layers by assignment and never forgets one:
            # the old augmenter's state would still be saved with the weights.
            self._tracker.untrack(current)
        self.augmenter = augmenter

    @property
    def metrics(self):
        active = [self.g_loss_tracker, self.d_loss_tracker]
        if getattr(self, "loss_name", None) == "wgan_gp" and self.gp_weight:
            active.append(self.gp_tracker)
        if getattr(self, "r1_weight", 0.0):
            active.append(self.r1_tracker)
        if getattr(self, "r2_weight", 0.0):
            active.append(self.r2_tracker)
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

    def _call_once(self, generator, discriminator=None):
        """Calls the networks once on one latent, so that networks Keras
        builds on their first call (subclassed, built lazily) have their
        variables before anything reads them; built ones are left alone."""
        networks = [n for n in (generator, discriminator) if n is not None]
        if all(n.built and n.variables for n in networks):
            return
        labels = tf.zeros([1], tf.int32) if self.conditional else None
        images = self._generate(self.latents(1, 0), labels, training=False, generator=generator)
        if discriminator is not None:
            discriminator([images, labels] if self.conditional else images, training=False)

    def _generate(self, z, labels, training, generator=None):
        generator = generator or self.generator
        return generator([z, labels] if self.conditional else z, training=training)

    def _discriminate(self, images, labels, training):
        return self.discriminator(
            [images, labels] if self.conditional else images, training=training)

    def _augmented(self, images, training):
        if self.augmenter is None or not training:
            return images
        batch = tf.shape(images)[0]
        return self.augmenter.augment(images, lambda tail, fn: self._draw(batch, tail, fn))

    def _augmenter_feedback(self, real_out, fake_out):
        """Tells the augmenter (ADA) the signs of this step's logits on the
        real images (the loss's `ada_logit`), summed over the global batch."""
        logit = LOSSES[self.loss_name].ada_logit
        if self.augmenter is None or logit is None:
            return
        signs = tf.sign(logit(per_example(real_out), per_example(fake_out)))
        totals = tf.distribute.get_replica_context().all_reduce(
            tf.distribute.ReduceOp.SUM,
            tf.stack([tf.reduce_sum(signs), tf.cast(tf.size(signs), tf.float32)]))
        updates = self.augmenter.feedback(totals[0], totals[1])
        self._assign_everywhere([(variable, lambda v, x: v.assign(x), value)
                                 for variable, value in updates])

    def _loss_options(self):
        options = {"reduction": "none"}
        if LOSSES[self.loss_name].smoothable:
            options["label_smoothing"] = self.label_smoothing
        return options

    def _fake(self, labels, batch, training):
        z = self._draw(batch, (self.latent_dim,), keras.random.normal)
        return tf.cast(self._generate(z, labels, training=training), tf.float32)

    def _d_objective(self, real, labels, batch, training=True, fake=None):
        """(Per-example discriminator loss, penalties included, and D's outputs
        on the fakes), on `fake` or on fakes from fresh latents."""
        d_loss_fn, uses_gp = (LOSSES[self.loss_name].discriminator,
                              LOSSES[self.loss_name].gradient_penalty)
        if fake is None:
            fake = self._fake(labels, batch, training)
        self._check_shape(real, fake)

        def discriminate(images):
            return self._discriminate(self._augmented(images, training), labels, training)

        # R1 and R2 differentiate these same forward passes by their inputs
        # (`losses.r1_penalty` and `r2_penalty` without two more passes of D);
        # the tape only when a penalty needs it: an idle persistent tape made
        # the DCGAN step 12-15% slower.
        penalized = bool(self.r1_weight or self.r2_weight)
        with (tf.GradientTape(persistent=True) if penalized
              else contextlib.nullcontext()) as input_tape:
            if penalized:
                input_tape.watch([real, fake])
            real_out = discriminate(real)
            # D's own losses (Keras `add_loss`: FastGAN's reconstruction of
            # the reals) from this call; each call replaces them.
            own = list(self.discriminator.losses)
            fake_out = discriminate(fake)
        if training:
            self._augmenter_feedback(real_out, fake_out)
        d_loss = per_example(d_loss_fn(real_out, fake_out, **self._loss_options()))
        if own:
            d_loss += tf.cast(tf.add_n(own), d_loss.dtype)
        if uses_gp and self.gp_weight:
            alpha = self._draw(batch, (1,) * (real.shape.rank - 1), keras.random.uniform)
            gp = losses.wasserstein_gradient_penalty(
                real, fake, discriminate, alpha=alpha, reduction="none")
            self.gp_tracker.update_state(gp)
            d_loss += self.gp_weight * gp
        for weight, images, outputs, tracker in (
                (self.r1_weight, real, real_out, self.r1_tracker),
                (self.r2_weight, fake, fake_out, self.r2_tracker)):
            if weight:
                values = losses.squared_norms(input_tape.gradient(outputs, images))
                tracker.update_state(values)
                d_loss += 0.5 * self._gamma(weight) * values
        self.d_loss_tracker.update_state(d_loss)
        self.d_real_tracker.update_state(per_example(real_out))
        self.d_fake_tracker.update_state(per_example(fake_out))
        return d_loss, (real_out, fake_out)

    def _gamma(self, weight):
        """A penalty's weight now: a number, or its schedule at D's step."""
        if isinstance(weight, keras.optimizers.schedules.LearningRateSchedule):
            return tf.cast(weight(self.d_optimizer.iterations), tf.float32)
        return weight

    def _g_objective(self, real, labels, batch, training=True, outputs=None):
        """Per-example generator loss of `outputs` (D's outputs on the reals
        and the fakes), or of fakes from fresh latents (and `real`)."""
        g_loss_fn = LOSSES[self.loss_name].generator
        relativistic = LOSSES[self.loss_name].relativistic
        if outputs is None:
            fake_out = self._discriminate(
                self._augmented(self._fake(labels, batch, training), training), labels,
                training)
            real_out = (self._discriminate(self._augmented(real, training), labels, training)
                        if relativistic else None)
        else:
            real_out, fake_out = outputs
        pair = (tf.stop_gradient(real_out), fake_out) if relativistic else (fake_out,)
        g_loss = per_example(g_loss_fn(*pair, **self._loss_options()))
        self.g_loss_tracker.update_state(g_loss)
        return g_loss

    def train_step(self, data):
        real, labels = self._unpack(data)
        batch = tf.shape(real)[0]
        d_vars = self.discriminator.trainable_variables
        g_vars = self.generator.trainable_variables
        if self.simultaneous:
            with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
                d_loss, outputs = self._d_objective(
                    real, labels, batch, fake=self._fake(labels, batch, training=True))
                d_loss = self._mean(d_loss)
                g_loss = self._mean(self._g_objective(real, labels, batch, outputs=outputs))
            self._apply(self.d_optimizer, d_loss, d_tape, d_vars)
            self._apply(self.g_optimizer, g_loss, g_tape, g_vars)
        else:
            for _ in range(self.d_steps):
                with tf.GradientTape() as tape:
                    d_loss = self._mean(self._d_objective(real, labels, batch)[0])
                self._apply(self.d_optimizer, d_loss, tape, d_vars)
            with tf.GradientTape() as tape:
                g_loss = self._mean(self._g_objective(real, labels, batch))
            self._apply(self.g_optimizer, g_loss, tape, g_vars)
        if self.ema_generator is not None:
            self._update_ema()
        return self._logs(self.augmenter.logs() if self.augmenter is not None else None)

    def test_step(self, data):
        real, labels = self._unpack(data)
        batch = tf.shape(real)[0]
        self._d_objective(real, labels, batch, training=False)
        self._g_objective(real, labels, batch, training=False)
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
    def generate(self, num, seed=0, labels=None, batch_size=256, use_ema=True, truncation=1.0):
        """Returns `num` images in [-1, 1] as a float32 numpy array [N, H, W, C].

        The same `seed` gives the same latents, hence the same images.
        `labels`: an int or `num` ints in [0, num_classes), required exactly
        when the GAN is conditional. `truncation` psi in (0, 1] scales the
        latents toward their mean (see `latents`): lower psi gives more
        typical, less varied images. Uses the EMA generator when there is one
        and `use_ema` is true.
        """
        checks.check_settings(num=num, seed=seed, truncation=truncation)
        if num > MAX_GENERATE:
            raise ValueError(f"num must be at most {MAX_GENERATE:,} (images in one array); got "
                             f"{num}: generate in parts, with other seeds.")
        labels = self._check_labels(labels, num)
        z = self.latents(num, seed, truncation=truncation)
        return self._run_generator(z, labels, batch_size, use_ema)

    def interpolate(self, seed_a, seed_b, steps=8, labels=None, method="slerp",
                    truncation=1.0, use_ema=True):
        """A latent walk: `steps` images [steps, H, W, C] in [-1, 1] from the
        image of `generate(1, seed_a)` to that of `generate(1, seed_b)`.

        `method`: "slerp" (spherical, the default: intermediate latents keep
        the norm that Gaussian latents have, so the middle of the walk is as
        sharp as its ends) or "linear". `labels` (conditional GANs only): one
        class for the whole walk, or two, `(label_a, label_b)`, to walk
        between the classes too (their one-hot class weights are
        interpolated linearly). `truncation` as in `generate`.
        """
        checks.check_settings(steps=steps, truncation=truncation)
        for seed in (seed_a, seed_b):
            checks.check("seed", seed, "seed")
        z, weights = self.interpolation_inputs(seed_a, seed_b, steps,
                                               self._check_walk_labels(labels), method,
                                               truncation)
        return self._run_generator(z, weights, 256, use_ema)

    def interpolation_inputs(self, seed_a, seed_b, steps, labels=None, method="slerp",
                             truncation=1.0):
        """(latents [steps, latent_dim], class weights [steps, num_classes] or
        None) of `interpolate`, from tensors or numbers (exported signatures
        call it with tensors, after their own checks). `labels`: None or two
        class ids (a, b)."""
        if method not in INTERPOLATIONS:
            raise ValueError(f"Unknown interpolation {method!r}: use one of "
                             f"{', '.join(INTERPOLATIONS)}.")
        ends = tf.concat([self.latents(1, seed_a, truncation),
                          self.latents(1, seed_b, truncation)], axis=0)
        t = tf.linspace(0.0, 1.0, tf.cast(steps, tf.int32))[:, None]
        z = INTERPOLATIONS[method](ends[0:1], ends[1:2], t)
        if labels is None:
            return z, None
        onehot = tf.one_hot(tf.cast(labels, tf.int32), self.num_classes)
        return z, (1.0 - t) * onehot[0:1] + t * onehot[1:2]

    def _check_walk_labels(self, labels):
        if not self.conditional or labels is None:
            self._check_labels(labels, 2)  # the same errors as generate's
            return None
        labels = np.atleast_1d(np.asarray(self.class_ids(labels)))
        if labels.ndim != 1 or labels.size not in (1, 2):
            raise ValueError("labels of a latent walk: one class, or two (label_a, "
                             f"label_b) to walk between classes; got {labels.tolist()}.")
        return keras.ops.convert_to_numpy(self._check_labels(np.resize(labels, 2), 2))

    def _run_generator(self, z, labels, batch_size, use_ema):
        generator = self.ema_generator if (use_ema and self.ema_generator) else self.generator
        out = []
        for start in range(0, int(z.shape[0]), batch_size):
            stop = start + batch_size
            y = None if labels is None else labels[start:stop]
            out.append(keras.ops.convert_to_numpy(
                self._generate(z[start:stop], y, training=False, generator=generator)))
        # In [-1, 1] as promised, also for generators without a tanh (R3GAN's).
        return np.clip(np.concatenate(out).astype(np.float32), -1.0, 1.0)

    @property
    def image_shape(self):
        """(height, width, channels) of the images the generator makes, from
        one image (any Keras generator answers: functional, subclassed or
        built on its first call)."""
        if "_image_shape" not in self.__dict__:  # untracked: not a Keras attribute
            labels = tf.zeros([1], tf.int32) if self.conditional else None
            made = self._generate(self.latents(1, 0), labels, training=False,
                                  generator=self.generator)
            self.__dict__["_image_shape"] = tuple(int(s) for s in made.shape[1:])
        return self.__dict__["_image_shape"]

    def latents(self, num, seed, truncation=1.0):
        """The [num, latent_dim] latents of `generate(num, seed, truncation=)`:
        standard-normal draws times `truncation`.

        Truncation scales each latent toward the mean of the latent
        distribution (0 for these Gaussian latents), as StyleGAN's psi does
        for its mapped latents, rather than resampling the draws that fall
        outside a threshold (BigGAN's truncated normal). Scaling keeps each
        seed's latent on one ray, so the same seed gives the same picture,
        only more typical, at every psi: a truncation slider moves smoothly,
        psi=1 is the untruncated sample, and a caller of a raw LiteRT model
        truncates with one multiplication (`z * psi`). Resampling would give
        a seed a different latent whenever one of its draws crosses the
        threshold.

        `seed` and `truncation` may be numbers or tensors (exported
        signatures): the draw is `keras.random.normal(..., seed=int)`'s
        stateless one, written with tensors. Any int64 seed (negative ones
        too) draws latents of its own.
        """
        # Every int64 seed its own key: TF's stateless ops take all 64 bits of
        # seed[0] (a seed in [0, 2^31) draws what the int32 key [seed, 0] drew).
        key = tf.stack([tf.cast(seed, tf.int64), tf.constant(0, tf.int64)])
        z = tf.random.stateless_normal(tf.stack([tf.cast(num, tf.int32), self.latent_dim]),
                                       seed=key)
        return z * tf.cast(truncation, tf.float32)

    def class_cycle(self, num, start=0):
        """Labels start, start+1, ... modulo the classes (None if unconditional):
        balanced classes for grids and evaluation."""
        if not self.conditional:
            return None
        return np.arange(start, start + num) % self.num_classes

    @property
    def class_names(self):
        """A name per class (a tuple of str; the data's: see
        `data.name_classes`), or None. Labels may be given by name."""
        return self._class_names

    @class_names.setter
    def class_names(self, names):
        if names is not None:
            names = tuple(str(name) for name in names)
            if len(names) != (self.num_classes or 0):
                raise ValueError(f"class_names: one name per class ({self.num_classes or 0}); "
                                 f"got {len(names)}.")
            if len({name.lower() for name in names}) != len(names):
                raise ValueError(f"class_names must differ (case aside): {list(names)}.")
        self._class_names = names

    def class_ids(self, labels):
        """`labels` (a label or a sequence) with each str replaced by its
        class id: a class name (any case), else a numeral ("3"); other
        values pass as they are."""
        lookup = {name.lower(): i for i, name in enumerate(self.class_names or ())}

        def one(label):
            if not isinstance(label, str):
                return label
            if label.lower() in lookup:
                return lookup[label.lower()]
            if label.strip().lstrip("-").isdigit():
                return int(label)
            close = difflib.get_close_matches(label.lower(), lookup, n=1)
            hint = f"did you mean {self.class_names[lookup[close[0]]]!r}? " if close else ""
            known = (f"this GAN's classes are {', '.join(map(repr, self.class_names))}"
                     if self.class_names else "this GAN's classes have no names")
            raise ValueError(f"Unknown class {label!r}: {hint}{known}; or give numbers "
                             f"0..{(self.num_classes or 1) - 1}.")

        if isinstance(labels, str):
            return one(labels)
        if isinstance(labels, (list, tuple)) or (isinstance(labels, np.ndarray)
                                                 and labels.dtype.kind in "US"):
            return [one(label if not isinstance(label, np.str_) else str(label))
                    for label in np.asarray(labels, dtype=object).ravel()]
        return labels

    def class_label(self, label):
        """A class's name when it has one, else its number (for captions)."""
        return self.class_names[label] if self.class_names else str(label)

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
        labels = np.asarray(self.class_ids(labels))
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
            "class_names": list(self.class_names) if self.class_names else None,
            "augmenter": (keras.layers.serialize(self.augmenter)
                          if self.augmenter is not None else None),
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
        for key in ("generator", "discriminator", "ema_generator", "augmenter"):
            if config.get(key) is not None:
                config[key] = keras.layers.deserialize(config[key])
        frozen = config.pop("frozen_layers", {})
        for key, names in frozen.items():
            for name in names:
                config[key].get_layer(name).trainable = False
        return cls(**config)
