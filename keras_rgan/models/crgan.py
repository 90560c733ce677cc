"""CRGAN: both players built from one recurrent backbone definition, with
prefix-conditioned continuation and sequences of any length."""

import keras
import tensorflow as tf

from keras_rgan import recipes
from keras_rgan.graph_checks import checked
from keras_rgan.graph_checks import checked_shape
from keras_rgan.models.discriminator import RecurrentDiscriminator
from keras_rgan.models.gan import SequenceGAN
from keras_rgan.models.gan import check_numeric_schema
from keras_rgan.models.generator import RecurrentGenerator
from keras_rgan.models.signatures import SEED
from keras_rgan.models.signatures import endpoint
from keras_rgan.models.signatures import full_lengths


@keras.saving.register_keras_serializable(package="keras_rgan")
class CRGAN(SequenceGAN):
    """A GAN whose generator and discriminator share one recurrent structure.

    One backbone definition `(cell, units, num_layers, dense_units)` builds
    both players: a `RecurrentStack` of `cell` (`"tanh"`, the explicit
    recurrence of `keras_rgan.layers.SharedTanhProjectionCell`, or `"lstm"`)
    followed by tanh dense layers; the generator ends in a per-step sigmoid
    layer (the scaled space), the discriminator in one logit per sequence.
    The two players have weights of their own. Training is the same
    non-saturating adversarial step as `RGAN`.

    With `condition_steps=k > 0` the generator is conditioned on a real
    prefix: each real batch is split in two; the generator reads the first
    `k` steps of the first half's windows (run through its own backbone,
    alongside the noise) and generates the remaining `seq_len - k` steps,
    while the discriminator judges complete windows (real prefix + generated
    continuation) against real windows from the second half. A fraction
    `unconditional_fraction` of the generator's windows get no prefix, so the
    same model also generates whole windows from noise alone. This makes the
    model a probabilistic forecaster (`continue_sequences`) and lets it chain
    windows into one series of any length (`generate_long`).

    Args:
        seq_len: int. Steps per window.
        num_features: int. Features per step.
        latent_dim: int. Noise dimensions drawn afresh at every step.
        cell: str. `"tanh"` or `"lstm"`.
        units: int. Units of each recurrent layer.
        num_layers: int. Number of recurrent layers.
        dense_units: list of int. Tanh dense layers after the recurrent ones.
        condition_steps: int. Length `k` of the real prefix, 0 for none.
        unconditional_fraction: float. Share of generated windows trained
            without a prefix when `condition_steps > 0`.
        scaler: a fitted `keras_rgan.data.MinMaxScaler`, or None.
        seed: int or None. Seed of the training noise.
        sequence_latent_dim: int. Noise dimensions drawn once per sequence.
        per_step_logits: bool. The discriminator gives a logit per step.
        num_classes: int. Classes of a label-conditional model (0: none).
        label_dim: int. Size of each player's label embedding.
        label_frequencies: list of float or None. Class frequencies of the
            training data, used when labels are drawn.
        length_frequencies: list of `seq_len` floats or None. For
            variable-length data (padded to `seq_len`, with lengths): how
            often each length `1..seq_len` occurs; see `SequenceGAN`.
        unroll: bool. Unroll both players' recurrences (faster on CPU for
            short sequences; no cuDNN kernel on GPU).

    Example:

    >>> import keras_rgan
    >>> x = keras_rgan.data.sine_waves(n=64, seq_len=12, dim=2, seed=0)
    >>> gan = CRGAN(seq_len=12, num_features=2, cell="tanh", units=8,
    ...             condition_steps=4, seed=0)
    >>> gan.compile()
    >>> _ = gan.fit(x, batch_size=16, epochs=1, verbose=0)
    >>> gan.continue_sequences(x[:3, :4], seed=1).shape
    (3, 12, 2)
    >>> gan.generate_long(30, seed=1).shape
    (1, 30, 2)
    """

    def __init__(
        self,
        seq_len,
        num_features,
        latent_dim=4,
        cell="tanh",
        units=32,
        num_layers=1,
        dense_units=(),
        condition_steps=0,
        unconditional_fraction=0.5,
        scaler=None,
        seed=None,
        sequence_latent_dim=0,
        per_step_logits=False,
        num_classes=0,
        label_dim=8,
        label_frequencies=None,
        length_frequencies=None,
        unroll=False,
        **kwargs,
    ):
        dense_units = list(dense_units)
        check_numeric_schema(kwargs.get("schema"), "CRGAN")
        if condition_steps and length_frequencies is not None:
            raise ValueError(
                "Prefix conditioning (condition_steps > 0) needs fixed-length "
                "sequences; variable-length data trains with condition_steps=0."
            )
        if not 0 <= condition_steps < seq_len:
            raise ValueError(
                f"condition_steps must be in [0, seq_len={seq_len}), "
                f"got {condition_steps}."
            )
        if not 0 <= unconditional_fraction <= 1:
            raise ValueError(
                "unconditional_fraction must be in [0, 1], got "
                f"{unconditional_fraction}."
            )
        backbone = dict(
            cell=cell,
            units=units,
            num_layers=num_layers,
            dense_units=dense_units,
            unroll=unroll,
        )
        # The one backbone definition both players are built from.
        self.backbone_definition = backbone
        self.condition_steps = condition_steps
        self.unconditional_fraction = unconditional_fraction
        super().__init__(
            generator=RecurrentGenerator(num_features, **backbone),
            discriminator=RecurrentDiscriminator(
                per_step_logits=per_step_logits, **backbone
            ),
            seq_len=seq_len,
            latent_dim=latent_dim,
            scaler=scaler,
            seed=seed,
            sequence_latent_dim=sequence_latent_dim,
            num_classes=num_classes,
            label_dim=label_dim,
            label_frequencies=label_frequencies,
            length_frequencies=length_frequencies,
            **kwargs,
        )

    recipe_name = "crgan"

    @classmethod
    def build_from_options(cls, num_features, seq_len, options, **kwargs):
        # Only tables with categories or gaps have these; refused below.
        kwargs.pop("step_frequencies", None)
        return cls(
            seq_len=seq_len,
            num_features=num_features,
            latent_dim=options["latent_dim"],
            sequence_latent_dim=options["sequence_latent_dim"],
            cell=options["cell"],
            units=options["units"],
            num_layers=options["num_layers"],
            dense_units=options["dense_units"],
            condition_steps=options["condition_steps"],
            per_step_logits=options["per_step_logits"],
            unroll=recipes.unrolled(options["unroll"], seq_len),
            **kwargs,
        )

    @property
    def generator_input_dim(self):
        if self.condition_steps == 0:
            return super().generator_input_dim
        # Noise (and labels), the prefix values (zero after the prefix) and
        # the prefix mask.
        return super().generator_input_dim + self.num_features + 1

    # === Conditioning ===

    def _prefix_condition(self, prefix_values, has_prefix):
        """Pads prefixes `(batch, k, features)` to full windows with a mask.

        `has_prefix` `(batch,)` (float) switches the prefix of each window
        on or off.
        """
        batch_size = tf.shape(prefix_values)[0]
        rest = self.seq_len - self.condition_steps
        values = tf.concat(
            [prefix_values, tf.zeros((batch_size, rest, self.num_features))],
            axis=1,
        )
        steps = tf.concat(
            [tf.ones((self.condition_steps,)), tf.zeros((rest,))], axis=0
        )
        mask = steps[None, :, None] * tf.reshape(has_prefix, (-1, 1, 1))
        return values, mask

    def private_training_refusal(self):
        if self.condition_steps:
            return (
                "its generator reads a prefix of real sequences, outside "
                "the clipped discriminator update (condition_steps=0 trains "
                "privately)"
            )
        return super().private_training_refusal()

    def split_batch(self, real, condition):
        if self.condition_steps == 0:
            return super().split_batch(real, condition)
        labels = condition.get("labels")
        half = tf.shape(real)[0] // 2
        generator_part, discriminator_part = real[:half], real[half : 2 * half]
        keep = (
            keras.random.uniform((half,), seed=self.seed_generator)
            >= self.unconditional_fraction
        )
        condition = {
            "labels": None if labels is None else labels[:half],
            "prefix": self._prefix_condition(
                generator_part[:, : self.condition_steps],
                tf.cast(keep, real.dtype),
            ),
        }
        d_labels = None if labels is None else labels[half : 2 * half]
        return discriminator_part, {"labels": d_labels}, condition

    def _prefix_or_none(self, noise, condition):
        prefix = (condition or {}).get("prefix")
        if prefix is None:
            batch_size = tf.shape(noise)[0]
            prefix = self._prefix_condition(
                tf.zeros((batch_size, self.condition_steps, self.num_features)),
                tf.zeros((batch_size,)),
            )
        return prefix

    def generator_inputs(self, noise, condition=None):
        inputs = super().generator_inputs(noise, condition)
        if self.condition_steps == 0:
            return inputs
        values, mask = self._prefix_or_none(noise, condition)
        return tf.concat([inputs, values * mask, mask], axis=-1)

    def fake_from_noise(self, noise, condition=None, training=False):
        generated = super().fake_from_noise(noise, condition, training)
        if self.condition_steps == 0:
            return generated
        values, mask = self._prefix_or_none(noise, condition)
        # Prefix steps are the given values exactly; the rest is generated.
        return mask * values + (1.0 - mask) * generated

    # === Continuation and long sequences (tensors in, tensors out) ===

    def _check_conditional(self):
        if self.condition_steps == 0:
            raise ValueError(
                "This model was built with condition_steps=0: it cannot "
                "continue a prefix. Build it with condition_steps > 0."
            )

    def continue_scaled(self, prefix, noise, labels=None):
        """Windows in the scaled space whose first k steps are `prefix`."""
        batch_size = tf.shape(prefix)[0]
        condition = {
            "labels": labels,
            "prefix": self._prefix_condition(prefix, tf.ones((batch_size,))),
        }
        return self.fake_from_noise(noise, condition)

    def continue_from_seed(self, prefix, seed, stream=0, labels=None):
        """Continues prefixes in original units; first k steps are `prefix`."""
        self._check_conditional()
        prefix = tf.convert_to_tensor(prefix, tf.float32)
        scaled_prefix = (
            prefix if self.scaler is None else self.scaler.transform(prefix)
        )
        batch_size = tf.shape(prefix)[0]
        if self.num_classes and labels is None:
            labels = self.labels_from_seed(batch_size, seed)
        noise = self.noise_from_seed(batch_size, seed, stream)
        windows = self.continue_scaled(scaled_prefix, noise, labels)
        continuation = self.to_original_units(
            windows[:, self.condition_steps :]
        )
        return tf.concat([prefix, continuation], axis=1)

    def generate_long_from_seed(self, length, seed):
        """One series `(1, length, features)` in original units.

        Window 0 is generated from noise alone (noise stream 0); window `i`
        continues the last `k` steps of the series so far (noise stream `i`),
        so each window's prefix is exactly the previous tail.
        """
        self._check_conditional()
        k = self.condition_steps
        labels = self.labels_from_seed(1, seed) if self.num_classes else None
        series = self.fake_from_noise(
            self.noise_from_seed(1, seed, 0), {"labels": labels}
        )

        def not_long_enough(series, stream):
            del stream
            return tf.shape(series)[1] < length

        def extend(series, stream):
            window = self.continue_scaled(
                series[:, -k:], self.noise_from_seed(1, seed, stream), labels
            )
            return tf.concat([series, window[:, k:]], axis=1), stream + 1

        series, _ = tf.while_loop(
            not_long_enough,
            extend,
            (series, tf.constant(1, tf.int64)),
            shape_invariants=(
                tf.TensorShape([1, None, self.num_features]),
                tf.TensorShape([]),
            ),
        )
        return self.to_original_units(series[:, :length])

    # === Serving ===

    def serving_signatures(self, max_num_samples, max_length):
        """`SequenceGAN`'s signatures and, with `condition_steps = k > 0`,
        `continue_sequences` (`prefix` `(None, k, num_features)`, `seed`)
        and `generate_long` (`length` up to `max_length`, `seed`)."""
        signatures = super().serving_signatures(max_num_samples, max_length)
        if self.condition_steps == 0:
            return signatures
        k, features = self.condition_steps, self.num_features

        def continue_sequences(inputs):
            prefix = checked_shape(inputs["prefix"], [k, features], "prefix")
            batch_size = checked(
                tf.shape(prefix)[0], 1, max_num_samples, "the prefix batch size"
            )
            with tf.control_dependencies([batch_size]):
                prefix = tf.identity(prefix)
            return {
                "sequences": self.continue_from_seed(prefix, inputs["seed"]),
                "lengths": full_lengths(batch_size, self.seq_len),
            }

        def generate_long(inputs):
            length = checked(inputs["length"], 1, max_length, "length")
            return {
                "sequences": self.generate_long_from_seed(
                    length, inputs["seed"]
                ),
                "lengths": full_lengths(1, length),
            }

        prefix_spec = tf.TensorSpec((None, k, features), tf.float32, "prefix")
        length_spec = tf.TensorSpec((), tf.int32, name="length")
        signatures["continue_sequences"] = endpoint(
            continue_sequences, [prefix_spec, SEED]
        )
        signatures["generate_long"] = endpoint(
            generate_long, [length_spec, SEED]
        )
        return signatures

    # === NumPy conveniences ===

    def continue_sequences(self, prefix, seed=0):
        """Continues real prefixes into full windows, in original units.

        Args:
            prefix: array `(batch, condition_steps, num_features)`, original
                units.
            seed: int. The same seed gives the same continuations.

        Returns:
            A float32 array `(batch, seq_len, num_features)` whose first
            `condition_steps` steps equal `prefix`.
        """
        self._check_conditional()
        prefix = tf.convert_to_tensor(prefix, tf.float32)
        expected = (self.condition_steps, self.num_features)
        if prefix.shape.rank != 3 or tuple(prefix.shape[1:]) != expected:
            raise ValueError(
                "prefix must have shape "
                f"(batch, {expected[0]}, {expected[1]}), "
                f"got {tuple(prefix.shape)}."
            )
        return self.continue_from_seed(
            prefix, tf.constant(seed, tf.int64)
        ).numpy()

    def generate_long(self, length, seed=0):
        """Generates one continuous series of `length` steps, original units.

        Returns:
            A float32 array `(1, length, num_features)`.
        """
        if length < 1:
            raise ValueError(f"length must be positive, got {length}.")
        return self.generate_long_from_seed(
            tf.constant(length, tf.int32), tf.constant(seed, tf.int64)
        ).numpy()

    # === Config ===

    def get_config(self):
        config = super().get_config()
        for key in ("generator", "discriminator"):
            del config[key]
        config.update(self.backbone_definition)
        config.update(
            {
                "num_features": self.num_features,
                "condition_steps": self.condition_steps,
                "unconditional_fraction": self.unconditional_fraction,
                "per_step_logits": self.discriminator.per_step_logits,
            }
        )
        return config
