"""TimeGAN's discriminative score: how well a post-hoc classifier tells real
from synthetic sequences."""

import keras
import numpy as np
import tensorflow as tf

from keras_rgan.evaluation.post_hoc import as_rng
from keras_rgan.evaluation.post_hoc import fit_steps
from keras_rgan.evaluation.post_hoc import gru_model
from keras_rgan.evaluation.post_hoc import scale_pair
from keras_rgan.evaluation.post_hoc import shuffled_batches
from keras_rgan.evaluation.post_hoc import train_test_split

# Classifier runs averaged into a reported score, as TimeGAN's
# `main_timegan.py` does (`--metric_iteration`, default 10). One classifier
# ranges from near 0 to 0.2 on the same model; the mean of 10 halves the
# variance of the mean of 5, and with it most of the spread between seeds.
DEFAULT_RUNS = 10


def balanced_batches(real, synthetic, batch_size, seed):
    """Endless `(x, y, weight)` batches of `batch_size` real sequences
    (label 1) and `batch_size` synthetic ones (label 0), each shuffled on
    its own. Weights of 2 make Keras' mean over the `2 * batch_size`
    sequences the reference's loss: the mean over the real batch plus the
    mean over the synthetic batch."""

    def labelled(x, label, offset):
        return shuffled_batches((x,), batch_size, seed + offset).map(
            lambda batch: (batch, tf.fill([tf.shape(batch)[0], 1], label))
        )

    def joined(real_batch, fake_batch):
        x = tf.concat([real_batch[0], fake_batch[0]], axis=0)
        y = tf.concat([real_batch[1], fake_batch[1]], axis=0)
        return x, y, tf.fill([tf.shape(x)[0]], 2.0)

    return tf.data.Dataset.zip(
        labelled(real, 1.0, 0), labelled(synthetic, 0.0, 1)
    ).map(joined)


def discriminative_score(
    real,
    synthetic,
    scaler=None,
    steps=2000,
    batch_size=128,
    seed=0,
    real_lengths=None,
    synthetic_lengths=None,
):
    """`|accuracy - 0.5|` of a fresh GRU classifier of real vs synthetic.

    As TimeGAN's `metrics/discriminative_metrics.py` computes it (Yoon et
    al., NeurIPS 2019; copied by Diffusion-TS and TSGBench): both sets are
    scaled with the real data's scaler; a one-layer GRU (hidden units =
    features // 2, at least 1) with a linear head learns real vs synthetic
    on 80% of each, every one of its `steps` Adam steps on a batch of
    `batch_size` real **and** a batch of `batch_size` synthetic sequences
    (loss: mean over the real batch + mean over the synthetic one); it is
    tested on the other 20% of each. 0 means indistinguishable, 0.5
    perfectly separable. Lower is better. One run is noisy: report the mean
    of several (`discriminative_scores`) and compare sets of equal size.

    Args:
        real: array `(n, seq_len, features)`, original units.
        synthetic: array `(m, seq_len, features)`, original units.
        scaler: fitted `MinMaxScaler` of the real data, or None to fit one.
        steps: int. Classifier training steps.
        batch_size: int. Real (and synthetic) sequences per step.
        seed: int. Seeds the split, the classifier and the shuffling.
        real_lengths, synthetic_lengths: int arrays or None. For
            variable-length sequences: the classifier skips padded steps.

    Returns:
        float.

    Example:

    >>> from keras_rgan.data import sine_waves
    >>> score = discriminative_score(sine_waves(200, 8, 2, seed=0),
    ...                              sine_waves(200, 8, 2, seed=1), steps=100)
    >>> 0.0 <= score <= 0.5
    True
    """
    real, synthetic = scale_pair(
        real, synthetic, scaler, real_lengths, synthetic_lengths
    )
    masked = real_lengths is not None or synthetic_lengths is not None
    rng = as_rng(seed)
    real_train, real_test = train_test_split(real, rng)
    fake_train, fake_test = train_test_split(synthetic, rng)
    model = gru_model(real.shape[-1], outputs=1, seed=seed, masked=masked)
    fit_steps(
        model,
        balanced_batches(real_train, fake_train, batch_size, seed),
        steps,
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
    )
    x_test = np.concatenate([real_test, fake_test])
    y_test = np.concatenate([np.ones(len(real_test)), np.zeros(len(fake_test))])
    logits = model.predict(x_test, batch_size=1024, verbose=0)[:, 0]
    accuracy = float(np.mean((logits > 0) == (y_test > 0.5)))
    return abs(accuracy - 0.5)


def discriminative_scores(
    real, synthetic, runs=DEFAULT_RUNS, seed=0, **options
):
    """`discriminative_score` of `runs` classifiers (seeds `seed`,
    `seed + 1`, ...), each with its own split: a list of floats.

    Example:

    >>> from keras_rgan.data import sine_waves
    >>> scores = discriminative_scores(sine_waves(100, 8, 2, seed=0),
    ...     sine_waves(100, 8, 2, seed=1), runs=2, steps=20)
    >>> len(scores)
    2
    """
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}.")
    return [
        discriminative_score(real, synthetic, seed=seed + k, **options)
        for k in range(runs)
    ]
