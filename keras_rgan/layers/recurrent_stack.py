"""One recurrent backbone definition, from which generators and discriminators
are built."""

import keras

from keras_rgan.layers.fused_lstm import FusedLSTM
from keras_rgan.layers.shared_tanh_projection_cell import (
    SharedTanhProjectionCell,
)

CELLS = ("lstm", "gru", "tanh")


def check_backbone(cell, units, num_layers, dense_units):
    """Raises a `ValueError` naming the problem with a backbone definition."""
    if cell not in CELLS:
        raise ValueError(f"Unknown cell {cell!r}; expected one of {CELLS}.")
    if units < 1 or num_layers < 1:
        raise ValueError(
            f"units and num_layers must be positive, got {units}, {num_layers}."
        )
    if any(size < 1 for size in dense_units):
        raise ValueError(
            f"dense_units must be positive, got {list(dense_units)}."
        )


def _recurrent_layer(cell, units, return_sequences, unroll, name):
    if cell in ("lstm", "gru"):
        # Default activations, no recurrent dropout (and, for the GRU,
        # reset_after=True): cuDNN-eligible unless unrolled. On CPU the LSTM
        # runs as one fused kernel where it can (`FusedLSTM`).
        layer = FusedLSTM if cell == "lstm" else keras.layers.GRU
        return layer(
            units, return_sequences=return_sequences, unroll=unroll, name=name
        )
    return keras.layers.RNN(
        SharedTanhProjectionCell(units),
        return_sequences=return_sequences,
        unroll=unroll,
        name=name,
    )


@keras.saving.register_keras_serializable(package="keras_rgan")
class RecurrentStack(keras.layers.Layer):
    """Stacked recurrent layers followed by tanh dense layers.

    The backbone shared by the package's generators and discriminators: the
    same `(cell, units, num_layers, dense_units)` definition builds both
    players' bodies. With `return_sequences=False`, only the last step goes
    through the dense layers.

    Args:
        cell: str. `"lstm"` (`FusedLSTM`) or `"gru"` (cuDNN-eligible Keras
            layers) or `"tanh"` (`SharedTanhProjectionCell`).
        units: int. Units of each recurrent layer.
        num_layers: int. Number of recurrent layers.
        dense_units: list of int. Sizes of the tanh dense layers after them.
        return_sequences: bool. Every step, or only the last one.
        unroll: bool. Unroll the recurrence into the graph instead of a
            loop: faster on CPU for short sequences (see
            docs/performance.md), more memory, and no cuDNN kernel on GPU.
            An LSTM on CPU runs as one fused kernel instead, where it can.

    Example:

    >>> import numpy as np
    >>> stack = RecurrentStack("tanh", units=8, dense_units=[4])
    >>> stack(np.zeros((2, 24, 5), "float32")).shape
    TensorShape([2, 24, 4])
    """

    def __init__(
        self,
        cell="lstm",
        units=32,
        num_layers=1,
        dense_units=(),
        return_sequences=True,
        unroll=False,
        **kwargs,
    ):
        dense_units = list(dense_units)
        check_backbone(cell, units, num_layers, dense_units)
        super().__init__(**kwargs)
        # === Layers ===
        self.recurrent_layers = [
            _recurrent_layer(
                cell,
                units,
                return_sequences=return_sequences or i < num_layers - 1,
                unroll=unroll,
                name=f"{cell}_{i}",
            )
            for i in range(num_layers)
        ]
        self.dense_layers = [
            keras.layers.Dense(size, activation="tanh", name=f"dense_{i}")
            for i, size in enumerate(dense_units)
        ]
        # === Config ===
        self.cell = cell
        self.units = units
        self.num_layers = num_layers
        self.dense_units = dense_units
        self.return_sequences = return_sequences
        self.unroll = unroll
        self.supports_masking = True

    @property
    def output_dim(self):
        return self.dense_units[-1] if self.dense_units else self.units

    def build(self, input_shape):
        shape = tuple(input_shape)
        for layer in self.recurrent_layers:
            layer.build(shape)
            shape = shape[:-1] + (self.units,)
        if not self.return_sequences:
            shape = (shape[0], self.units)
        for layer, size in zip(self.dense_layers, self.dense_units):
            layer.build(shape)
            shape = shape[:-1] + (size,)

    def call(self, inputs, training=None, mask=None):
        x = inputs
        for layer in self.recurrent_layers:
            # A mask `(batch, steps)` (False at padded steps) makes each
            # recurrent layer skip those steps, carrying its state over them.
            x = layer(x, mask=mask, training=training)
        for layer in self.dense_layers:
            x = layer(x)
        return x

    def compute_mask(self, inputs, mask=None):
        return mask if self.return_sequences else None

    def compute_output_shape(self, input_shape):
        if self.return_sequences:
            return tuple(input_shape[:-1]) + (self.output_dim,)
        return (input_shape[0], self.output_dim)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "cell": self.cell,
                "units": self.units,
                "num_layers": self.num_layers,
                "dense_units": self.dense_units,
                "return_sequences": self.return_sequences,
                "unroll": self.unroll,
            }
        )
        return config
