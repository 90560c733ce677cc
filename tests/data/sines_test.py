import numpy as np
import pytest

from keras_rgan.data import sine_waves


def test_shape_dtype_and_range():
    x = sine_waves(n=50, seq_len=24, dim=5, seed=1)
    assert x.shape == (50, 24, 5)
    assert x.dtype == np.float32
    assert x.min() >= 0.0 and x.max() <= 1.0


def test_same_seed_same_data_other_seed_other_data():
    np.testing.assert_array_equal(
        sine_waves(10, seed=3), sine_waves(10, seed=3)
    )
    assert not np.allclose(sine_waves(10, seed=3), sine_waves(10, seed=4))


def test_follows_the_timegan_definition():
    x = sine_waves(n=200, seq_len=24, dim=2, seed=0).astype(np.float64)
    s = 2.0 * x - 1.0  # back to sin(f t + p)
    phase = np.arcsin(s[:, 0, :])
    assert phase.min() >= 0.0 and phase.max() <= 0.1 + 1e-6
    freq = np.arcsin(s[:, 1, :]) - phase  # f * 1, small angles: no wrap
    assert freq.min() >= -1e-6 and freq.max() <= 0.1 + 1e-6
    t = np.arange(24)
    expected = np.sin(freq[:, None, :] * t[None, :, None] + phase[:, None, :])
    np.testing.assert_allclose(s, expected, atol=1e-5)


@pytest.mark.parametrize("kwargs", [{"n": 0}, {"seq_len": -1}, {"dim": 1.5}])
def test_rejects_bad_sizes(kwargs):
    with pytest.raises(ValueError, match="positive integer"):
        sine_waves(**{"n": 4, **kwargs})
