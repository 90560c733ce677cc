"""Conditions both players read: class labels, sequence lengths and
per-sequence attributes.

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
from keras_rgan.graph_checks import checked_count
from keras_rgan.graph_checks import checked_shape
from keras_rgan.layers.output_heads import OutputHeads
from keras_rgan.layers.output_heads import uniform_from_normal

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


@keras.saving.register_keras_serializable(package="keras_rgan")
class AttributeCondition(keras.layers.Layer):
    """Per-sequence attributes (DoppelGANger's metadata, Lin et al. 2020),
    generated first and read by both players at every step.

    The attributes are encoded as a table schema encodes a step (numbers
    scaled to `[0, 1]`, a one-hot block per categorical attribute). A small
    attribute generator maps per-sequence noise to attributes through the
    same `OutputHeads` as the sequence generator; in training, the
    generator's fakes read generated attributes and the discriminator
    judges attributes and sequences together, so both are learned jointly.
    Given attributes (`generate_with_attributes`) replace drawn ones.

    Args:
        blocks: list of `(kind, size)`: the encoded attributes'
            `OutputHeads` blocks ("numeric", then "categorical" ones).
        noise_dim: int. Noise dimensions of the attribute generator.
        units: int. Units of its two hidden layers.

    Example:

    >>> condition = AttributeCondition([("numeric", 1), ("categorical", 2)])
    >>> condition.draw(3, seed=0).shape
    TensorShape([3, 3])
    """

    key = "attributes"

    def __init__(self, blocks, noise_dim=8, units=32, **kwargs):
        super().__init__(**kwargs)
        if noise_dim < 1 or units < 1:
            raise ValueError(
                "noise_dim and units must be positive, got "
                f"{noise_dim} and {units}."
            )
        self.heads = OutputHeads(blocks, name="attribute_heads")
        self.blocks = self.heads.blocks
        self.width = self.heads.width
        self.noise_dim = noise_dim
        self.units = units
        # Per-sequence noise drawn: what the network reads, then what its
        # heads sample categories with.
        self.noise_width = noise_dim + self.heads.sampling_width
        self.hidden = [
            keras.layers.Dense(units, "relu", name=f"attribute_hidden_{k}")
            for k in range(2)
        ]
        self.output_dense = keras.layers.Dense(
            self.width, name="attribute_output"
        )
        size = noise_dim
        for layer in self.hidden:
            layer.build((None, size))
            size = units
        self.output_dense.build((None, units))
        self.built = True

    def input_dim(self, player):
        del player
        return self.width

    def player_inputs(self, attributes, steps, player, dtype=None):
        """`(batch, steps, width)`: the encoded attributes at every step."""
        del player
        if attributes is None:
            raise ValueError("This model reads attributes: give them.")
        attributes = tf.convert_to_tensor(attributes)
        if dtype is not None:
            attributes = tf.cast(attributes, dtype)
        return tf.repeat(attributes[:, None, :], steps, axis=1)

    def generate(self, noise, training=False):
        """Encoded attributes for per-sequence `noise` `(batch,
        noise_width)`: the network reads the first `noise_dim`, the heads
        sample with the rest."""
        hidden = noise[:, : self.noise_dim]
        for layer in self.hidden:
            hidden = layer(hidden, training=training)
        sampling = uniform_from_normal(noise[:, self.noise_dim :])
        return self.heads(self.output_dense(hidden), sampling_noise=sampling)

    def draw(self, num_samples, seed):
        """Generated attributes, fixed by `seed`."""
        noise = tf.random.stateless_normal(
            tf.stack([num_samples, self.noise_width]),
            seed=tf.stack([tf.cast(seed, tf.int64), tf.constant(-3, tf.int64)]),
        )
        return self.generate(noise)

    def serving_spec(self):
        return tf.TensorSpec((None, self.width), tf.float32, name=self.key)

    def check_served(self, attributes, batch_size):
        attributes = checked_shape(attributes, [self.width], self.key)
        return checked_count(attributes, self.key, batch_size)

    def get_config(self):
        config = super().get_config()
        config.update(
            blocks=[list(block) for block in self.blocks],
            noise_dim=self.noise_dim,
            units=self.units,
        )
        return config
