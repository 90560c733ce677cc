"""TimeGAN's predictive score: train on synthetic, test on real, one step
ahead."""

import numpy as np

from keras_rgan.data.windowing import step_mask
from keras_rgan.evaluation.post_hoc import fit_steps
from keras_rgan.evaluation.post_hoc import gru_model
from keras_rgan.evaluation.post_hoc import scale_pair
from keras_rgan.evaluation.post_hoc import shuffled_batches


def _inputs_and_targets(x):
    """Other features up to step t-1 -> the last feature at step t; a single
    feature predicts itself from its own past."""
    inputs = x[:, :-1] if x.shape[-1] == 1 else x[:, :-1, :-1]
    return inputs, x[:, 1:, -1:]


def _target_weights(x, lengths):
    """1 where the target step `t + 1` lies within the sequence, else 0."""
    if lengths is None:
        return np.ones(x[:, 1:, 0].shape, np.float32)
    return step_mask(lengths, x.shape[1])[:, 1:].astype(np.float32)


def predictive_score(
    real,
    synthetic,
    scaler=None,
    steps=5000,
    batch_size=128,
    seed=0,
    real_lengths=None,
    synthetic_lengths=None,
):
    """Mean absolute error on real data of a predictor trained on synthetic.

    As defined by Yoon et al. (TimeGAN, NeurIPS 2019): both sets are scaled
    with the real data's scaler; a fresh one-layer GRU (hidden = features // 2)
    with a sigmoid head learns, on synthetic sequences only (`steps` Adam
    steps, batch 128), to predict the last feature one step ahead from the
    other features (a single feature: from its own past, where TimeGAN's
    definition cannot apply); the score is its mean absolute error over all
    real sequences. Lower is better; compare with the same score for real data.

    Args:
        real: array `(n, seq_len, features)`, original units.
        synthetic: array `(m, seq_len, features)`, original units.
        scaler: fitted `MinMaxScaler` of the real data, or None to fit one.
        steps: int. Predictor training steps.
        batch_size: int.
        seed: int.
        real_lengths, synthetic_lengths: int arrays or None. For
            variable-length sequences: only targets within each sequence's
            length are learned and scored.

    Returns:
        float.

    Example:

    >>> from keras_rgan.data import sine_waves
    >>> mae = predictive_score(sine_waves(100, 8, 3, seed=0),
    ...                        sine_waves(100, 8, 3, seed=1), steps=50)
    >>> 0.0 <= mae <= 1.0
    True
    """
    real, synthetic = scale_pair(
        real, synthetic, scaler, real_lengths, synthetic_lengths
    )
    x, y = _inputs_and_targets(synthetic)
    model = gru_model(
        x.shape[-1],
        outputs=1,
        activation="sigmoid",
        return_sequences=True,
        seed=seed,
        hidden=max(1, real.shape[-1] // 2),
    )
    weights = _target_weights(synthetic, synthetic_lengths)
    batches = shuffled_batches((x, y, weights), batch_size, seed)
    fit_steps(model, batches, steps, loss="mean_absolute_error")
    x_real, y_real = _inputs_and_targets(real)
    predictions = model.predict(x_real, batch_size=1024, verbose=0)
    weights = _target_weights(real, real_lengths)[..., None]
    return float(
        np.sum(np.abs(predictions - y_real) * weights) / np.sum(weights)
    )
