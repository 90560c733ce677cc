"""Noise with the moments of what a deterministic decoder leaves out."""

import math

import keras
import tensorflow as tf

MAX_AUTOCORRELATION = 0.99
MARGINALS = ("gaussian", "empirical")
# Empirical marginals: a histogram of asinh(residual / ASINH_SCALE) on
# HISTOGRAM_BINS equal bins, which resolves residuals of 1e-3 and of 0.5
# alike (bins of 4e-6 near 0, of 4% of a residual's size above 1e-4).
ASINH_SCALE = 1e-4
HISTOGRAM_BINS = 512
_HISTOGRAM_EDGE = math.asinh(1.0 / ASINH_SCALE)  # Residuals lie in [-1, 1].


def _symmetric_sqrt(matrix):
    """The symmetric square root of a covariance, negative eigenvalues (from
    rounding) taken as 0."""
    eigenvalues, eigenvectors = tf.linalg.eigh(matrix)
    roots = tf.sqrt(tf.maximum(eigenvalues, 0.0))
    return tf.matmul(
        eigenvectors * roots[None, :], eigenvectors, adjoint_b=True
    )


def _ar_process(normal, covariance, phi):
    """Stationary AR(1) sequences with per-step `covariance` and lag-1
    autocorrelations `phi`, from standard normal `(batch, steps, features)`."""
    stationary = _symmetric_sqrt(covariance)
    innovation = _symmetric_sqrt(
        covariance * (1.0 - phi[:, None] * phi[None, :])
    )
    first = tf.matmul(normal[:, 0], stationary)
    if normal.shape[1] == 1:
        return first[:, None]
    shocks = tf.einsum("btf,fg->tbg", normal[:, 1:], innovation)
    rest = tf.scan(
        lambda previous, shock: phi * previous + shock,
        shocks,
        initializer=first,
    )
    return tf.concat([first[:, None], tf.transpose(rest, [1, 0, 2])], axis=1)


def _bins(residuals):
    """The histogram bin of each residual (int32, same shape)."""
    position = (tf.asinh(residuals / ASINH_SCALE) + _HISTOGRAM_EDGE) / (
        2 * _HISTOGRAM_EDGE
    )
    index = tf.cast(tf.floor(position * HISTOGRAM_BINS), tf.int32)
    return tf.clip_by_value(index, 0, HISTOGRAM_BINS - 1)


def _quantiles(histogram, probabilities):
    """Each feature's quantiles `(features, m)` of `probabilities`
    `(features, m)` under its histogram `(features, bins)`, linear within a
    bin of the asinh scale."""
    cdf = tf.math.cumsum(histogram, axis=1)
    cdf = tf.math.divide_no_nan(cdf, cdf[:, -1:])
    index = tf.minimum(tf.searchsorted(cdf, probabilities), HISTOGRAM_BINS - 1)
    upper = tf.gather(cdf, index, batch_dims=1)
    lower = tf.gather(tf.pad(cdf, [[0, 0], [1, 0]]), index, batch_dims=1)
    within = tf.clip_by_value(
        tf.math.divide_no_nan(probabilities - lower, upper - lower), 0.0, 1.0
    )
    width = 2 * _HISTOGRAM_EDGE / HISTOGRAM_BINS
    scaled = -_HISTOGRAM_EDGE + (tf.cast(index, within.dtype) + within) * width
    return ASINH_SCALE * tf.sinh(scaled)


