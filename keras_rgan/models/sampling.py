"""Seeded noise and generation: what every GAN of the package does after
(and, for noise, during) training. Mixed into `SequenceGAN`."""

import contextlib

import keras
import numpy as np
import tensorflow as tf

from keras_rgan import distribute
from keras_rgan.models.signatures import full_lengths


def _check_count(num_samples):
    if not isinstance(num_samples, (int, np.integer)) or num_samples < 1:
        raise ValueError(
            f"num_samples must be a positive integer, got {num_samples!r}."
        )


def _seed_or_fresh(seed):
    return (
        int(np.random.default_rng().integers(2**62)) if seed is None else seed
    )


class SequenceSampling:
    """Noise, seeded generation and judging in original units.

    Needs the host model's `seq_len`, `latent_dim`, `sequence_latent_dim`,
    `noise_dim`, `seed_generator`, `scaler`, `conditions`, `fake_from_noise`
    and `judge`. The same seed gives the same sequences from `generate()`,
    from `generate_from_seed` and from an export's signatures.
    """

    # === Noise ===

    def _structure_noise(self, normal):
        """Holds the per-sequence dimensions of a normal draw fixed over
        time."""
        if self.sequence_latent_dim == 0:
            return normal
        per_step = normal[..., : self.latent_dim]
        per_sequence = normal[:, :1, self.latent_dim : self.noise_dim]
        sampling = normal[..., self.noise_dim :]
        return tf.concat(
            [per_step, tf.repeat(per_sequence, self.seq_len, axis=1), sampling],
            axis=-1,
        )

    def replica_noise(self, batch_size, shape):
        """This replica's slice of one global draw of normal noise
        `(global batch, *shape)`."""
        num_replicas, replica_id = distribute.replica_info()
        noise = keras.random.normal(
            [batch_size * num_replicas, *shape], seed=self.seed_generator
        )
        if num_replicas == 1:
            return noise
        start = replica_id * batch_size
        return noise[start : start + batch_size]

    def training_noise(self, batch_size):
        """Draws this replica's slice of one global noise batch."""
        return self._structure_noise(
            self.replica_noise(batch_size, [self.seq_len, self.drawn_noise_dim])
        )

    def noise_from_seed(self, num_samples, seed, stream=0):
        """Noise `(num_samples, seq_len, noise_dim)` fixed by an int64 seed.

        `stream` picks one of many independent draws for the same seed.
        """
        return self._structure_noise(
            tf.random.stateless_normal(
                tf.stack([num_samples, self.seq_len, self.drawn_noise_dim]),
                seed=tf.stack(
                    [tf.cast(seed, tf.int64), tf.cast(stream, tf.int64)]
                ),
            )
        )

    # === Conditions drawn for generation ===

    def labels_from_seed(self, num_samples, seed):
        """Labels drawn from the training label frequencies, fixed by `seed`."""
        return self.label_condition.draw(num_samples, seed)

    def lengths_from_seed(self, num_samples, seed):
        """Lengths drawn from the training length frequencies (all `seq_len`
        for fixed-length models), fixed by `seed`."""
        if self.length_condition is None:
            return full_lengths(num_samples, self.seq_len)
        return self.length_condition.draw(num_samples, seed)

    # === Generation (tensors in, tensors out) ===

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
        # Before the optimizer's first step its averages are zeros.
        if (
            optimizer is None
            or not optimizer.use_ema
            or not optimizer.built
            or int(keras.ops.convert_to_numpy(optimizer.iterations)) == 0
        ):
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

    def to_original_units(self, scaled):
        """Maps sequences from the scaled space to the data's units (the
        numeric columns, for a table schema's encoded steps)."""
        return self.decoded(scaled)["sequences"]

    def decoded(self, scaled):
        """`{"sequences": original units}` of scaled (encoded) steps, with
        a table schema's categories, whole-number columns and observed
        flags (`TableSchema.decode`)."""
        if self.schema is not None:
            return self.schema.decode(scaled, self.scaler)
        if self.scaler is None:
            return {"sequences": scaled}
        return {"sequences": self.scaler.inverse_transform(scaled)}

    def outputs_from_noise(
        self, noise, labels=None, lengths=None, attributes=None
    ):
        """What serving returns for the given noise: `sequences` in
        original units (padded steps zero) and their `lengths`, plus any
        table outputs (`decoded`): static attributes and the label column
        in original units or text."""
        batch_size = tf.shape(noise)[0]
        if lengths is None and self.length_condition is None:
            lengths = full_lengths(batch_size, self.seq_len)
        condition = {
            "labels": labels,
            "lengths": lengths,
            "attributes": attributes,
        }
        outputs = self.decoded(self.fake_from_noise(noise, condition))
        if attributes is not None:
            outputs.update(self.schema.decode_attributes(attributes))
        label = None if self.schema is None else self.schema.label
        if label is not None and labels is not None:
            outputs[label[0]] = tf.gather(tf.constant(label[1]), labels)
        mask = self.step_mask(condition, outputs["sequences"])
        if mask is not None:
            outputs["sequences"] = outputs["sequences"] * mask
        if lengths is None:
            lengths = self.length_condition.lengths(None, batch_size)
        return {**outputs, "lengths": lengths}

    def sequences_from_noise(
        self, noise, labels=None, lengths=None, attributes=None
    ):
        """Generated sequences in original units, for the given noise (and,
        for variable-length models, `lengths`: padded steps are zero)."""
        return self.outputs_from_noise(noise, labels, lengths, attributes)[
            "sequences"
        ]

    def outputs_from_seed(
        self, num_samples, seed, labels=None, lengths=None, attributes=None
    ):
        """`outputs_from_noise` of noise, labels, lengths and attributes
        fixed by `seed` (tensors).

        A label-conditional model draws labels from the training frequencies
        unless `labels` are given (then `num_samples` is their count); a
        variable-length model draws lengths likewise, and a model of static
        attributes generates them unless `attributes` (encoded) are given.
        """
        if self.label_condition is not None and labels is None:
            labels = self.labels_from_seed(num_samples, seed)
        if lengths is None:
            lengths = self.lengths_from_seed(num_samples, seed)
        if self.attribute_condition is not None and attributes is None:
            attributes = self.attribute_condition.draw(num_samples, seed)
        noise = self.noise_from_seed(num_samples, seed)
        return self.outputs_from_noise(noise, labels, lengths, attributes)

    def generate_from_seed(self, num_samples, seed, labels=None, lengths=None):
        """`(sequences, lengths)`: generated sequences in original units and
        their lengths, fixed by `seed` (tensors); see `outputs_from_seed`.
        """
        outputs = self.outputs_from_seed(num_samples, seed, labels, lengths)
        return outputs["sequences"], outputs["lengths"]

    def discriminate(
        self,
        sequences,
        labels=None,
        lengths=None,
        columns=None,
        attributes=None,
    ):
        """The discriminator's logit per sequence, for original-unit input.

        Per-step logits are averaged over time (over each sequence's own
        steps, for variable-length models). For a table schema, `columns`
        holds each categorical column's text and the `observed` flags.
        Returns `(batch,)`.
        """
        if self.schema is not None:
            scaled = self.schema.encode_served(sequences, self.scaler, columns)
        elif self.scaler is None:
            scaled = sequences
        else:
            scaled = self.scaler.transform(sequences)
        condition = {
            "labels": labels,
            "lengths": lengths,
            "attributes": attributes,
        }
        logits = self.discriminator_logits(scaled, condition)
        logits = tf.reshape(logits, [tf.shape(logits)[0], -1])
        weights = self.logit_weights(logits[..., None], condition)
        if weights is None:
            return tf.reduce_mean(logits, axis=1)
        weights = weights[..., 0]
        return tf.reduce_sum(logits * weights, axis=1) / tf.reduce_sum(
            weights, axis=1
        )

    def discriminator_logits(self, scaled, condition=None):
        """The discriminator's output for sequences in the scaled space."""
        return self.judge(scaled, condition)

    # === NumPy conveniences ===

    def check_labels(self, labels, num_samples=None):
        """Checks class labels for this model; returns them as int32 NumPy."""
        if self.label_condition is None:
            raise ValueError(
                "This model is not label-conditional: give no labels."
            )
        count = len(np.asarray(labels)) if num_samples is None else num_samples
        return self.label_condition.check(labels, count)

    def generate_dataframe(self, num_samples, seed=None, feature_names=None):
        """Generated sequences as the user's table: a long-format pandas
        DataFrame with an id column, the time column continuing the data's
        timestamps, the original column names, categories as text, static
        attributes repeated on each row and empty cells where a value was
        not observed (`keras_rgan.data.table_output.outputs_to_frame`).

        Args:
            num_samples: int. Number of sequences.
            seed: int or None. The same seed gives the same table.
            feature_names: list of str or None. Names of the numeric
                features of a model trained without a table schema.

        Example:

        >>> import keras_rgan
        >>> gan = keras_rgan.RGAN.from_recipe(2, seq_len=4, units=4, seed=0)
        >>> gan.generate_dataframe(3, seed=0).shape
        (12, 4)
        """
        from keras_rgan.data.table_output import outputs_to_frame

        _check_count(num_samples)
        seed = _seed_or_fresh(seed)
        with self.averaged_generator():
            outputs = self.outputs_from_seed(
                tf.constant(num_samples, tf.int32), tf.constant(seed, tf.int64)
            )
        outputs = {name: value.numpy() for name, value in outputs.items()}
        names = feature_names or [
            f"feature_{k}" for k in range(outputs["sequences"].shape[-1])
        ]
        schema = None if self.schema is None else self.schema.get_config()
        return outputs_to_frame(outputs, schema, names, seed=seed)

    def generate(
        self, num_samples, seed=None, labels=None, return_lengths=False
    ):
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
            return_lengths: bool. Also return each sequence's length (all
                `seq_len` unless the model learned variable lengths; steps
                past a sequence's length are zero).

        Returns:
            A float32 NumPy array `(num_samples, seq_len, num_features)`, or
            with `return_lengths` a pair `(sequences, lengths)`.
        """
        _check_count(num_samples)
        if labels is not None:
            labels = tf.constant(self.check_labels(labels, num_samples))
        seed = _seed_or_fresh(seed)
        if self._generate_function is None:
            self._generate_function = tf.function(
                self.generate_from_seed, reduce_retracing=True
            )
        with self.averaged_generator():
            sequences, lengths = self._generate_function(
                tf.constant(num_samples, tf.int32),
                tf.constant(seed, tf.int64),
                labels,
            )
        if return_lengths:
            return sequences.numpy(), lengths.numpy()
        return sequences.numpy()
