"""The discriminative score: the reference's batching, several runs and
variable-length sequences."""

import keras
import numpy as np
import pytest

from keras_rgan.data import sine_waves
from keras_rgan.evaluation import discriminative_score
from keras_rgan.evaluation import discriminative_scores
from keras_rgan.evaluation.discriminative import balanced_batches


def test_padded_steps_are_ignored_with_lengths():
    real = sine_waves(200, 8, 4, seed=0)
    synthetic = sine_waves(200, 8, 4, seed=1)
    lengths = np.full(200, 4)
    # Only the padding differs: with lengths, the two sets look alike.
    real[:, 4:] = 0.0
    synthetic[:, 4:] = 1.0
    masked = discriminative_score(
        real,
        synthetic,
        steps=500,
        real_lengths=lengths,
        synthetic_lengths=lengths,
    )
    unmasked = discriminative_score(real, synthetic, steps=500)
    assert masked < 0.15
    assert unmasked > 0.4


def test_every_step_reads_a_real_batch_and_a_synthetic_batch():
    # The reference's batching, even when the sets differ in size: 16 real
    # and 16 synthetic sequences per step, the loss their two means summed.
    real = np.ones((300, 5, 2), "float32")
    synthetic = np.zeros((40, 5, 2), "float32")
    batches = balanced_batches(real, synthetic, 16, seed=0)
    for x, y, weights in batches.take(6):
        assert x.shape == (32, 5, 2)
        np.testing.assert_array_equal(y[:16, 0], 1.0)
        np.testing.assert_array_equal(y[16:, 0], 0.0)
        np.testing.assert_array_equal(x[:16], 1.0)  # Real rows first.
        np.testing.assert_array_equal(x[16:], 0.0)
    logits = np.linspace(-2, 2, 32).astype("float32")[:, None]
    loss = keras.losses.BinaryCrossentropy(from_logits=True)
    keras_loss = float(loss(y, logits, sample_weight=weights))
    per_example = np.log1p(np.exp(-logits[:, 0] * (2 * y[:, 0] - 1)))
    reference = per_example[:16].mean() + per_example[16:].mean()
    assert keras_loss == pytest.approx(reference, rel=1e-5)


def test_several_runs_give_several_scores():
    real = sine_waves(100, 8, 2, seed=0)
    shifted = real * 0.5
    scores = discriminative_scores(real, shifted, runs=3, steps=30, seed=4)
    assert len(scores) == 3 and len(set(scores)) > 1
    assert scores[1] == discriminative_score(real, shifted, steps=30, seed=5)
    with pytest.raises(ValueError, match="runs must be at least 1"):
        discriminative_scores(real, shifted, runs=0)