@keras.saving.register_keras_serializable(package="keras_rgan")
class ResidualNoise(keras.layers.Layer):
    """Learns the statistics of residual sequences and draws noise that has
    them: a stationary AR(1) process per feature, correlated across
    features.

    `update_state(residuals)` folds a batch `(batch, steps, features)` into
    running means of the residuals' mean, their cross-feature second moment,
    each feature's lag-1 moment and, for empirical marginals, each feature's
    histogram (every batch counts equally; replicas average their batches).
    `call(normal)` maps standard normal noise of the same layout to
    residuals:

    - `marginals="gaussian"`: `mean + e` with `e_0 = S z_0` and
      `e_t = phi * e_{t-1} + I z_t`, where `S` is the square root of the
      residuals' covariance `C`, `phi` each feature's lag-1 autocorrelation
      (within +-0.99) and `I` the square root of `C * (1 - phi phi^T)`, so
      that every step has covariance `C` (nearly, when strongly correlated
      features have autocorrelations of opposite sign: that matrix's
      negative eigenvalues are dropped).
    - `marginals="empirical"`: the same process on the residuals'
      correlations, each feature then mapped through its own residual
      distribution (a Gaussian copula: skewed or heavy-tailed residuals, a
      traded volume's spikes, keep their shape).

    Before any update it returns zeros.

    Args:
        num_features: int. Features per step.
        marginals: str. `"gaussian"` or `"empirical"`.

    Example:

    >>> layer = ResidualNoise(num_features=2)
    >>> walk = tf.cumsum(tf.random.normal((256, 40, 2), seed=1), axis=1)
    >>> layer.update_state(0.1 * (walk - tf.reduce_mean(walk, 1, True)))
    >>> noise = layer(tf.random.normal((512, 40, 2), seed=2))
    >>> bool(layer.autocorrelation()[0] > 0.5), tuple(noise.shape)
    (True, (512, 40, 2))
    """

    def __init__(self, num_features, marginals="gaussian", **kwargs):
        super().__init__(**kwargs)
        if marginals not in MARGINALS:
            raise ValueError(
                f"marginals must be one of {MARGINALS}, got {marginals!r}."
            )
        self.num_features = num_features
        self.marginals = marginals

        def running_mean(name, shape):
            return self.add_weight(
                shape=shape,
                initializer="zeros",
                trainable=False,
                autocast=False,
                aggregation="mean",
                name=name,
            )

        self.count = running_mean("count", ())
        self.mean = running_mean("mean", (num_features,))
        self.second_moment = running_mean(
            "second_moment", (num_features, num_features)
        )
        self.lag_moment = running_mean("lag_moment", (num_features,))
        self.histogram = (
            running_mean("histogram", (num_features, HISTOGRAM_BINS))
            if marginals == "empirical"
            else None
        )
        self.built = True  # Its weights do not depend on the input shape.

    def update_state(self, residuals):
        """Folds a batch of residuals `(batch, steps, features)` in."""
        residuals = tf.cast(residuals, self.count.dtype)
        steps = tf.reshape(residuals, [-1, self.num_features])
        size = tf.cast(tf.shape(steps)[0], steps.dtype)
        count = self.count + 1.0
        batch_moments = [
            (self.mean, tf.reduce_mean(steps, axis=0)),
            (
                self.second_moment,
                tf.matmul(steps, steps, transpose_a=True) / size,
            ),
            (
                self.lag_moment,
                tf.reduce_mean(
                    residuals[:, 1:] * residuals[:, :-1], axis=[0, 1]
                ),
            ),
        ]
        if self.histogram is not None:
            features = tf.range(self.num_features)[None, :]
            segments = _bins(steps) + HISTOGRAM_BINS * features
            counts = tf.math.unsorted_segment_sum(
                tf.ones_like(steps),
                segments,
                self.num_features * HISTOGRAM_BINS,
            )
            frequencies = tf.reshape(counts, [self.num_features, -1]) / size
            batch_moments.append((self.histogram, frequencies))
        for variable, batch_value in batch_moments:
            variable.assign(variable + (batch_value - variable) / count)
        self.count.assign(count)

    def covariance(self):
        """The residuals' cross-feature covariance `(features, features)`."""
        mean = self.mean
        return self.second_moment - mean[:, None] * mean[None, :]

    def autocorrelation(self):
        """Each feature's lag-1 autocorrelation, within +-0.99."""
        variance = tf.linalg.diag_part(self.covariance())
        correlation = tf.math.divide_no_nan(
            self.lag_moment - tf.square(self.mean), variance
        )
        return tf.clip_by_value(
            correlation, -MAX_AUTOCORRELATION, MAX_AUTOCORRELATION
        )

    def call(self, normal):
        covariance = self.covariance()
        phi = self.autocorrelation()
        normal = tf.cast(normal, covariance.dtype)
        if self.histogram is None:
            noise = self.mean + _ar_process(normal, covariance, phi)
            return tf.cast(noise, self.compute_dtype)
        deviation = tf.sqrt(tf.linalg.diag_part(covariance))
        correlation = tf.math.divide_no_nan(
            covariance, deviation[:, None] * deviation[None, :]
        )
        scores = _ar_process(normal, correlation, phi)
        probabilities = 0.5 * (1.0 + tf.math.erf(scores / math.sqrt(2.0)))
        shape = tf.shape(probabilities)
        by_feature = tf.transpose(
            tf.reshape(probabilities, [-1, self.num_features])
        )
        noise = tf.reshape(
            tf.transpose(_quantiles(self.histogram, by_feature)), shape
        )
        noise = tf.where(self.count > 0, noise, tf.zeros_like(noise))
        return tf.cast(noise, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "num_features": self.num_features,
            "marginals": self.marginals,
        }
