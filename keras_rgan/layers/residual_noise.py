"""Noise with the moments of what a deterministic decoder leaves out."""

import keras
import tensorflow as tf

MAX_AUTOCORRELATION = 0.99


def _symmetric_sqrt(matrix):
    """The symmetric square root of a covariance, negative eigenvalues (from
    rounding) taken as 0."""
    eigenvalues, eigenvectors = tf.linalg.eigh(matrix)
    roots = tf.sqrt(tf.maximum(eigenvalues, 0.0))
    return tf.matmul(
        eigenvectors * roots[None, :], eigenvectors, adjoint_b=True
    )


@keras.saving.register_keras_serializable(package="keras_rgan")
class ResidualNoise(keras.layers.Layer):
    """Learns the moments of residual sequences and draws Gaussian noise that
    has them: a stationary AR(1) process per feature, correlated across
    features.

    `update_state(residuals)` folds a batch `(batch, steps, features)` into
    running means of the residuals' mean, their cross-feature second moment
    and each feature's lag-1 moment (every batch counts equally; replicas
    average their batches). `call(normal)` maps standard normal noise of the
    same layout to `mean + e` with `e_0 = S z_0` and
    `e_t = phi * e_{t-1} + I z_t`, where `S` is the square root of the
    residuals' covariance `C`, `phi` each feature's lag-1 autocorrelation
    (within +-0.99) and `I` the square root of `C * (1 - phi phi^T)`, so
    that every step has covariance `C` (nearly, when strongly correlated
    features have autocorrelations of opposite sign: that matrix's negative
    eigenvalues are dropped). Before any update it returns zeros.

    Args:
        num_features: int. Features per step.

    Example:

    >>> layer = ResidualNoise(num_features=2)
    >>> walk = tf.cumsum(tf.random.normal((256, 40, 2), seed=1), axis=1)
    >>> layer.update_state(0.1 * (walk - tf.reduce_mean(walk, 1, True)))
    >>> noise = layer(tf.random.normal((512, 40, 2), seed=2))
    >>> bool(layer.autocorrelation()[0] > 0.5), tuple(noise.shape)
    (True, (512, 40, 2))
    """

    def __init__(self, num_features, **kwargs):
        super().__init__(**kwargs)
        self.num_features = num_features

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
        stationary = _symmetric_sqrt(covariance)
        innovation = _symmetric_sqrt(
            covariance * (1.0 - phi[:, None] * phi[None, :])
        )
        normal = tf.cast(normal, covariance.dtype)
        first = tf.matmul(normal[:, 0], stationary)
        if normal.shape[1] == 1:
            noise = first[:, None]
        else:
            shocks = tf.einsum("btf,fg->tbg", normal[:, 1:], innovation)
            rest = tf.scan(
                lambda previous, shock: phi * previous + shock,
                shocks,
                initializer=first,
            )
            noise = tf.concat(
                [first[:, None], tf.transpose(rest, [1, 0, 2])], axis=1
            )
        return tf.cast(self.mean + noise, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "num_features": self.num_features}
