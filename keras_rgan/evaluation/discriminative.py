"""TimeGAN's discriminative score: how well a post-hoc classifier tells real
from synthetic sequences."""

import keras
import numpy as np

from keras_rgan.evaluation.post_hoc import as_rng
from keras_rgan.evaluation.post_hoc import fit_steps
from keras_rgan.evaluation.post_hoc import gru_model
from keras_rgan.evaluation.post_hoc import scale_pair
from keras_rgan.evaluation.post_hoc import train_test_split


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

    As defined by Yoon et al. (TimeGAN, NeurIPS 2019): both sets are scaled
    with the real data's scaler; a one-layer GRU (hidden units = features // 2,
    at least 1) with a linear head learns real vs synthetic on 80% of each
    (`steps` Adam steps, batch 128) and is tested on the other 20%. 0 means
    indistinguishable, 0.5 perfectly separable. Lower is better.

    Args:
        real: array `(n, seq_len, features)`, original units.
        synthetic: array `(m, seq_len, features)`, original units.
        scaler: fitted `MinMaxScaler` of the real data, or None to fit one.
        steps: int. Classifier training steps.
        batch_size: int.
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
    x_train = np.concatenate([real_train, fake_train])
    y_train = np.concatenate(
        [np.ones(len(real_train)), np.zeros(len(fake_train))]
    )
    x_test = np.concatenate([real_test, fake_test])
    y_test = np.concatenate([np.ones(len(real_test)), np.zeros(len(fake_test))])
    model = gru_model(real.shape[-1], outputs=1, seed=seed, masked=masked)
    loss = keras.losses.BinaryCrossentropy(from_logits=True)
    fit_steps(
        model, x_train, y_train.astype("float32"), steps, batch_size, seed, loss
    )
    logits = model.predict(x_test, batch_size=1024, verbose=0)[:, 0]
    accuracy = float(np.mean((logits > 0) == (y_test > 0.5)))
    return abs(accuracy - 0.5)
