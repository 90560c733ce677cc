"""The adversarial training step, written once for every GAN of the package."""

import contextlib

import keras
import numpy as np
import tensorflow as tf

from keras_rgan import losses
from keras_rgan.data.scaling import MinMaxScaler


def _default_optimizer():
    return keras.optimizers.Adam(learning_rate=1e-3, beta_1=0.5)


def _replica_info():
    """Returns `(num_replicas, replica_id)` of the current replica context."""
    context = tf.distribute.get_replica_context()
    if context is None:  # Cross-replica context: a single logical device.
        return 1, 0
    return context.num_replicas_in_sync, context.replica_id_in_sync_group


@keras.saving.register_keras_serializable(package="keras_rgan")
class SequenceGAN(keras.Model):
    """A generator and a discriminator of sequences, trained by `model.fit`.

    This base class holds what every GAN of the package shares: the
    alternating adversarial `train_step` (one discriminator update, then one
    generator update, each on fresh noise), `compile()` with one optimizer per
    player and a loss chosen by name, seeded noise, the scaler that maps
    generated sequences back to the data's original units, and `generate()`.
    Subclasses decide how the two players are built.

    Under `tf.distribute`, each replica's loss is divided by the number of
    replicas (Keras sums replica gradients) and each replica takes its slice
    of one global noise draw, so a step on N replicas equals a step on one
    device for the same global batch.

    Args:
        generator: a `keras.Model` mapping noise `(batch, seq_len, noise_dim)`
            to sequences `(batch, seq_len, num_features)` in `[0, 1]`; it must
            have a `num_features` attribute.
        discriminator: a `keras.Model` mapping sequences to logits.
        seq_len: int. Steps per generated sequence.
        latent_dim: int. Noise dimensions drawn afresh at every time step.
        sequence_latent_dim: int. Noise dimensions drawn once per sequence and
            repeated at every step (a per-sequence code, e.g. a frequency);
            the generator reads `noise_dim = latent_dim + sequence_latent_dim`
            dimensions per step.
        scaler: a fitted `keras_rgan.data.MinMaxScaler`, or None when the data
            is used as it is (already in `[0, 1]`).
        seed: int or None. Seed of the training noise.
    """

    def __init__(
        self,
        generator,
        discriminator,
        seq_len,
        latent_dim,
        scaler=None,
        seed=None,
        sequence_latent_dim=0,
        num_features=None,
        num_classes=0,
        label_dim=8,
        label_frequencies=None,
        **kwargs,
    ):
        num_features = num_features or generator.num_features
        if num_classes < 0 or (num_classes and label_dim < 1):
            raise ValueError(
                "num_classes must be >= 0 and label_dim positive, got "
                f"{num_classes} and {label_dim}."
            )
        if label_frequencies is not None and len(label_frequencies) != num_classes:
            raise ValueError(
                f"label_frequencies has {len(label_frequencies)} entries for "
                f"{num_classes} classes."
            )
        if seq_len < 1 or latent_dim < 1 or sequence_latent_dim < 0:
            raise ValueError(
                "seq_len and latent_dim must be positive and "
                "sequence_latent_dim non-negative, got "
                f"{seq_len}, {latent_dim} and {sequence_latent_dim}."
            )
        if scaler is not None and not scaler.fitted:
            raise ValueError("The scaler must be fitted before it is given.")
        if scaler is not None and scaler.num_features != num_features:
            raise ValueError(
                f"The scaler has {scaler.num_features} features but the "
                f"model makes {num_features}."
            )
        super().__init__(**kwargs)
        # === Players ===
        self.generator = generator
        self.discriminator = discriminator
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        # === Config ===
        self.seq_len = seq_len
        self.latent_dim = latent_dim
        self.sequence_latent_dim = sequence_latent_dim
        self._num_features = num_features
        self.scaler = scaler
        self.seed = seed
        self.num_classes = num_classes
        self.label_dim = label_dim
        self.label_frequencies = (
            None if label_frequencies is None else [float(f) for f in label_frequencies]
        )
        if num_classes:
            # Labels are embedded separately for each player and fed to it at
            # every step (RCGAN, Esteban et al. 2017).
            self.generator_labels = keras.layers.Embedding(
                num_classes, label_dim, name="generator_labels"
            )
            self.discriminator_labels = keras.layers.Embedding(
                num_classes, label_dim, name="discriminator_labels"
            )
            self.generator_labels.build((None,))
            self.discriminator_labels.build((None,))
        if not self.generator.built:
            self.generator.build((None, seq_len, self.generator_input_dim))
        if not self.discriminator.built:
            self.discriminator.build((None, seq_len, self.discriminator_input_dim))
        self.built = True
        self._generate_function = None

    @property
    def num_features(self):
        """Features per step of the data and of generated sequences."""
        return self._num_features

    @property
    def label_input_dim(self):
        """Per-step size of the label embedding each player reads (0: none)."""
        return self.label_dim if self.num_classes else 0

    @property
    def discriminator_input_dim(self):
        """Per-step size of what the discriminator reads."""
        return self.num_features + self.label_input_dim

    @property
    def noise_dim(self):
        """Per-step noise size: per-step plus per-sequence dimensions."""
        return self.latent_dim + self.sequence_latent_dim

    @property
    def generator_input_dim(self):
        """Per-step size of the generator's input (noise, plus conditions)."""
        return self.noise_dim + self.label_input_dim

    def _structure_noise(self, normal):
        """Holds the per-sequence dimensions of a normal draw fixed over time."""
        if self.sequence_latent_dim == 0:
            return normal
        per_step = normal[..., : self.latent_dim]
        per_sequence = normal[:, :1, self.latent_dim :]
        return tf.concat(
            [per_step, tf.repeat(per_sequence, self.seq_len, axis=1)], axis=-1
        )

    def call(self, noise, training=False):
        """Maps noise to sequences in the scaled space."""
        return self.fake_from_noise(noise, training=training)

    # === Conditions: labels here, a real prefix in CRGAN ===
    #
    # A condition is a dict: "labels" (int, (batch,)) for label-conditional
    # models; subclasses add their own entries.

    def _with_labels(self, sequences, labels, player):
        """`sequences` with `player`'s embedding of the labels at every step."""
        if not self.num_classes:
            return sequences
        embedding = getattr(self, f"{player}_labels")
        embedded = embedding(tf.cast(labels, "int32"))
        steps = tf.shape(sequences)[1]
        return tf.concat(
            [sequences, tf.repeat(embedded[:, None, :], steps, axis=1)], axis=-1
        )

    def split_batch(self, real, labels=None):
        """Splits a real batch into `(d_real, d_labels, condition)`.

        `d_real` (with `d_labels`) is what the discriminator judges as real;
        `condition` is what the generator is given for its fakes.
        """
        return real, labels, {"labels": labels}

    def generator_inputs(self, noise, condition=None):
        """The generator's per-step input: noise, plus embedded labels."""
        labels = (condition or {}).get("labels")
        if self.num_classes and labels is None:
            raise ValueError("This model is label-conditional: give labels.")
        return self._with_labels(noise, labels, "generator")

    def fake_from_noise(self, noise, condition=None, training=False):
        """Generated sequences in the scaled space, for noise and condition."""
        return self.generator(
            self.generator_inputs(noise, condition), training=training
        )

    def judge(self, sequences, labels=None, training=False):
        """The discriminator's logits for scaled sequences (and labels)."""
        return self.discriminator(
            self._with_labels(sequences, labels, "discriminator"),
            training=training,
        )

    def labels_from_seed(self, num_samples, seed):
        """Labels drawn from the training label frequencies, fixed by `seed`."""
        frequencies = self.label_frequencies or [1.0] * self.num_classes
        logits = tf.math.log(tf.constant([frequencies], tf.float32) + 1e-12)
        draws = tf.random.stateless_categorical(
            logits,
            num_samples,
            seed=tf.stack([tf.cast(seed, tf.int64), tf.constant(-1, tf.int64)]),
        )
        return tf.cast(draws[0], tf.int32)

    # === Training ===

    def compile(
        self,
        g_optimizer=None,
        d_optimizer=None,
        loss="non_saturating",
        d_steps=1,
        jit_compile=False,
        **kwargs,
    ):
        """Configures both players' optimizers and the GAN loss.

        Args:
            g_optimizer: optimizer (instance, name or config) of the
                generator. Defaults to Adam(1e-3, beta_1=0.5).
            d_optimizer: optimizer of the discriminator, same default.
            loss: str. Name of a loss in `keras_rgan.losses.LOSSES`:
                `"non_saturating"` (cross-entropy from logits) or `"wgan_gp"`
                (Wasserstein loss with a gradient penalty of weight 10 on the
                discriminator, Gulrajani et al. 2017).
            d_steps: int. Discriminator updates per generator update, each
                on the same real batch and fresh noise.
            jit_compile: bool or "auto". XLA-compile the train step. Off by
                default: under XLA, Keras cannot use the cuDNN LSTM kernel on
                a GPU, and on a 2-core CPU the two measured within noise of
                each other (`benchmarks/fit_step_time.py`).
            **kwargs: passed to `keras.Model.compile`
                (`steps_per_execution`, `run_eagerly`).
        """
        self.gan_loss_fns = losses.get(loss)
        if not isinstance(d_steps, int) or d_steps < 1:
            raise ValueError(f"d_steps must be a positive integer, got {d_steps!r}.")
        self.d_steps = d_steps
        super().compile(optimizer=None, jit_compile=jit_compile, **kwargs)

        self.g_optimizer = keras.optimizers.get(g_optimizer or _default_optimizer())
        self.d_optimizer = keras.optimizers.get(d_optimizer or _default_optimizer())
        if self.g_optimizer is self.d_optimizer:
            raise ValueError("Give each player an optimizer of its own.")
        self.gan_loss = loss
        # Built here, before fit() traces train_step (needed under
        # tf.distribute, where variables cannot be created inside a replica).
        self.g_optimizer.build(self.generator_variables())
        self.d_optimizer.build(self.discriminator.trainable_variables)

    def get_compile_config(self):
        if not self.compiled:
            return {}
        return {
            "g_optimizer": keras.saving.serialize_keras_object(self.g_optimizer),
            "d_optimizer": keras.saving.serialize_keras_object(self.d_optimizer),
            "loss": self.gan_loss,
            "d_steps": self.d_steps,
            "steps_per_execution": self.steps_per_execution,
            "jit_compile": self.jit_compile,
        }

    def compile_from_config(self, config):
        config = dict(config)
        for key in ("g_optimizer", "d_optimizer"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        self.compile(**config)

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def generator_variables(self):
        """The variables the generator's optimizer trains."""
        return self.generator.trainable_variables

    def training_noise(self, batch_size):
        """Draws this replica's slice of one global noise batch."""
        num_replicas, replica_id = _replica_info()
        noise = self._structure_noise(
            keras.random.normal(
                (batch_size * num_replicas, self.seq_len, self.noise_dim),
                seed=self.seed_generator,
            )
        )
        if num_replicas == 1:
            return noise
        start = replica_id * batch_size
        return noise[start : start + batch_size]

    def _discriminator_step(self, real, real_labels, condition, batch_size, scale):
        """One discriminator update; real and generated sequences in one call."""
        fake = self.fake_from_noise(
            self.training_noise(batch_size), condition, training=True
        )
        fake_labels = condition.get("labels")
        labels = (
            None if real_labels is None else tf.concat([real_labels, fake_labels], 0)
        )
        with tf.GradientTape() as tape:
            logits = self.judge(tf.concat([real, fake], axis=0), labels, training=True)
            real_logits, fake_logits = tf.split(logits, 2, axis=0)
            d_loss = self.gan_loss_fns.discriminator(real_logits, fake_logits)
            if self.gan_loss_fns.gradient_penalty_weight:
                epsilon = keras.random.uniform(
                    (batch_size, 1, 1), seed=self.seed_generator
                )
                critic = lambda x, training: self.judge(  # noqa: E731
                    x, real_labels, training=training
                )
                d_loss += self.gan_loss_fns.gradient_penalty_weight * (
                    losses.gradient_penalty(critic, real, fake, epsilon)
                )
            scaled_loss = d_loss * scale
        d_variables = self.discriminator.trainable_variables
        self.d_optimizer.apply(tape.gradient(scaled_loss, d_variables), d_variables)
        return d_loss

    def train_step(self, data):
        real, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
        if self.num_classes and labels is None:
            raise ValueError(
                "This model is label-conditional: the data must yield "
                "(sequences, labels)."
            )
        if not self.num_classes:
            labels = None
        real, real_labels, condition = self.split_batch(
            tf.cast(real, self.compute_dtype), labels
        )
        batch_size = tf.shape(real)[0]
        num_replicas, _ = _replica_info()
        replica_scale = 1.0 / num_replicas

        for _ in range(self.d_steps):
            d_loss = self._discriminator_step(
                real, real_labels, condition, batch_size, replica_scale
            )

        # Generator step, on fresh noise.
        noise = self.training_noise(batch_size)
        with tf.GradientTape() as tape:
            fake_logits = self.judge(
                self.fake_from_noise(noise, condition, training=True),
                condition.get("labels"),
                training=True,
            )
            g_loss = self.gan_loss_fns.generator(fake_logits)
            scaled_loss = g_loss * replica_scale
        g_variables = self.generator_variables()
        self.g_optimizer.apply(tape.gradient(scaled_loss, g_variables), g_variables)

        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return self.logs()

    def logs(self):
        """The metrics' results, as `train_step` returns them."""
        logs = {metric.name: metric.result() for metric in self.metrics}
        if isinstance(
            tf.distribute.get_strategy(), tf.distribute.MultiWorkerMirroredStrategy
        ):
            # Keras reduces step outputs with strategy.reduce("MEAN", axis=0),
            # which fails on scalars under MultiWorkerMirroredStrategy.
            logs = {name: tf.reshape(value, [1]) for name, value in logs.items()}
        return logs

    # === Generation ===

    @contextlib.contextmanager
    def averaged_generator(self):
        """Within it, the generator holds its moving-average weights.

        Only when the generator's optimizer keeps an exponential moving
        average (`keras.optimizers.Adam(use_ema=True, ema_momentum=0.999)`,
        say); otherwise it changes nothing. `generate()` and
        `export_saved_model()` use it, so samples and exports come from the
        averaged generator while training goes on with the live weights.
        """
        optimizer = getattr(self, "g_optimizer", None)
        if optimizer is None or not optimizer.use_ema or not optimizer.built:
            yield
            return
        variables = self.generator_variables()
        live = [keras.ops.convert_to_numpy(v) for v in variables]
        optimizer._overwrite_model_variables_with_average_value(variables)
        try:
            yield
        finally:
            for variable, value in zip(variables, live):
                variable.assign(value)

    def noise_from_seed(self, num_samples, seed, stream=0):
        """Noise `(num_samples, seq_len, noise_dim)` fixed by an int64 seed.

        `stream` picks one of many independent draws for the same seed.
        """
        return self._structure_noise(
            tf.random.stateless_normal(
                tf.stack([num_samples, self.seq_len, self.noise_dim]),
                seed=tf.stack([tf.cast(seed, tf.int64), tf.cast(stream, tf.int64)]),
            )
        )

    def to_original_units(self, scaled):
        """Maps sequences from the scaled space to the data's units."""
        if self.scaler is None:
            return scaled
        return self.scaler.inverse_transform(scaled)

    def sequences_from_noise(self, noise, labels=None):
        """Generated sequences in original units, for the given noise."""
        return self.to_original_units(self.fake_from_noise(noise, {"labels": labels}))

    def discriminator_logits(self, scaled, labels=None):
        """The discriminator's output for sequences in the scaled space."""
        return self.judge(scaled, labels)

    def discriminate(self, sequences, labels=None):
        """The discriminator's logit per sequence, for original-unit input.

        Per-step logits are averaged over time. Returns `(batch,)`.
        """
        scaled = sequences if self.scaler is None else self.scaler.transform(sequences)
        logits = self.discriminator_logits(scaled, labels)
        return tf.reshape(tf.reduce_mean(logits, axis=list(range(1, logits.shape.rank))), [-1])

    def generate_from_seed(self, num_samples, seed, labels=None):
        """Generated sequences in original units, fixed by `seed` (tensors).

        A label-conditional model draws labels from the training frequencies
        unless `labels` are given (then `num_samples` is their count).
        """
        if self.num_classes and labels is None:
            labels = self.labels_from_seed(num_samples, seed)
        return self.sequences_from_noise(self.noise_from_seed(num_samples, seed), labels)

    def generate(self, num_samples, seed=None, labels=None):
        """Generates sequences in the data's original units.

        The same seed gives the same sequences here and from the exported
        SavedModel's `serving_default` (or, with labels,
        `generate_with_labels`) signature.

        Args:
            num_samples: int. Number of sequences.
            seed: int or None. None draws a fresh seed.
            labels: int array `(num_samples,)` or None. Classes to generate,
                for a label-conditional model; None draws them from the
                training frequencies.

        Returns:
            A float32 NumPy array `(num_samples, seq_len, num_features)`.
        """
        if not isinstance(num_samples, (int, np.integer)) or num_samples < 1:
            raise ValueError(
                f"num_samples must be a positive integer, got {num_samples!r}."
            )
        if labels is not None:
            labels = self.check_labels(labels)
            if len(labels) != num_samples:
                raise ValueError(
                    f"Got {len(labels)} labels for num_samples={num_samples}."
                )
            labels = tf.constant(labels, tf.int32)
        if seed is None:
            seed = int(np.random.default_rng().integers(2**62))
        if self._generate_function is None:
            self._generate_function = tf.function(
                self.generate_from_seed, reduce_retracing=True
            )
        with self.averaged_generator():
            sequences = self._generate_function(
                tf.constant(num_samples, tf.int32), tf.constant(seed, tf.int64), labels
            )
            return sequences.numpy()

    def check_labels(self, labels):
        """Checks class labels for this model; returns them as int32 NumPy."""
        if not self.num_classes:
            raise ValueError("This model is not label-conditional: give no labels.")
        labels = np.asarray(labels)
        if labels.ndim != 1 or labels.dtype.kind not in "iu":
            raise TypeError(
                f"labels must be a 1-D integer array, got {labels.dtype} with "
                f"shape {labels.shape}."
            )
        if labels.size and (labels.min() < 0 or labels.max() >= self.num_classes):
            raise ValueError(
                f"labels must lie in [0, {self.num_classes}), got values from "
                f"{labels.min()} to {labels.max()}."
            )
        return labels.astype(np.int32)

    # === Config ===

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "generator": keras.saving.serialize_keras_object(self.generator),
                "discriminator": keras.saving.serialize_keras_object(
                    self.discriminator
                ),
                "seq_len": self.seq_len,
                "latent_dim": self.latent_dim,
                "sequence_latent_dim": self.sequence_latent_dim,
                "num_classes": self.num_classes,
                "label_dim": self.label_dim,
                "label_frequencies": self.label_frequencies,
                "scaler": None
                if self.scaler is None
                else keras.saving.serialize_keras_object(self.scaler),
                "seed": self.seed,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("generator", "discriminator", "scaler"):
            if config.get(key) is not None:
                config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)
