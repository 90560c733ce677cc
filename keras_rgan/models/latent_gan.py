"""A latent recurrent GAN: a recurrent autoencoder compresses each sequence to
one code, and a WGAN-GP learns the distribution of the codes (RTSGAN: Pei,
Sun, Liu, Liu, "Towards Generating Real-World Time Series Data", ICDM
2021)."""

import keras
import tensorflow as tf

from keras_rgan import distribute
from keras_rgan import losses
from keras_rgan import recipes
from keras_rgan.layers.recurrent_stack import RecurrentStack
from keras_rgan.layers.residual_noise import ResidualNoise
from keras_rgan.models.gan import SequenceGAN
from keras_rgan.models.gan import check_numeric_schema
from keras_rgan.models.generator import RecurrentGenerator
from keras_rgan.models.phases import PhasedTraining

PHASES = ("autoencoder", "gan")


def _mlp(units, outputs, input_dim, activation, name):
    """Dense layers (leaky ReLU) on `(batch, 1, input_dim)`."""
    return keras.Sequential(
        [keras.Input((1, input_dim))]
        + [keras.layers.Dense(size, activation="leaky_relu") for size in units]
        + [keras.layers.Dense(outputs, activation=activation)],
        name=name,
    )


@keras.saving.register_keras_serializable(package="keras_rgan")
class LatentGAN(PhasedTraining, SequenceGAN):
    """A recurrent autoencoder and a GAN of its codes, trained in two phases
    inside one `model.fit`.

    1. Autoencoder (the first `autoencoder_share` of the run's epochs): a
       recurrent encoder maps each sequence to a code of `code_dim` numbers
       in (-1, 1) (its last step through a tanh layer); a recurrent decoder,
       reading the code and the step's position at every step, reconstructs
       the sequence (mean squared error).
    2. GAN: a dense generator maps per-sequence noise to codes and a dense
       critic tells them from the codes of real sequences (the encoder's,
       now fixed), with the GAN loss of `compile` (WGAN-GP in the recipe).
       With `residual_noise`, this phase also learns the statistics of what
       the decoder leaves out of real sequences (`ResidualNoise`: mean,
       cross-feature covariance, lag-1 autocorrelation per feature, and for
       `"empirical"` each feature's residual distribution).

    Generated sequences are `decoder(generator(noise))`, plus, with
    `residual_noise`, correlated per-step noise with the residuals' moments
    (the decoder alone gives smooth sequences where real ones jitter),
    clipped to the scaled data's range [0, 1]. The recurrence runs only in
    the autoencoder, and the adversarial game is played on fixed-size codes
    whatever the sequence length, which keeps long sequences cheap.
    Everything else (scaler, seeds, `generate`, export and its signatures) is
    that of `SequenceGAN`; `discriminate` scores a sequence's code. Labels,
    variable lengths, categorical columns, missing cells and static
    attributes are refused (RGAN learns them).

    Args:
        seq_len: int. Steps per sequence.
        num_features: int. Features per step.
        code_dim: int. Numbers per sequence code.
        noise_dim: int. Noise dimensions per sequence (the generator's input).
        units: int. Recurrent units of encoder and decoder.
        num_layers: int. Recurrent layers of encoder and decoder.
        cell: str. `"gru"`, `"lstm"` or `"tanh"`.
        dense_units: list of int. Hidden layers of generator and critic.
        autoencoder_share: float in (0, 1). Share of the epochs of the first
            `fit` spent on the autoencoder (at least one epoch each).
        residual_noise: str. `"none"`, or the marginals of the noise with
            the decoder's residual statistics added to generated sequences,
            `"gaussian"` or `"empirical"` (drawn from per-step noise of
            `num_features` dimensions, before the per-sequence
            `noise_dim`).
        scaler: fitted `MinMaxScaler` or None.
        seed: int or None.
        unroll: bool. Unroll encoder and decoder.

    Example:

    >>> import keras_rgan
    >>> x = keras_rgan.data.sine_waves(n=64, seq_len=8, dim=2, seed=0)
    >>> gan = LatentGAN(seq_len=8, num_features=2, code_dim=4, units=8,
    ...                 dense_units=[16], seed=0)
    >>> gan.compile(loss="wgan_gp")
    >>> _ = gan.fit(x, batch_size=16, epochs=2, verbose=0)
    >>> gan.phase, gan.generate(3, seed=0).shape
    ('gan', (3, 8, 2))
    """

    def __init__(
        self,
        seq_len,
        num_features,
        code_dim=32,
        noise_dim=32,
        units=64,
        num_layers=1,
        cell="gru",
        dense_units=(128, 128),
        autoencoder_share=0.4,
        residual_noise="gaussian",
        scaler=None,
        seed=None,
        unroll=False,
        **kwargs,
    ):
        if kwargs.get("num_classes") or kwargs.get("length_frequencies"):
            raise ValueError(
                "LatentGAN takes neither labels nor variable lengths yet; use "
                "RGAN or CRGAN for label-conditional or variable-length data."
            )
        check_numeric_schema(kwargs.get("schema"), "LatentGAN")
        if not 0 < autoencoder_share < 1:
            raise ValueError(
                "autoencoder_share must be in (0, 1), got "
                f"{autoencoder_share!r}."
            )
        if residual_noise not in recipes.RESIDUAL_NOISE:
            raise ValueError(
                f"residual_noise must be one of {recipes.RESIDUAL_NOISE}, "
                f"got {residual_noise!r}."
            )
        if code_dim < 1:
            raise ValueError(f"code_dim must be positive, got {code_dim}.")
        dense_units = list(dense_units)
        self.code_dim = code_dim
        self.autoencoder_share = autoencoder_share
        self.backbone_definition = dict(
            cell=cell, units=units, num_layers=num_layers, unroll=unroll
        )
        super().__init__(
            generator=_mlp(
                dense_units, code_dim, noise_dim, "tanh", "generator"
            ),
            discriminator=_mlp(dense_units, 1, code_dim, None, "discriminator"),
            seq_len=seq_len,
            latent_dim=0 if residual_noise == "none" else num_features,
            sequence_latent_dim=noise_dim,
            num_features=num_features,
            scaler=scaler,
            seed=seed,
            **kwargs,
        )
        self.dense_units = dense_units
        # === The autoencoder ===
        self.encoder = RecurrentStack(
            dense_units=[code_dim],
            return_sequences=False,
            name="encoder",
            **self.backbone_definition,
        )
        self.decoder = RecurrentGenerator(
            num_features, name="decoder", **self.backbone_definition
        )
        self.encoder.build((None, seq_len, num_features))
        self.decoder.build((None, seq_len, code_dim + 1))
        self.residual_noise = (
            None
            if residual_noise == "none"
            else ResidualNoise(
                num_features, marginals=residual_noise, name="residual_noise"
            )
        )
        # Epochs of phase 1, fixed when the first fit begins (-1: not yet).
        self.autoencoder_epochs = self.add_weight(
            shape=(),
            initializer=keras.initializers.Constant(-1),
            dtype="int32",
            trainable=False,
            name="autoencoder_epochs",
        )
        self.e_loss_tracker = keras.metrics.Mean(name="e_loss")
        self.init_phases()

    recipe_name = "latent_gan"

    @classmethod
    def build_from_options(cls, num_features, seq_len, options, **kwargs):
        # Only tables with categories or gaps have these; refused above.
        kwargs.pop("step_frequencies", None)
        return cls(
            seq_len=seq_len,
            num_features=num_features,
            code_dim=options["code_dim"],
            noise_dim=options["sequence_latent_dim"],
            units=options["units"],
            num_layers=options["num_layers"],
            cell=options["cell"],
            dense_units=options["dense_units"],
            autoencoder_share=options["autoencoder_share"],
            residual_noise=options["residual_noise"],
            unroll=recipes.unrolled(options["unroll"], seq_len),
            **kwargs,
        )

    def compile_options(self, options):
        """The GAN's optimizers decay (with `lr_decay`) over the GAN phase's
        share of `train_steps`; the autoencoder's Adam(1e-3) is constant."""
        gan_steps = max(
            1, round(options["train_steps"] * (1 - self.autoencoder_share))
        )
        options = {**options, "train_steps": gan_steps}
        return {
            **super().compile_options(options),
            "e_optimizer": keras.optimizers.Adam(1e-3),
        }

    @property
    def discriminator_input_dim(self):
        return self.code_dim

    @property
    def generator_input_dim(self):
        return self.noise_dim

    # === Phases ===

    def begin_phases(self, epochs):
        if int(self.autoencoder_epochs.numpy()) >= 0 or not epochs:
            return
        share = round(self.autoencoder_share * epochs)
        self.autoencoder_epochs.assign(max(1, min(share, epochs - 1)))
        self.phase = self.current_phase()

    def current_phase(self):
        done = int(self.completed_epochs.numpy())
        autoencoder_epochs = int(self.autoencoder_epochs.numpy())
        if autoencoder_epochs < 0 or done < autoencoder_epochs:
            return "autoencoder"
        return "gan"

    # === Training ===

    def compile(self, e_optimizer=None, **kwargs):
        """As `SequenceGAN.compile`, plus `e_optimizer` for the encoder and
        decoder (default Adam(1e-3))."""
        self.e_optimizer = keras.optimizers.get(
            e_optimizer or keras.optimizers.Adam(1e-3)
        )
        super().compile(**kwargs)
        self.e_optimizer.build(self._autoencoder_variables())

    def private_training_refusal(self):
        return (
            "its autoencoder reads real sequences without clipping and "
            "generation adds noise with the real residuals' statistics"
        )

    def _autoencoder_variables(self):
        return (
            self.encoder.trainable_variables + self.decoder.trainable_variables
        )

    def get_compile_config(self):
        config = super().get_compile_config()
        if config:
            config["e_optimizer"] = keras.saving.serialize_keras_object(
                self.e_optimizer
            )
        return config

    def compile_from_config(self, config):
        config = dict(config)
        if "e_optimizer" in config:
            config["e_optimizer"] = keras.saving.deserialize_keras_object(
                config["e_optimizer"]
            )
        super().compile_from_config(config)

    @property
    def metrics(self):
        return [self.e_loss_tracker, self.d_loss_tracker, self.g_loss_tracker]

    def encode(self, scaled, training=False):
        """Codes `(batch, 1, code_dim)` of scaled sequences."""
        return self.encoder(scaled, training=training)[:, None, :]

    def decode(self, codes, training=False):
        """Scaled sequences of codes `(batch, 1, code_dim)`: the decoder
        reads the code and the step's position (0 to 1) at every step."""
        batch_size = tf.shape(codes)[0]
        position = tf.linspace(0.0, 1.0, self.seq_len)
        position = tf.cast(position, codes.dtype)[None, :, None]
        inputs = tf.concat(
            [
                tf.repeat(codes, self.seq_len, axis=1),
                tf.tile(position, [batch_size, 1, 1]),
            ],
            axis=-1,
        )
        return self.decoder(inputs, training=training)

    def train_step(self, data):
        real, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        real = tf.cast(real, self.compute_dtype)
        num_replicas, _ = distribute.replica_info()
        scale = 1.0 / num_replicas
        if self.phase == "autoencoder":
            variables = self._autoencoder_variables()
            with tf.GradientTape() as tape:
                reconstruction = self.decode(
                    self.encode(real, training=True), training=True
                )
                e_loss = tf.reduce_mean(tf.square(real - reconstruction))
                scaled_loss = e_loss * scale
            self.e_optimizer.apply(
                tape.gradient(scaled_loss, variables), variables
            )
            self.e_loss_tracker.update_state(e_loss)
            return self.logs()
        codes = self.encode(real)
        # The fixed autoencoder's reconstruction error stays in the logs.
        residuals = real - self.decode(codes)
        self.e_loss_tracker.update_state(tf.reduce_mean(tf.square(residuals)))
        if self.residual_noise is not None:
            self.residual_noise.update_state(residuals)
        batch_size = tf.shape(real)[0]
        for _ in range(self.d_steps):
            d_loss = self._critic_step(codes, batch_size, scale)
        noise = self._code_noise(batch_size)
        variables = self.generator_variables()
        with tf.GradientTape() as tape:
            fake_logits = self.discriminator(
                self.generator(noise, training=True), training=True
            )
            g_loss = self.gan_loss_fns.generator(fake_logits, None)
            scaled_loss = g_loss * scale
        self.g_optimizer.apply(tape.gradient(scaled_loss, variables), variables)
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return self.logs()

    def _code_noise(self, batch_size):
        """Per-sequence noise `(batch, 1, noise_dim)` of this replica."""
        return self._per_sequence(self.training_noise(batch_size))

    def _per_sequence(self, noise):
        return noise[:, :1, self.latent_dim : self.noise_dim]

    def _critic_step(self, codes, batch_size, scale):
        fake = self.generator(self._code_noise(batch_size), training=True)
        variables = self.discriminator.trainable_variables
        with tf.GradientTape() as tape:
            logits = self.discriminator(
                tf.concat([codes, fake], axis=0), training=True
            )
            real_logits, fake_logits = tf.split(logits, 2, axis=0)
            d_loss = self.gan_loss_fns.discriminator(
                real_logits, fake_logits, None, None
            )
            if self.gan_loss_fns.gradient_penalty_weight:
                epsilon = keras.random.uniform(
                    (batch_size, 1, 1), seed=self.seed_generator
                )
                d_loss += (
                    self.gan_loss_fns.gradient_penalty_weight
                    * losses.gradient_penalty(
                        self.discriminator, codes, fake, epsilon
                    )
                )
            scaled_loss = d_loss * scale
        self.d_optimizer.apply(tape.gradient(scaled_loss, variables), variables)
        return d_loss

    # === Generation and judging ===

    def fake_from_noise(self, noise, condition=None, training=False):
        del condition
        codes = self.generator(self._per_sequence(noise), training=training)
        sequences = self.decode(codes, training=training)
        if self.residual_noise is None:
            return sequences
        residuals = self.residual_noise(noise[..., : self.latent_dim])
        return tf.clip_by_value(sequences + residuals, 0.0, 1.0)

    def discriminator_logits(self, scaled, condition=None):
        del condition  # Neither label-conditional nor variable-length.
        return self.discriminator(self.encode(scaled))[:, 0, :]

    # === Config ===

    @classmethod
    def from_config(cls, config):
        # Saved before residual noise existed: the decoder alone generated.
        return super().from_config({"residual_noise": "none", **config})

    def get_config(self):
        config = super().get_config()
        for key in ("generator", "discriminator", "latent_dim"):
            del config[key]
        config["noise_dim"] = config.pop("sequence_latent_dim")
        config.update(
            {
                "num_features": self.num_features,
                "code_dim": self.code_dim,
                "dense_units": self.dense_units,
                "autoencoder_share": self.autoencoder_share,
                "residual_noise": "none"
                if self.residual_noise is None
                else self.residual_noise.marginals,
                **self.backbone_definition,
            }
        )
        return config
