"""The LSTM discriminator: sequences in, one logit per sequence out."""

import keras


@keras.saving.register_keras_serializable(package="keras_rgan")
class LSTMDiscriminator(keras.Model):
    """Stacked LSTMs judging whole sequences, one real-vs-fake logit each.

    Sequences `(batch, seq_len, num_features)` go through `num_layers` LSTMs
    (cuDNN-eligible); the last hidden state feeds a linear layer that gives one
    logit per sequence, `(batch, 1)`.

    Args:
        units: int. Hidden units of each LSTM.
        num_layers: int. Number of stacked LSTMs.

    Example:

    >>> import numpy as np
    >>> discriminator = LSTMDiscriminator(units=16)
    >>> discriminator(np.zeros((2, 24, 5), "float32")).shape
    TensorShape([2, 1])
    """

    def __init__(self, units=64, num_layers=2, **kwargs):
        if units < 1 or num_layers < 1:
            raise ValueError(
                "units and num_layers must be positive, got "
                f"{units}, {num_layers}."
            )
        super().__init__(**kwargs)
        # === Layers ===
        self.lstm_layers = [
            keras.layers.LSTM(
                units, return_sequences=i < num_layers - 1, name=f"lstm_{i}"
            )
            for i in range(num_layers)
        ]
        self.logit_dense = keras.layers.Dense(1, name="logit")
        # === Config ===
        self.units = units
        self.num_layers = num_layers

    def build(self, input_shape):
        shape = tuple(input_shape)
        for layer in self.lstm_layers:
            layer.build(shape)
            shape = shape[:-1] + (self.units,)
        self.logit_dense.build((shape[0], self.units))

    def call(self, sequences, training=None):
        x = sequences
        for layer in self.lstm_layers:
            x = layer(x, training=training)
        return self.logit_dense(x)

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units, "num_layers": self.num_layers})
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)
