"""Context-FID and its pieces on cases with a known answer."""

import numpy as np
import pytest
import tensorflow as tf

from keras_rgan import evaluation
from keras_rgan.evaluation import context_fid as context_fid_lib

RNG = np.random.default_rng(0)


def waves(n, steps=24, features=2):
    t = np.arange(steps)[None, :, None]
    frequency = RNG.uniform(0.02, 0.1, (n, 1, features))
    phase = RNG.uniform(0, 2 * np.pi, (n, 1, features))
    return np.sin(2 * np.pi * frequency * t + phase)


def test_frechet_distance_of_gaussians():
    a = RNG.normal(size=(50_000, 3))
    assert context_fid_lib.frechet_distance(a, a) == pytest.approx(0, abs=1e-6)
    # Same covariance, means 5 apart: 25.
    shifted = context_fid_lib.frechet_distance(a, a + [3.0, 4.0, 0.0])
    assert shifted == pytest.approx(25.0, abs=0.1)
    # Same mean, standard deviation 2 against 1 in each of 3 dimensions:
    # 3 * (1 + 4 - 2 * 2) = 3.
    wide = context_fid_lib.frechet_distance(a, 2 * RNG.normal(size=a.shape))
    assert wide == pytest.approx(3.0, abs=0.1)


def test_centre_tap_matches_the_padded_convolution():
    """Dilations at least the sequence's length use the centre tap alone;
    the output is the full zero-padded convolution's."""
    encoder = context_fid_lib.TS2VecEncoder(num_features=3, max_steps=24)
    assert [b.centre_tap_only for b in encoder.blocks] == [
        2**i >= 24 for i in range(11)
    ]
    x = RNG.uniform(size=(4, 24, 3)).astype(np.float32)
    shortcut = encoder(x)
    for block in encoder.blocks:
        block.centre_tap_only = False
    np.testing.assert_allclose(encoder(x), shortcut, atol=1e-5)


def test_contrastive_loss_rewards_telling_twins_apart():
    """Twins equal and far from the rest: loss near 0; all equal: log of
    the 2n - 1 candidates."""
    distinct = 10 * tf.eye(8, 16)[None]  # 8 sequences, 1 step, 16 channels
    distinct = tf.transpose(distinct, [1, 0, 2])
    loss = context_fid_lib.hierarchical_contrastive_loss(distinct, distinct)
    assert float(loss) == pytest.approx(0.5 * 0.0, abs=1e-3)
    same = tf.ones((8, 4, 16))
    loss = context_fid_lib.hierarchical_contrastive_loss(same, same)
    # 3 scales (4, 2, 1 steps); instance terms log(15) at each, temporal
    # terms log(7) and log(3) at the first two.
    expected = (0.5 * 3 * np.log(15) + 0.5 * (np.log(7) + np.log(3))) / 3
    assert float(loss) == pytest.approx(expected, rel=1e-4)


def test_crops_overlap_and_stay_inside_the_sequence():
    rng = np.random.default_rng(0)
    batch = np.arange(24, dtype=np.float32)[None, :, None].repeat(5, axis=0)
    for _ in range(50):
        first, second, overlap = context_fid_lib._crops(batch, rng)
        # The last `overlap` steps of the first crop are the first of the
        # second, in every sequence.
        np.testing.assert_array_equal(first[:, -overlap:], second[:, :overlap])
        assert 2 <= overlap <= 24


def test_context_fid_orders_same_distribution_below_different_ones():
    real, other = waves(400), waves(400)
    encoder = evaluation.train_ts2vec_encoder(
        (real + 1) / 2, seed=0, iterations=100
    )
    kwargs = dict(encoder=encoder)
    same_kind = evaluation.context_fid_score(real, other, **kwargs)
    noise = RNG.uniform(-1, 1, real.shape)
    slow = waves(400) * np.linspace(1, 0.2, 24)[None, :, None]
    assert same_kind < evaluation.context_fid_score(real, slow, **kwargs)
    assert same_kind < evaluation.context_fid_score(real, noise, **kwargs)
    assert evaluation.context_fid_score(real, real, **kwargs) == pytest.approx(
        0.0, abs=1e-3
    )


def test_shapes_must_match():
    with pytest.raises(ValueError, match="must match"):
        evaluation.context_fid_score(waves(10), waves(10, steps=12))
