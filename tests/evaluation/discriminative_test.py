"""The discriminative score with variable-length sequences."""

import numpy as np

from keras_rgan.data import sine_waves
from keras_rgan.evaluation import discriminative_score


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
