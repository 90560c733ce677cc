import numpy as np
import tensorflow as tf

from keras_rgan.layers import ResidualNoise

COVARIANCE = np.array([[1.0, 0.6], [0.6, 0.5]])
PHI = np.array([0.8, 0.6])
MEAN = np.array([0.2, -0.1])


def ar_process(num_sequences, steps, seed):
    """Stationary AR(1) sequences with `MEAN`, `COVARIANCE` and `PHI`."""
    rng = np.random.default_rng(seed)
    innovation = COVARIANCE * (1 - PHI[:, None] * PHI[None, :])
    x = np.zeros((num_sequences, steps, 2))
    x[:, 0] = rng.multivariate_normal([0, 0], COVARIANCE, num_sequences)
    for t in range(1, steps):
        shocks = rng.multivariate_normal([0, 0], innovation, num_sequences)
        x[:, t] = PHI * x[:, t - 1] + shocks
    return (x + MEAN).astype("float32")


def moments(x):
    steps = x.reshape(-1, x.shape[-1])
    centred = x - steps.mean(axis=0)
    lag = (centred[:, 1:] * centred[:, :-1]).mean(axis=(0, 1))
    return steps.mean(axis=0), np.cov(steps.T), lag / steps.var(axis=0)


def test_learns_and_draws_the_moments_of_an_ar_process():
    layer = ResidualNoise(num_features=2)
    for seed in range(8):  # Batches fold into exact running means.
        layer.update_state(ar_process(500, 30, seed))
    assert float(layer.count.numpy()) == 8
    np.testing.assert_allclose(layer.mean.numpy(), MEAN, atol=0.03)
    np.testing.assert_allclose(layer.covariance(), COVARIANCE, atol=0.05)
    np.testing.assert_allclose(layer.autocorrelation(), PHI, atol=0.03)

    drawn = layer(tf.random.normal((4000, 30, 2), seed=3)).numpy()
    mean, covariance, autocorrelation = moments(drawn)
    np.testing.assert_allclose(mean, MEAN, atol=0.03)
    np.testing.assert_allclose(covariance, COVARIANCE, atol=0.05)
    np.testing.assert_allclose(autocorrelation, PHI, atol=0.03)
    # Stationary: the first and last steps have the same spread.
    np.testing.assert_allclose(
        drawn[:, 0].std(axis=0), drawn[:, -1].std(axis=0), rtol=0.08
    )


def test_is_silent_before_any_update_and_keeps_shapes():
    layer = ResidualNoise(num_features=3)
    for steps in (1, 5):
        noise = layer(tf.random.normal((4, steps, 3), seed=0))
        assert noise.shape == (4, steps, 3)
        assert float(tf.reduce_max(tf.abs(noise))) == 0.0


def test_autocorrelation_stays_below_one():
    layer = ResidualNoise(num_features=1)
    ramp = np.tile(np.linspace(-1, 1, 1000)[None, :, None], (4, 1, 1))
    layer.update_state(ramp.astype("float32"))
    assert float(layer.autocorrelation()[0]) == np.float32(0.99)
    assert np.isfinite(layer(tf.random.normal((2, 20, 1), seed=0))).all()
