"""The pix2pix training model (Isola et al. 2017, arXiv:1611.07004): paired
image-to-image translation trained with `fit`."""
import keras
import tensorflow as tf

from tfgan_zoo import Translator
from tfgan_zoo.adversarial import per_example
from tfgan_zoo.translator import check_shape, per_example_l1


# Registered as "tfgan_zoo>Pix2Pix", the name in the shipped presets' configs.
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
        check_shape("The input", inputs, self.generator)
        fake = tf.cast(self.generator(inputs, training=training), tf.float32)
        if None not in targets.shape[1:] and targets.shape[1:] != fake.shape[1:]:
            raise ValueError(f"The targets have shape {tuple(targets.shape[1:])} but the "
                             f"generator makes {tuple(fake.shape[1:])}.")
        real_out = self.discriminator([inputs, targets], training=training)
        fake_out = self.discriminator([inputs, fake], training=training)
        d_loss = per_example(d_loss_fn(real_out, fake_out, reduction="none"))
        adversarial = per_example(g_loss_fn(fake_out, reduction="none"))
        l1 = per_example_l1(targets, fake)
        return d_loss, adversarial, l1, adversarial + self.l1_weight * l1

    def train_step(self, data):
        inputs, targets = self.pair(data)
        with tf.GradientTape() as d_tape, tf.GradientTape() as g_tape:
            d_loss, adversarial, l1, g_loss = self._objectives(inputs, targets, True)
            d_mean, g_mean = self._mean(d_loss), self._mean(g_loss)
        self._apply(self.d_optimizer, d_mean, d_tape, self.discriminator.trainable_variables)
        self._apply(self.g_optimizer, g_mean, g_tape, self.generator.trainable_variables)
        return self._track(g_loss=g_loss, g_adversarial=adversarial, l1=l1, d_loss=d_loss)

    def test_step(self, data):
        inputs, targets = self.pair(data)
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
