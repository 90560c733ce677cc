"""The adversarial training step, written once for every GAN of the package."""

import keras
import numpy as np
import tensorflow as tf

from keras_rgan import distribute
from keras_rgan import losses
from keras_rgan import privacy
from keras_rgan import recipes
from keras_rgan.layers.conditions import AttributeCondition
from keras_rgan.layers.conditions import LabelCondition
from keras_rgan.layers.conditions import LengthCondition
from keras_rgan.layers.output_heads import uniform_from_normal
from keras_rgan.models.sampling import SequenceSampling
from keras_rgan.models.signatures import ServingSignatures


def _default_optimizer():
    return keras.optimizers.Adam(learning_rate=1e-3, beta_1=0.5)


def check_noise_sizes(latent_dim, sequence_latent_dim):
    """Raises a `ValueError` unless the per-step and per-sequence noise sizes
    are non-negative integers with at least one noise dimension in all.

    Example:

    >>> check_noise_sizes(latent_dim=0, sequence_latent_dim=4)
    >>> check_noise_sizes(0, 0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: latent_dim and sequence_latent_dim are both 0: ...
    """
    for name, value in (
        ("latent_dim", latent_dim),
        ("sequence_latent_dim", sequence_latent_dim),
    ):
        integer = isinstance(value, (int, np.integer)) and not isinstance(
            value, bool
        )
        if not integer or value < 0:
            raise ValueError(
                f"{name} must be a non-negative integer, got {value!r}."
            )
    if latent_dim + sequence_latent_dim < 1:
        raise ValueError(
            "latent_dim and sequence_latent_dim are both 0: the generator "
            "needs at least one noise dimension."
        )


def check_numeric_schema(schema, model):
    """Refuses a table with categories or missing cells for a model that
    learns numbers only."""
    if schema is not None and not schema.numeric_only:
        raise ValueError(
            f"{model} learns numeric columns without missing cells; this "
            "table has categorical columns, missing cells or static "
            "columns: train it with --model=rgan (RGAN learns them all), or "
            "pass --missing=drop_sequences and leave the categorical and "
            "static columns out."
        )


def check_d_steps(d_steps):
    """`d_steps`, if it is a positive integer; else a `ValueError`.

    >>> check_d_steps(5)
    5
    """
    if not isinstance(d_steps, int) or d_steps < 1:
        raise ValueError(
            f"d_steps must be a positive integer, got {d_steps!r}."
        )
    return d_steps


