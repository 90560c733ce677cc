"""Shared pieces of the post-hoc scores: scaling, splits and fresh GRU models."""

import keras
import numpy as np
import tensorflow as tf

from keras_rgan.data.checks import check_sequences
from keras_rgan.data.scaling import MinMaxScaler


def scale_pair(real, synthetic, scaler=None):
    """Checks both sets and scales them with the real data's scaler.

    Args:
        real: array `(n, seq_len, features)` in original units.
        synthetic: array of the same trailing shape.
        scaler: a fitted `MinMaxScaler`, or None to fit one on `real`.

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
    scaler = scaler or MinMaxScaler().fit(real)
    return scaler.transform(real), scaler.transform(synthetic)


def train_test_split(x, rng, train_fraction=0.8):
    """A random split of `x` into `(train, test)`."""
    order = rng.permutation(len(x))
    cut = int(round(train_fraction * len(x)))
    return x[order[:cut]], x[order[cut:]]


def gru_model(num_features, outputs, activation=None, return_sequences=False, seed=0):
    """A fresh one-layer GRU (hidden = features // 2, at least 1) with a dense head.

    Every weight is seeded, so the same seed gives the same model without
    touching Keras' global random state.
    """
    hidden = max(1, num_features // 2)
    return keras.Sequential(
        [
            keras.Input((None, num_features)),
            keras.layers.GRU(
                hidden,
                return_sequences=return_sequences,
                kernel_initializer=keras.initializers.GlorotUniform(seed),
                recurrent_initializer=keras.initializers.Orthogonal(seed=seed + 1),
            ),
            keras.layers.Dense(
                outputs,
                activation=activation,
                kernel_initializer=keras.initializers.GlorotUniform(seed + 2),
            ),
        ]
    )


def fit_steps(model, x, y, steps, batch_size, seed, loss):
    """Trains `model` for `steps` Adam steps on shuffled batches of `(x, y)`."""
    model.compile(optimizer=keras.optimizers.Adam(), loss=loss, steps_per_execution=50)
    dataset = (
        tf.data.Dataset.from_tensor_slices((x, y))
        .shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
        .repeat()
        .batch(batch_size)
        .prefetch(tf.data.AUTOTUNE)
    )
    model.fit(dataset, steps_per_epoch=steps, epochs=1, verbose=0)
    return model


def as_rng(seed):
    return np.random.default_rng(seed)


def subsample(x, max_samples, rng):
    """At most `max_samples` rows of `x`, drawn without replacement."""
    if len(x) <= max_samples:
        return x
    return x[rng.choice(len(x), max_samples, replace=False)]
