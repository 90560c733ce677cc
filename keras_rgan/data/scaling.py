"""Min-max scaling of sequences, fitted on training data only."""

import keras
import numpy as np

EPSILON = 1e-7


@keras.saving.register_keras_serializable(package="keras_rgan")
class MinMaxScaler:
    """Scales each feature to `[0, 1]` with the training data's min and max.

    `transform` computes `(x - min) / (max - min + 1e-7)`, as the TimeGAN
    benchmarks do; `inverse_transform` undoes it. Both accept NumPy arrays and
    tensors, so the inverse runs inside an exported serving graph. The scaler
    is a Keras serializable: a GAN holding one saves it in its `.keras` file.

    Args:
        data_min: list of float, or None. Per-feature minimum (set by `fit`).
        data_max: list of float, or None. Per-feature maximum (set by `fit`).

    Example:

    >>> scaler = MinMaxScaler().fit(np.array([[[0.0, 10.0]], [[2.0, 30.0]]]))
    >>> scaler.transform(np.array([[[1.0, 20.0]]])).round(3).tolist()
    [[[0.5, 0.5]]]
    >>> scaler.inverse_transform(np.array([[[1.0, 0.0]]])).round(3).tolist()
    [[[2.0, 10.0]]]
    """

    def __init__(self, data_min=None, data_max=None):
        if (data_min is None) != (data_max is None):
            raise ValueError("Give both data_min and data_max, or neither.")
        self.data_min = None
        self.data_max = None
        if data_min is not None:
            self._set(np.asarray(data_min), np.asarray(data_max))

    def _set(self, data_min, data_max):
        if data_min.shape != data_max.shape or data_min.ndim != 1:
            raise ValueError(
                "data_min and data_max must be 1-D and of equal length, got "
                f"shapes {data_min.shape} and {data_max.shape}."
            )
        if np.any(data_max < data_min):
            raise ValueError("data_max must not be below data_min.")
        self.data_min = data_min.astype(np.float64)
        self.data_max = data_max.astype(np.float64)

    @property
    def fitted(self):
        return self.data_min is not None

    @property
    def num_features(self):
        return None if self.data_min is None else self.data_min.shape[0]

    def fit(self, x):
        """Fits the per-feature min and max over every step of `x`; NaN
        marks a missing value and is skipped.

        Args:
            x: array `(..., num_features)`.

        Returns:
            The scaler itself.
        """
        x = np.asarray(x, dtype=np.float64)
        if x.size == 0:
            raise ValueError("Cannot fit a scaler on empty data.")
        flat = x.reshape(-1, x.shape[-1])
        empty = np.isnan(flat).all(axis=0)
        if empty.any():
            raise ValueError(
                f"Feature {int(np.argmax(empty))} has no value to fit the "
                "scaler on (every training value is missing)."
            )
        self._set(np.nanmin(flat, axis=0), np.nanmax(flat, axis=0))
        return self

    def _check_fitted(self):
        if not self.fitted:
            raise ValueError("The scaler is not fitted: call fit(x) first.")

    def _range(self):
        return self.data_max - self.data_min + EPSILON

    def transform(self, x):
        """Maps `x` from original units to the scaled space."""
        self._check_fitted()
        if isinstance(x, np.ndarray):
            return ((x - self.data_min) / self._range()).astype(np.float32)
        return (x - self.data_min.astype("float32")) / self._range().astype(
            "float32"
        )

    def inverse_transform(self, x):
        """Maps `x` from the scaled space back to original units."""
        self._check_fitted()
        if isinstance(x, np.ndarray):
            return (x * self._range() + self.data_min).astype(np.float32)
        return x * self._range().astype("float32") + self.data_min.astype(
            "float32"
        )

    def get_config(self):
        if not self.fitted:
            return {"data_min": None, "data_max": None}
        return {
            "data_min": self.data_min.tolist(),
            "data_max": self.data_max.tolist(),
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)
