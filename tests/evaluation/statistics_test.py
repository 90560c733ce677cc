"""The statistical scores on cases with a known answer."""

import numpy as np
import pytest

from keras_rgan import evaluation

RNG = np.random.default_rng(0)


def test_equal_sets_score_zero_on_every_statistic():
    x = RNG.normal(size=(300, 10, 3))
    assert evaluation.correlational_score(x, x.copy()) == pytest.approx(0.0)
    assert evaluation.autocorrelation_score(x, x.copy()) == pytest.approx(0.0)
    assert evaluation.marginal_score(x, x.copy()) == pytest.approx(0.0)


def test_each_score_sees_its_own_difference_and_not_the_others():
    a = RNG.normal(size=(2000, 12, 1))
    b = RNG.normal(size=(2000, 12, 1))
    correlated = np.concatenate([a, a], axis=-1)  # Correlation 1.
    independent = np.concatenate([a, b], axis=-1)  # Correlation 0.
    # One pair off the diagonal differs by 1: 1 / 10.
    score = evaluation.correlational_score(correlated, independent)
    assert score == pytest.approx(0.1, abs=0.01)
    # Same marginals and autocorrelations, so those stay near 0.
    assert evaluation.autocorrelation_score(correlated, independent) < 0.02
    assert evaluation.marginal_score(correlated, independent) < 0.3
    # A random walk against white noise: the autocorrelation differs a lot.
    walk = np.cumsum(RNG.normal(size=(2000, 12, 1)), axis=1)
    assert evaluation.autocorrelation_score(walk, a) > 0.5
    # Values squeezed into half the range: the marginals differ.
    assert evaluation.marginal_score(a, 0.5 * a) > 0.5


def test_bad_arguments_are_named():
    x = RNG.normal(size=(50, 6, 2))
    with pytest.raises(ValueError, match="max_lag must be in \\[1, 5\\]"):
        evaluation.autocorrelation_score(x, x, max_lag=6)
    with pytest.raises(ValueError, match="bins must be positive"):
        evaluation.marginal_score(x, x, bins=0)
    with pytest.raises(ValueError, match="must match"):
        evaluation.correlational_score(x, x[..., :1])


def test_steps_past_each_length_are_left_out():
    x = RNG.normal(size=(400, 10, 2))
    lengths = RNG.integers(3, 11, 400)
    padded_with_zeros = np.where(
        np.arange(10)[None, :, None] < lengths[:, None, None], x, 0.0
    )
    padded_with_junk = np.where(
        np.arange(10)[None, :, None] < lengths[:, None, None], x, 99.0
    )
    lengths_of_both = dict(real_lengths=lengths, synthetic_lengths=lengths)
    for score in (
        evaluation.correlational_score,
        evaluation.autocorrelation_score,
        evaluation.marginal_score,
    ):
        # Whatever sits under padding, equal valid steps score 0.
        assert score(
            padded_with_zeros, padded_with_junk, **lengths_of_both
        ) == pytest.approx(0.0, abs=1e-9)
        # Without lengths, the junk counts.
        assert score(padded_with_zeros, padded_with_junk) > 0.01
