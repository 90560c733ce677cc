"""Conditions both players read: class labels and sequence lengths.

A condition is one layer that knows everything about its kind: which entry
of a batch's condition dict it reads (`key`), what it adds to each player's
per-step input (`player_inputs`, `input_dim`), how generation draws it from
the training frequencies (`draw`), how served inputs are checked
(`serving_spec`, `check_served`) and its config. A GAN holds a list of
them; a new kind of condition is a new class here, not a branch in every
method of the GAN.
"""

import keras
import numpy as np
import tensorflow as tf

from keras_rgan.graph_checks import checked_batch

PLAYERS = ("generator", "discriminator")


def _draw_categorical(frequencies, num_samples, seed, stream):
    logits = tf.math.log(tf.constant([frequencies], tf.float32) + 1e-12)
    draws = tf.random.stateless_categorical(
        logits,
        num_samples,
        seed=tf.stack([tf.cast(seed, tf.int64), tf.constant(stream, tf.int64)]),
    )
    return tf.cast(draws[0], tf.int32)


@keras.saving.register_keras_serializable(package="keras_rgan")
class LabelCondition(keras.layers.Layer):
    """Class labels, embedded separately for each player and fed to it at
    every step (RCGAN, Esteban et al. 2017).

    Args:
        num_classes: int. Number of classes.
        label_dim: int. Size of each player's label embedding.
        frequencies: list of `num_classes` floats or None. How often each
            class occurs in the training data; generation draws labels from
            them (None: uniformly).

    Example:

    >>> condition = LabelCondition(3, label_dim=2)
    >>> inputs = condition.player_inputs(tf.constant([0, 2]), 5, "generator")
    >>> tuple(inputs.shape)
    (2, 5, 2)
    """

    key = "labels"

    def __init__(self, num_classes, label_dim=8, frequencies=None, **kwargs):
        super().__init__(**kwargs)
        if num_classes < 1 or label_dim < 1:
            raise ValueError(
                "num_classes and label_dim must be positive, got "
                f"{num_classes} and {label_dim}."
            )
        if frequencies is not None and len(frequencies) != num_classes:
            raise ValueError(
                f"label_frequencies has {len(frequencies)} entries for "
                f"{num_classes} classes."
            )
        self.num_classes = num_classes
        self.label_dim = label_dim
        self.frequencies = (
            None if frequencies is None else [float(f) for f in frequencies]
        )
        self.generator_embedding = keras.layers.Embedding(
            num_classes, label_dim, name="generator_labels"
        )
        self.discriminator_embedding = keras.layers.Embedding(
            num_classes, label_dim, name="discriminator_labels"
        )
        for player in PLAYERS:
            getattr(self, f"{player}_embedding").build((None,))
        self.built = True

    def input_dim(self, player):
        del player
        return self.label_dim

    def player_inputs(self, labels, steps, player, dtype=None):
        """`(batch, steps, label_dim)`: `player`'s embedding of `labels`."""
        if labels is None:
            raise ValueError("This model is label-conditional: give labels.")
        embedding = getattr(self, f"{player}_embedding")
        embedded = embedding(tf.cast(labels, "int32"))
        if dtype is not None:
            embedded = tf.cast(embedded, dtype)
        return tf.repeat(embedded[:, None, :], steps, axis=1)

    def draw(self, num_samples, seed):
        """Labels drawn from the training frequencies, fixed by `seed`."""
        return _draw_categorical(
            self.frequencies or [1.0] * self.num_classes, num_samples, seed, -1
        )

    def check(self, labels, num_samples):
        """User-given labels as int32 NumPy, or a clear error."""
        labels = np.asarray(labels)
        if labels.ndim != 1 or labels.dtype.kind not in "iu":
            raise TypeError(
                f"labels must be a 1-D integer array, got {labels.dtype} with "
                f"shape {labels.shape}."
            )
        if labels.size and (
            labels.min() < 0 or labels.max() >= self.num_classes
        ):
            raise ValueError(
                f"labels must lie in [0, {self.num_classes}), got values from "
                f"{labels.min()} to {labels.max()}."
            )
        if len(labels) != num_samples:
            raise ValueError(
                f"Got {len(labels)} labels for num_samples={num_samples}."
            )
        return labels.astype(np.int32)

    def serving_spec(self):
        return tf.TensorSpec((None,), tf.int32, name=self.key)

    def check_served(self, labels, batch_size):
        return checked_batch(
            labels, 0, self.num_classes - 1, self.key, batch_size
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            num_classes=self.num_classes,
            label_dim=self.label_dim,
            frequencies=self.frequencies,
        )
        return config


@keras.saving.register_keras_serializable(package="keras_rgan")
class LengthCondition(keras.layers.Layer):
    """Sequences of lengths of their own, padded to `seq_len`.

    Both players read each sequence's length (as a fraction of `seq_len`) at
    every step; the generator also reads whether the step is on. Padded
    steps of generated sequences are zero and the discriminator skips them
    (a Keras mask), so they never reach a loss. Generation draws lengths
    from the training frequencies.

    Args:
        seq_len: int. Steps of a full sequence.
        frequencies: list of `seq_len` floats: how often each length
            `1..seq_len` occurs in the training data.

    Example:

    >>> condition = LengthCondition(4, [0.0, 0.5, 0.0, 0.5])
    >>> condition.mask(tf.constant([2, 4]), 4)[..., 0].numpy().tolist()
    [[1.0, 1.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0]]
    """

    key = "lengths"

    def __init__(self, seq_len, frequencies, **kwargs):
        super().__init__(**kwargs)
        if (
            len(frequencies) != seq_len
            or min(frequencies) < 0
            or sum(frequencies) <= 0
        ):
            raise ValueError(
                f"length_frequencies needs {seq_len} non-negative entries "
                f"(one per length 1..seq_len) with a positive sum, got "
                f"{list(frequencies)}."
            )
        self.seq_len = seq_len
        self.frequencies = [float(f) for f in frequencies]
        self.built = True

    def input_dim(self, player):
        return 2 if player == "generator" else 1

    def lengths(self, lengths, batch_size):
        """`lengths` as int32, or full lengths where they are missing."""
        if lengths is None:
            return tf.fill([batch_size], self.seq_len)
        return tf.cast(lengths, "int32")

    def mask(self, lengths, steps, dtype="float32"):
        """`(batch, steps, 1)`: 1 at each sequence's steps, 0 past them."""
        mask = tf.sequence_mask(lengths, steps, dtype)
        return mask[..., None]

    def player_inputs(self, lengths, steps, player, dtype="float32"):
        """The length as a fraction of `seq_len` at every step and, for the
        generator, whether each step is on."""
        fraction = tf.cast(lengths, dtype) / float(self.seq_len)
        parts = [tf.repeat(fraction[:, None, None], steps, axis=1)]
        if player == "generator":
            parts.append(self.mask(lengths, steps, dtype))
        return tf.concat(parts, axis=-1)

    def draw(self, num_samples, seed):
        """Lengths drawn from the training frequencies, fixed by `seed`."""
        return _draw_categorical(self.frequencies, num_samples, seed, -2) + 1

    def serving_spec(self):
        return tf.TensorSpec((None,), tf.int32, name=self.key)

    def check_served(self, lengths, batch_size):
        return checked_batch(lengths, 1, self.seq_len, self.key, batch_size)

    def get_config(self):
        config = super().get_config()
        config.update(seq_len=self.seq_len, frequencies=self.frequencies)
        return config