@keras.saving.register_keras_serializable(package="keras_rgan")
class SequenceGAN(
    recipes.FromRecipe, SequenceSampling, ServingSignatures, keras.Model
):
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
        latent_dim: int. Noise dimensions drawn afresh at every time step
            (0 with a per-sequence code: each sequence is a function of its
            code alone).
        sequence_latent_dim: int. Noise dimensions drawn once per sequence and
            repeated at every step (a per-sequence code, e.g. a frequency);
            the generator reads `noise_dim = latent_dim + sequence_latent_dim`
            dimensions per step.
        scaler: a fitted `keras_rgan.data.MinMaxScaler`, or None when the data
            is used as it is (already in `[0, 1]`).
        seed: int or None. Seed of the training noise.
        num_classes: int. Classes of a label-conditional model (0: none); the
            data then yields `(sequences, labels)`.
        label_dim: int. Size of each player's label embedding.
        label_frequencies: list of `num_classes` floats or None. How often
            each class occurs in the training data; generation draws labels
            from them.
        length_frequencies: list of `seq_len` floats or None. For
            variable-length data: how often each length `1..seq_len` occurs
            in the training data. The data then yields
            `{"sequences", "lengths"}`; generation draws lengths from these
            frequencies, the generator is told each sequence's length and its
            padded steps are zero, and the discriminator skips padded steps
            (a Keras mask), so they never reach a loss.
        schema: a `keras_rgan.data.TableSchema` or None. For tables with
            categorical columns or missing cells: how each step is encoded
            (`num_features` is then its `encoded_dim`, the scaler covers
            its numeric columns); the discriminator sees values times their
            observed flags and serving decodes categories and flags.

    Example:

    >>> import keras_rgan
    >>> gan = SequenceGAN(keras_rgan.LSTMGenerator(2, units=4),
    ...                   keras_rgan.LSTMDiscriminator(units=4),
    ...                   seq_len=8, latent_dim=2, seed=0)
    >>> gan.compile()
    >>> gan.generate(3, seed=0).shape
    (3, 8, 2)
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
        length_frequencies=None,
        schema=None,
        **kwargs,
    ):
        num_features = num_features or generator.num_features
        scaled_features = num_features
        if schema is not None:
            if schema.encoded_dim != num_features:
                raise ValueError(
                    f"The table schema encodes {schema.encoded_dim} values "
                    f"per step but the model makes {num_features}."
                )
            scaled_features = len(schema.numeric)
        if num_classes < 0:
            raise ValueError(f"num_classes must be >= 0, got {num_classes}.")
        if seq_len < 1:
            raise ValueError(f"seq_len must be positive, got {seq_len}.")
        check_noise_sizes(latent_dim, sequence_latent_dim)
        if scaler is not None and not scaler.fitted:
            raise ValueError("The scaler must be fitted before it is given.")
        if scaler is not None and scaler.num_features != scaled_features:
            raise ValueError(
                f"The scaler has {scaler.num_features} features but the "
                f"model makes {scaled_features} numeric ones."
            )
        super().__init__(**kwargs)
        # === Players ===
        self.generator = generator
        self.discriminator = discriminator
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        # Share of real (generated) sequences the discriminator calls real
        # (generated), for TensorBoard.
        self.real_accuracy_tracker = keras.metrics.Mean(name="d_real_accuracy")
        self.fake_accuracy_tracker = keras.metrics.Mean(name="d_fake_accuracy")
        # Under DP-SGD: share of real sequences whose gradient was clipped.
        self.clipped_share_tracker = keras.metrics.Mean(name="dp_clipped_share")
        # === Config ===
        self.seq_len = seq_len
        self.latent_dim = latent_dim
        self.sequence_latent_dim = sequence_latent_dim
        self._num_features = num_features
        self.scaler = scaler
        self.schema = schema
        self.seed = seed
        # === Conditions both players read ===
        self.label_condition = (
            LabelCondition(num_classes, label_dim, label_frequencies)
            if num_classes
            else None
        )
        self.length_condition = (
            None
            if length_frequencies is None
            else LengthCondition(seq_len, length_frequencies)
        )
        self.attribute_condition = None
        if schema is not None and schema.static:
            self.attribute_condition = AttributeCondition(
                schema.attribute_blocks()
            )
        self.conditions = [
            condition
            for condition in (
                self.label_condition,
                self.length_condition,
                self.attribute_condition,
            )
            if condition is not None
        ]
        self.label_dim = label_dim
        if not self.generator.built:
            self.generator.build((None, seq_len, self.generator_input_dim))
        if not self.discriminator.built:
            self.discriminator.build(
                (None, seq_len, self.discriminator_input_dim)
            )
        self.built = True
        self._generate_function = None

    @property
    def num_features(self):
        """Features per step of the data and of generated sequences."""
        return self._num_features

    @property
    def num_classes(self):
        """Classes of a label-conditional model (0: none)."""
        return self.label_condition.num_classes if self.label_condition else 0

    @property
    def label_frequencies(self):
        return self.label_condition and self.label_condition.frequencies

    @property
    def length_frequencies(self):
        return self.length_condition and self.length_condition.frequencies

    @property
    def label_input_dim(self):
        """Per-step size of the label embedding each player reads (0: none)."""
        return self.label_dim if self.num_classes else 0

    @property
    def variable_length(self):
        """Whether sequences have lengths of their own (padded to `seq_len`)."""
        return self.length_condition is not None

    @property
    def noise_dim(self):
        """Per-step noise the generator reads: per-step plus per-sequence
        dimensions."""
        return self.latent_dim + self.sequence_latent_dim

    @property
    def sampling_dim(self):
        """Per-step noise the output heads sample categories and observed
        flags with (0 without them)."""
        heads = getattr(self.generator, "output_heads", None)
        return 0 if heads is None else heads.sampling_width

    @property
    def drawn_noise_dim(self):
        """Per-step noise drawn for each sequence: what the generator reads,
        then what its heads sample with."""
        return self.noise_dim + self.sampling_dim

    @property
    def discriminator_input_dim(self):
        """Per-step size of what the discriminator reads: the sequence and
        what each condition adds."""
        return self.num_features + self._condition_dims("discriminator")

    @property
    def generator_input_dim(self):
        """Per-step size of the generator's input: noise and what each
        condition adds."""
        return self.noise_dim + self._condition_dims("generator")

    def _condition_dims(self, player):
        return sum(c.input_dim(player) for c in self.conditions)

    def call(self, noise, training=False):
        """Maps noise to sequences in the scaled space."""
        return self.fake_from_noise(noise, training=training)

    # === Conditions: labels and lengths here, a real prefix in CRGAN ===
    #
    # A condition is a dict: "labels" (int, (batch,)) for label-conditional
    # models, "lengths" (int, (batch,)) for variable-length ones; subclasses
    # add their own entries. Missing lengths mean full-length sequences.

    def _lengths(self, condition, batch_size):
        return self.length_condition.lengths(
            (condition or {}).get("lengths"), batch_size
        )

    def _with_conditions(self, sequences, condition, player):
        """`sequences` with `player`'s per-step conditions appended."""
        if not self.conditions:
            return sequences
        condition = dict(condition or {})
        batch_size, steps = tf.shape(sequences)[0], tf.shape(sequences)[1]
        if self.length_condition is not None:
            condition["lengths"] = self._lengths(condition, batch_size)
        parts = [sequences] + [
            c.player_inputs(
                condition.get(c.key), steps, player, sequences.dtype
            )
            for c in self.conditions
        ]
        return tf.concat(parts, axis=-1)

    def step_mask(self, condition, sequences):
        """Float `(batch, steps, 1)`: 1 at the steps of each sequence, 0 at
        padded steps (None for fixed-length models)."""
        if self.length_condition is None:
            return None
        lengths = self._lengths(condition, tf.shape(sequences)[0])
        return self.length_condition.mask(
            lengths, tf.shape(sequences)[1], sequences.dtype
        )

    def split_batch(self, real, condition):
        """Splits a real batch into `(d_real, d_condition, g_condition)`.

        `d_real` (with `d_condition`) is what the discriminator judges as
        real; `g_condition` is what the generator is given for its fakes.
        """
        return real, condition, condition

    def generator_inputs(self, noise, condition=None):
        """The generator's per-step input: noise, plus its conditions."""
        return self._with_conditions(
            noise[..., : self.noise_dim], condition, "generator"
        )

    def fake_from_noise(self, noise, condition=None, training=False):
        """Generated sequences in the scaled space, for noise and condition;
        padded steps (past each sequence's length) are zero."""
        inputs = self.generator_inputs(noise, condition)
        if self.sampling_dim:
            generated = self.generator(
                inputs,
                training=training,
                sampling_noise=uniform_from_normal(
                    noise[..., self.noise_dim :]
                ),
            )
        else:
            generated = self.generator(inputs, training=training)
        mask = self.step_mask(condition, generated)
        return generated if mask is None else generated * mask

    def judge(self, sequences, condition=None, training=False):
        """The discriminator's logits for scaled sequences (and condition).

        For variable-length models, padded steps are zeroed and masked, so
        the discriminator skips them.
        """
        if self.schema is not None:
            sequences = self.schema.masked(sequences)
        mask = self.step_mask(condition, sequences)
        if mask is not None:
            sequences = sequences * mask
        return self.discriminator(
            self._with_conditions(sequences, condition, "discriminator"),
            training=training,
            mask=None if mask is None else mask[..., 0] > 0,
        )

    def logit_weights(self, logits, condition):
        """Weights of per-step logits (0 at padded steps), else None."""
        if not self.variable_length or logits.shape.rank < 3:
            return None
        return self.step_mask(condition, logits)

    # === Recipes ===

    def compile_options(self, options):
        """`compile()` arguments of resolved recipe `options`: Adam for each
        player, the critic's learning rate decaying over its own updates."""
        train_steps = options["train_steps"]
        d_steps = check_d_steps(options["d_steps"])
        return dict(
            g_optimizer=recipes.adam(
                recipes.learning_rate(options, "g_learning_rate", train_steps),
                options,
                ema=options["generator_ema"],
            ),
            d_optimizer=recipes.adam(
                recipes.learning_rate(
                    options, "d_learning_rate", train_steps * d_steps
                ),
                options,
            ),
            loss=options["loss"],
            d_steps=d_steps,
        )

    # === Training ===

    def compile(
        self,
        g_optimizer=None,
        d_optimizer=None,
        loss="non_saturating",
        d_steps=1,
        dp_l2_norm_clip=None,
        dp_noise_multiplier=None,
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
            dp_l2_norm_clip: float or None. With `dp_noise_multiplier`:
                train the discriminator with DP-SGD (`keras_rgan.privacy`),
                each real sequence's gradient (with its generated partner's
                and their gradient penalty's) clipped to this L2 norm.
            dp_noise_multiplier: float or None. The Gaussian noise on each
                discriminator update's clipped sum, over the clip. The
                privacy this buys depends on the data's size, the batch
                and the number of updates: `keras_rgan.privacy.epsilon`.
            jit_compile: bool or "auto". XLA-compile the train step. Off by
                default: under XLA, Keras cannot use the cuDNN LSTM kernel on
                a GPU, and on a 2-core CPU the WGAN-GP step compiled into a
                step 170 times slower (`benchmarks/results/train_step.md`).
            **kwargs: passed to `keras.Model.compile`
                (`steps_per_execution`, `run_eagerly`).
        """
        self.gan_loss_fns = losses.get(loss)
        self.d_steps = check_d_steps(d_steps)
        self.dp_l2_norm_clip, self.dp_noise_multiplier = self._check_privacy(
            dp_l2_norm_clip, dp_noise_multiplier
        )
        super().compile(optimizer=None, jit_compile=jit_compile, **kwargs)

        self.g_optimizer = keras.optimizers.get(
            g_optimizer or _default_optimizer()
        )
        self.d_optimizer = keras.optimizers.get(
            d_optimizer or _default_optimizer()
        )
        if self.g_optimizer is self.d_optimizer:
            raise ValueError("Give each player an optimizer of its own.")
        self.gan_loss = loss
        # Built here, before fit() traces train_step (needed under
        # tf.distribute, where variables cannot be created inside a replica).
        self.g_optimizer.build(self.generator_variables())
        self.d_optimizer.build(self.discriminator.trainable_variables)
        if self.private:
            # Unseeded: the training seed must not reveal the privacy noise.
            self.dp_seed_generator = keras.random.SeedGenerator()

    @property
    def private(self):
        """Whether the discriminator trains with DP-SGD."""
        return getattr(self, "dp_l2_norm_clip", None) is not None

    def private_training_refusal(self):
        """Why this model cannot train with differential privacy, or None
        when it can."""
        if self.conditions:
            return (
                "its generator reads labels, lengths or static attributes "
                "taken from the real batch, outside the clipped "
                "discriminator update"
            )
        if self.schema is not None:
            return (
                "a table's categories and missing cells are encoded with "
                "vocabularies read from the data; train numeric columns "
                "without gaps"
            )
        return None

    def _check_privacy(self, l2_norm_clip, noise_multiplier):
        if l2_norm_clip is None and noise_multiplier is None:
            return None, None
        if l2_norm_clip is None or noise_multiplier is None:
            raise ValueError(
                "Differentially private training needs both dp_l2_norm_clip "
                f"and dp_noise_multiplier, got {l2_norm_clip!r} and "
                f"{noise_multiplier!r}."
            )
        refusal = self.private_training_refusal()
        if refusal is None and not getattr(self.discriminator, "unroll", 1):
            refusal = (
                "TensorFlow vectorises each sequence's gradient (and its "
                "gradient penalty) only through unrolled recurrent layers; "
                "build the discriminator with unroll=True"
            )
        if refusal:
            raise ValueError(
                f"{type(self).__name__} cannot train with differential "
                f"privacy: {refusal}."
            )
        return (
            privacy.check_positive("dp_l2_norm_clip", l2_norm_clip),
            privacy.check_positive("dp_noise_multiplier", noise_multiplier),
        )

    def get_compile_config(self):
        if not self.compiled:
            return {}
        return {
            "g_optimizer": keras.saving.serialize_keras_object(
                self.g_optimizer
            ),
            "d_optimizer": keras.saving.serialize_keras_object(
                self.d_optimizer
            ),
            "loss": self.gan_loss,
            "d_steps": self.d_steps,
            "dp_l2_norm_clip": self.dp_l2_norm_clip,
            "dp_noise_multiplier": self.dp_noise_multiplier,
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
        metrics = [
            self.d_loss_tracker,
            self.g_loss_tracker,
            self.real_accuracy_tracker,
            self.fake_accuracy_tracker,
        ]
        if self.private:
            metrics.append(self.clipped_share_tracker)
        return metrics

    def generator_variables(self):
        """The variables the generator's optimizer trains (with the
        attribute generator's, for tables with static columns)."""
        variables = self.generator.trainable_variables
        if self.attribute_condition is not None:
            variables = variables + self.attribute_condition.trainable_variables
        return variables

    def _discriminator_step(
        self, real, d_condition, g_condition, batch_size, scale
    ):
        """One discriminator update; real and generated sequences in one
        call."""
        g_condition = self.generated_conditions(g_condition, batch_size)
        fake = self.fake_from_noise(
            self.training_noise(batch_size), g_condition, training=True
        )
        both = {
            c.key: tf.concat([d_condition[c.key], g_condition[c.key]], axis=0)
            for c in self.conditions
            if d_condition.get(c.key) is not None
        }
        epsilon = None
        if self.gan_loss_fns.gradient_penalty_weight:
            epsilon = keras.random.uniform(
                (batch_size, 1, 1), seed=self.seed_generator
            )
        d_variables = self.discriminator.trainable_variables
        if self.private:
            gradients, d_loss = self._private_gradients(
                real, fake, epsilon, batch_size
            )
            logits = self.judge(tf.concat([real, fake], 0), both)
            weights = self.logit_weights(logits, both)
        else:
            with tf.GradientTape() as tape:
                d_loss, logits, weights = self._discriminator_loss(
                    real, fake, epsilon, both, d_condition
                )
                scaled_loss = d_loss * scale
            gradients = tape.gradient(scaled_loss, d_variables)
        self.d_optimizer.apply(gradients, d_variables)
        return d_loss, self._accuracies(logits, weights)

    def _discriminator_loss(self, real, fake, epsilon, both, d_condition):
        """`(loss, logits, weights)` of the discriminator on real and
        generated sequences (one call), with the gradient penalty at the
        `epsilon` interpolates if the loss has one."""
        logits = self.judge(
            tf.concat([real, fake], axis=0), both, training=True
        )
        real_logits, fake_logits = tf.split(logits, 2, axis=0)
        weights = self.logit_weights(logits, both)
        real_weights, fake_weights = (
            (None, None) if weights is None else tf.split(weights, 2, axis=0)
        )
        d_loss = self.gan_loss_fns.discriminator(
            real_logits, fake_logits, real_weights, fake_weights
        )
        if self.gan_loss_fns.gradient_penalty_weight:
            critic = lambda x, training: self.judge(  # noqa: E731
                x, d_condition, training=training
            )
            penalty = losses.gradient_penalty(critic, real, fake, epsilon)
            d_loss += self.gan_loss_fns.gradient_penalty_weight * penalty
        return d_loss, logits, weights

    def _private_gradients(self, real, fake, epsilon, batch_size):
        """DP-SGD gradients of the discriminator and its mean loss: each
        real sequence's loss (its logit, its generated partner's and their
        gradient penalty) differentiated alone and clipped."""

        if epsilon is None:  # No gradient penalty.
            epsilon = tf.zeros((batch_size, 1, 1), real.dtype)

        def example_loss(example):
            one_real, one_fake, one_epsilon = (part[None] for part in example)
            loss, _, _ = self._discriminator_loss(
                one_real, one_fake, one_epsilon, {}, {}
            )
            return loss

        num_replicas, _ = distribute.replica_info()
        gradients, example_losses, clipped_share = privacy.private_gradients(
            example_loss,
            (real, fake, epsilon),
            self.discriminator.trainable_variables,
            self.dp_l2_norm_clip,
            self.dp_noise_multiplier,
            batch_size * num_replicas,
            self.dp_seed_generator,
        )
        self.clipped_share_tracker.update_state(clipped_share)
        return gradients, tf.reduce_mean(example_losses)

    def _accuracies(self, logits, weights):
        """Shares of real and of generated sequences judged correctly.

        `logits` hold the real half, then the generated half. The threshold
        is 0 for cross-entropy logits; a Wasserstein critic's scores have no
        fixed zero, so its threshold is the midpoint of the two means.
        """
        logits = tf.reshape(logits, [tf.shape(logits)[0], -1])
        if weights is None:
            per_sequence = tf.reduce_mean(logits, axis=1)
        else:
            weights = tf.reshape(weights, tf.shape(logits))
            per_sequence = tf.reduce_sum(logits * weights, 1) / tf.reduce_sum(
                weights, 1
            )
        real, fake = tf.split(per_sequence, 2, axis=0)
        threshold = 0.0
        if self.gan_loss_fns.gradient_penalty_weight:
            threshold = 0.5 * (tf.reduce_mean(real) + tf.reduce_mean(fake))
        return (
            tf.reduce_mean(tf.cast(real > threshold, tf.float32)),
            tf.reduce_mean(tf.cast(fake < threshold, tf.float32)),
        )

    def unpack_batch(self, data):
        """`(real, condition)` from a batch: sequences or
        `{"sequences", "lengths"}`, with labels for label-conditional models.
        """
        real, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
        lengths = attributes = None
        if isinstance(real, dict):
            lengths = real.get("lengths")
            attributes = real.get("attributes")
            real = real["sequences"]
        if self.attribute_condition is not None and attributes is None:
            raise ValueError(
                "This model reads static attributes: the data must yield "
                '{"sequences": ..., "attributes": ...}.'
            )
        if self.num_classes and labels is None:
            raise ValueError(
                "This model is label-conditional: the data must yield "
                "(sequences, labels)."
            )
        if self.variable_length and lengths is None:
            raise ValueError(
                "This model learns variable lengths: the data must yield "
                '{"sequences": ..., "lengths": ...}.'
            )
        if not self.variable_length and lengths is not None:
            raise ValueError(
                "The data has lengths but this model was built for "
                "fixed-length sequences: build it with length_frequencies."
            )
        condition = {
            "labels": labels if self.num_classes else None,
            "lengths": None if lengths is None else tf.cast(lengths, "int32"),
            "attributes": attributes,
        }
        return self.canonical(tf.cast(real, self.compute_dtype), condition), (
            condition
        )

    def canonical(self, sequences, condition):
        """Real sequences with values under missing cells zeroed, so nothing
        stored there reaches a loss, not even through the gradient
        penalty's interpolates (whose observed flags are no longer 0 or 1).
        Padded steps need nothing here: `judge` zeroes them in every input,
        interpolates included."""
        del condition
        if self.schema is None:
            return sequences
        return self.schema.masked(sequences)

    def generated_conditions(self, condition, batch_size, training=False):
        """`condition` with what the generator makes itself in training:
        static attributes from the attribute generator, on fresh noise."""
        if self.attribute_condition is None:
            return condition
        noise = self.replica_noise(
            batch_size, [self.attribute_condition.noise_width]
        )
        attributes = self.attribute_condition.generate(noise, training)
        return {**condition, "attributes": attributes}

    def train_step(self, data):
        real, condition = self.unpack_batch(data)
        real, d_condition, g_condition = self.split_batch(real, condition)
        batch_size = tf.shape(real)[0]
        num_replicas, _ = distribute.replica_info()
        replica_scale = 1.0 / num_replicas

        for _ in range(self.d_steps):
            d_loss, (real_accuracy, fake_accuracy) = self._discriminator_step(
                real, d_condition, g_condition, batch_size, replica_scale
            )

        # Generator step, on fresh noise.
        noise = self.training_noise(batch_size)
        with tf.GradientTape() as tape:
            g_condition = self.generated_conditions(
                g_condition, batch_size, training=True
            )
            fake_logits = self.judge(
                self.fake_from_noise(noise, g_condition, training=True),
                g_condition,
                training=True,
            )
            g_loss = self.gan_loss_fns.generator(
                fake_logits, self.logit_weights(fake_logits, g_condition)
            )
            scaled_loss = g_loss * replica_scale
        g_variables = self.generator_variables()
        self.g_optimizer.apply(
            tape.gradient(scaled_loss, g_variables), g_variables
        )

        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.real_accuracy_tracker.update_state(real_accuracy)
        self.fake_accuracy_tracker.update_state(fake_accuracy)
        return self.logs()

    def logs(self):
        """The metrics' results, as `train_step` returns them."""
        return distribute.step_outputs(
            {metric.name: metric.result() for metric in self.metrics}
        )

    # === Config ===

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "generator": keras.saving.serialize_keras_object(
                    self.generator
                ),
                "discriminator": keras.saving.serialize_keras_object(
                    self.discriminator
                ),
                "seq_len": self.seq_len,
                "latent_dim": self.latent_dim,
                "sequence_latent_dim": self.sequence_latent_dim,
                "num_classes": self.num_classes,
                "label_dim": self.label_dim,
                "label_frequencies": self.label_frequencies,
                "length_frequencies": self.length_frequencies,
                "scaler": None
                if self.scaler is None
                else keras.saving.serialize_keras_object(self.scaler),
                "seed": self.seed,
            }
        )
        if self.schema is not None:
            config["schema"] = keras.saving.serialize_keras_object(self.schema)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("generator", "discriminator", "scaler", "schema"):
            if config.get(key) is not None:
                config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)
