"""The LSTM generator: per-step noise in, sequences in [0, 1] out."""

import keras


@keras.saving.register_keras_serializable(package="keras_rgan")
class LSTMGenerator(keras.Model):
    """Stacked LSTMs mapping per-step noise to sequences in the scaled space.

    Noise `(batch, seq_len, latent_dim)` goes through `num_layers` LSTMs
    (cuDNN-eligible: default activations, no recurrent dropout, no unroll) and
    a sigmoid dense layer applied at every step, giving sequences
    `(batch, seq_len, num_features)` in `[0, 1]`. Any `seq_len` works.

    Args:
        num_features: int. Features per generated time step.
        units: int. Hidden units of each LSTM.
        num_layers: int. Number of stacked LSTMs.

    Example:

    >>> import numpy as np
    >>> generator = LSTMGenerator(num_features=5, units=16)
    >>> generator(np.zeros((2, 24, 4), "float32")).shape
    TensorShape([2, 24, 5])
    """

    def __init__(self, num_features, units=64, num_layers=2, **kwargs):
        if num_features < 1 or units < 1 or num_layers < 1:
            raise ValueError(
                "num_features, units and num_layers must be positive, got "
                f"{num_features}, {units}, {num_layers}."
            )
        super().__init__(**kwargs)
        # === Layers ===
        self.lstm_layers = [
            keras.layers.LSTM(units, return_sequences=True, name=f"lstm_{i}")
            for i in range(num_layers)
        ]
        self.output_dense = keras.layers.Dense(
            num_features, activation="sigmoid", name="output"
        )
        # === Config ===
        self.num_features = num_features
        self.units = units
        self.num_layers = num_layers

    def build(self, input_shape):
        shape = tuple(input_shape)
        for layer in self.lstm_layers:
            layer.build(shape)
            shape = shape[:-1] + (self.units,)
        self.output_dense.build(shape)

    def call(self, noise, training=None):
        x = noise
        for layer in self.lstm_layers:
            x = layer(x, training=training)
        return self.output_dense(x)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "num_features": self.num_features,
                "units": self.units,
                "num_layers": self.num_layers,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)
