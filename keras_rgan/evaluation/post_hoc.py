"""Shared pieces of the post-hoc scores: scaling, splits and fresh GRU
models."""

import keras
import numpy as np
import tensorflow as tf

from keras_rgan.data.checks import check_sequences
from keras_rgan.data.scaling import MinMaxScaler
from keras_rgan.data.windowing import step_mask

# Padded steps of variable-length sequences hold this value in every feature
# once scaled (scaled data lies in [0, 1]); a `keras.layers.Masking` layer
# makes the post-hoc classifiers skip them.
PAD_VALUE = -10.0


def scale_pair(
    real, synthetic, scaler=None, real_lengths=None, synthetic_lengths=None
):
    """Checks both sets and scales them with the real data's scaler.

    Args:
        real: array `(n, seq_len, features)` in original units.
        synthetic: array of the same trailing shape.
        scaler: a fitted `MinMaxScaler`, or None to fit one on `real`.
        real_lengths, synthetic_lengths: int arrays `(n,)` or None. For
            variable-length sequences: steps past each length are set to
            `PAD_VALUE`.

    Returns:
        `(real, synthetic)` as float32 arrays in the scaled space.
    """
    real = check_sequences(real, "real data")
    synthetic = check_sequences(synthetic, "synthetic data")
    if real.shape[1:] != synthetic.shape[1:]:
        raise ValueError(
            f"Real sequences have shape {real.shape[1:]} but synthetic ones "
            f"{synthetic.shape[1:]}; they must match."
        )
    scaler = scaler or MinMaxScaler().fit(
        real if real_lengths is None else _valid_steps(real, real_lengths)
    )
    return (
        pad(scaler.transform(real), real_lengths),
        pad(scaler.transform(synthetic), synthetic_lengths),
    )


def _valid_steps(x, lengths):
    return x[step_mask(lengths, x.shape[1])]


def pad(x, lengths):
    """`x` with `PAD_VALUE` past each sequence's length (None: unchanged)."""
    if lengths is None:
        return np.asarray(x, np.float32)
    lengths = np.asarray(lengths)
    if (
        lengths.shape != (len(x),)
        or lengths.min() < 1
        or lengths.max() > x.shape[1]
    ):
        raise ValueError(
            f"lengths must be {len(x)} integers in [1, {x.shape[1]}], got "
            f"shape {lengths.shape}."
        )
    return np.where(
        step_mask(lengths, x.shape[1])[..., None], x, PAD_VALUE
    ).astype(np.float32)


def train_test_split(x, rng, train_fraction=0.8):
    """A random split of `x` into `(train, test)`."""
    order = rng.permutation(len(x))
    cut = int(round(train_fraction * len(x)))
    return x[order[:cut]], x[order[cut:]]


def gru_model(
    num_features,
    outputs,
    activation=None,
    return_sequences=False,
    seed=0,
    masked=False,
    hidden=None,
):
    """A fresh one-layer GRU (`hidden` units, default features // 2, at
    least 1) with a dense head.

    Every weight is seeded, so the same seed gives the same model without
    touching Keras' global random state. With `masked`, steps whose every
    feature is `PAD_VALUE` are skipped.
    """
    hidden = hidden or max(1, num_features // 2)
    masking = [keras.layers.Masking(PAD_VALUE)] if masked else []
    return keras.Sequential(
        [
            keras.Input((None, num_features)),
            *masking,
            keras.layers.GRU(
                hidden,
                return_sequences=return_sequences,
                kernel_initializer=keras.initializers.GlorotUniform(seed),
                recurrent_initializer=keras.initializers.Orthogonal(
                    seed=seed + 1
                ),
            ),
            keras.layers.Dense(
                outputs,
                activation=activation,
                kernel_initializer=keras.initializers.GlorotUniform(seed + 2),
            ),
        ]
    )


def shuffled_batches(arrays, batch_size, seed):
    """Endless batches of the tuple `arrays` (sliced together), reshuffled
    every pass; every batch is full."""
    return (
        tf.data.Dataset.from_tensor_slices(arrays)
        .shuffle(len(arrays[0]), seed=seed, reshuffle_each_iteration=True)
        .repeat()
        .batch(batch_size)
    )


def fit_steps(model, batches, steps, loss):
    """Trains `model` for `steps` Adam steps on the endless dataset
    `batches` of `(x, y)` or `(x, y, sample_weight)` (TensorFlow 1's Adam
    defaults, as the reference scores were trained with)."""
    model.compile(
        optimizer=keras.optimizers.Adam(epsilon=1e-8),
        loss=loss,
        steps_per_execution=50,
    )
    model.fit(
        batches.prefetch(tf.data.AUTOTUNE),
        steps_per_epoch=steps,
        epochs=1,
        shuffle=False,  # The batches are shuffled already.
        verbose=0,
    )
    return model


def as_rng(seed):
    return np.random.default_rng(seed)


def subsample(x, max_samples, rng):
    """At most `max_samples` rows of `x`, drawn without replacement."""
    if len(x) <= max_samples:
        return x
    return x[rng.choice(len(x), max_samples, replace=False)]
