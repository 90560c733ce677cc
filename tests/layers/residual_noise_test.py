import numpy as np
import pytest
import tensorflow as tf

from keras_rgan.layers import ResidualNoise

# Residuals of data scaled to [0, 1] lie within [-1, 1].
COVARIANCE = 0.01 * np.array([[1.0, 0.6], [0.6, 0.5]])
PHI = np.array([0.8, 0.6])
MEAN = np.array([0.02, -0.01])


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


@pytest.mark.parametrize("marginals", ["gaussian", "empirical"])
def test_learns_and_draws_the_moments_of_an_ar_process(marginals):
    layer = ResidualNoise(num_features=2, marginals=marginals)
    for seed in range(8):  # Batches fold into exact running means.
        layer.update_state(ar_process(500, 30, seed))
    assert float(layer.count.numpy()) == 8
    np.testing.assert_allclose(layer.mean.numpy(), MEAN, atol=0.003)
    np.testing.assert_allclose(layer.covariance(), COVARIANCE, atol=5e-4)
    np.testing.assert_allclose(layer.autocorrelation(), PHI, atol=0.03)

    drawn = layer(tf.random.normal((4000, 30, 2), seed=3)).numpy()
    mean, covariance, autocorrelation = moments(drawn)
    np.testing.assert_allclose(mean, MEAN, atol=0.003)
    np.testing.assert_allclose(covariance, COVARIANCE, atol=5e-4)
    np.testing.assert_allclose(autocorrelation, PHI, atol=0.03)
    # Stationary: the first and last steps have the same spread.
    np.testing.assert_allclose(
        drawn[:, 0].std(axis=0), drawn[:, -1].std(axis=0), rtol=0.08
    )


@pytest.mark.parametrize("marginals", ["gaussian", "empirical"])
def test_is_silent_before_any_update_and_keeps_shapes(marginals):
    layer = ResidualNoise(num_features=3, marginals=marginals)
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


def test_empirical_marginals_keep_a_skewed_distribution():
    rng = np.random.default_rng(0)
    # Spiky like a traded volume: mostly small, now and then large.
    spikes = rng.exponential(0.02, size=(600, 30, 1)) - 0.02
    residuals = np.concatenate([spikes, 0.01 * spikes], -1)
    layer = ResidualNoise(num_features=2, marginals="empirical")
    layer.update_state(residuals.astype("float32"))
    drawn = layer(tf.random.normal((600, 30, 2), seed=0)).numpy()
    quantiles = [0.01, 0.1, 0.5, 0.9, 0.99]
    for feature in range(2):  # Either scale is resolved.
        expected = np.quantile(residuals[..., feature], quantiles)
        np.testing.assert_allclose(
            np.quantile(drawn[..., feature], quantiles),
            expected,
            rtol=0.1,
            atol=0.02 * abs(expected).max(),
        )
    gaussian = ResidualNoise(num_features=2)
    gaussian.update_state(residuals.astype("float32"))
    drawn = gaussian(tf.random.normal((600, 30, 2), seed=0)).numpy()
    assert drawn[..., 0].min() < 1.5 * residuals[..., 0].min()  # Symmetric.


def test_unknown_marginals_are_named():
    with pytest.raises(ValueError, match="marginals must be one of"):
        ResidualNoise(num_features=2, marginals="uniform")
