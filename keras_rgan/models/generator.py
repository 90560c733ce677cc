"""Generators: per-step inputs (noise, conditions) in, sequences in [0, 1]
out."""

import keras

from keras_rgan.layers.output_heads import OutputHeads
from keras_rgan.layers.recurrent_stack import RecurrentStack


@keras.saving.register_keras_serializable(package="keras_rgan")
class RecurrentGenerator(keras.Model):
    """A recurrent backbone and a sigmoid layer, applied at every step.

    Inputs `(batch, seq_len, input_dim)` (noise, plus any per-step condition)
    go through a `RecurrentStack` and a sigmoid dense layer, giving sequences
    `(batch, seq_len, num_features)` in the scaled `[0, 1]` space. Any
    `seq_len` works.

    Args:
        num_features: int. Features per generated step.
        cell: str. `"lstm"` or `"tanh"` (`SharedTanhProjectionCell`).
        units: int. Units of each recurrent layer.
        num_layers: int. Number of recurrent layers.
        dense_units: list of int. Tanh dense layers after the recurrent ones.
        unroll: bool. Unroll the recurrence (`RecurrentStack`).
        output_blocks: list of `(kind, size)` or None. For tables with
            categories or missing cells: the `OutputHeads` blocks, whose
            sizes sum to `num_features`. None: one sigmoid over every
            feature. `call(..., sampling_noise=u)` makes the heads sample.
        output_frequencies: list of floats or None. With `output_blocks`:
            the data's mean encoded step; the heads start at its category
            and observed shares (`OutputHeads.initial_logits`), so training
            begins from the data's frequencies. Weights carry it; it is not
            part of the config.

    Example:

    >>> import numpy as np
    >>> generator = RecurrentGenerator(num_features=5, cell="tanh", units=8)
    >>> generator(np.zeros((2, 24, 4), "float32")).shape
    TensorShape([2, 24, 5])
    """

    def __init__(
        self,
        num_features,
        cell="lstm",
        units=64,
        num_layers=2,
        dense_units=(),
        unroll=False,
        output_blocks=None,
        output_frequencies=None,
        **kwargs,
    ):
        if num_features < 1:
            raise ValueError(
                f"num_features must be positive, got {num_features}."
            )
        super().__init__(**kwargs)
        # === Layers ===
        self.backbone = RecurrentStack(
            cell,
            units,
            num_layers,
            dense_units,
            return_sequences=True,
            unroll=unroll,
            name="backbone",
        )
        self.output_heads = None
        if output_blocks is not None:
            self.output_heads = OutputHeads(output_blocks, name="heads")
            if self.output_heads.width != num_features:
                raise ValueError(
                    f"output_blocks {output_blocks} sum to "
                    f"{self.output_heads.width}, not num_features="
                    f"{num_features}."
                )
        bias = "zeros"
        if output_frequencies is not None:
            if self.output_heads is None:
                raise ValueError("output_frequencies needs output_blocks.")
            bias = keras.initializers.Constant(
                self.output_heads.initial_logits(output_frequencies)
            )
        self.output_dense = keras.layers.Dense(
            num_features,
            activation=None if output_blocks else "sigmoid",
            bias_initializer=bias,
            name="output",
        )
        # === Config ===
        self.num_features = num_features
        self.cell = cell
        self.units = units
        self.num_layers = num_layers
        self.dense_units = list(dense_units)
        self.unroll = unroll
        self.output_blocks = output_blocks and self.output_heads.blocks

    def build(self, input_shape):
        self.backbone.build(input_shape)
        self.output_dense.build(self.backbone.compute_output_shape(input_shape))

    def call(self, inputs, training=None, sampling_noise=None):
        outputs = self.output_dense(self.backbone(inputs, training=training))
        if self.output_heads is not None:
            outputs = self.output_heads(outputs, sampling_noise=sampling_noise)
        return outputs

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "num_features": self.num_features,
                "cell": self.cell,
                "units": self.units,
                "num_layers": self.num_layers,
                "dense_units": self.dense_units,
                "unroll": self.unroll,
            }
        )
        if self.output_blocks:
            config["output_blocks"] = [list(b) for b in self.output_blocks]
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@keras.saving.register_keras_serializable(package="keras_rgan")
class LSTMGenerator(RecurrentGenerator):
    """Stacked LSTMs mapping per-step noise to sequences in the scaled space.

    Noise `(batch, seq_len, latent_dim)` goes through `num_layers` LSTMs
    (cuDNN-eligible: default activations, no recurrent dropout, no unroll) and
    a sigmoid dense layer applied at every step, giving sequences
    `(batch, seq_len, num_features)` in `[0, 1]`. Any `seq_len` works.

    Args:
        num_features: int. Features per generated time step.
        units: int. Hidden units of each LSTM.
        num_layers: int. Number of stacked LSTMs.
        dense_units: list of int. Tanh dense layers after the LSTMs.
        unroll: bool. Unroll the LSTMs (faster on CPU for short sequences;
            not cuDNN).

    Example:

    >>> import numpy as np
    >>> generator = LSTMGenerator(num_features=5, units=16)
    >>> generator(np.zeros((2, 24, 4), "float32")).shape
    TensorShape([2, 24, 5])
    """

    def __init__(
        self,
        num_features,
        units=64,
        num_layers=2,
        dense_units=(),
        unroll=False,
        output_blocks=None,
        output_frequencies=None,
        **kwargs,
    ):
        kwargs.pop("cell", None)
        super().__init__(
            num_features,
            "lstm",
            units,
            num_layers,
            dense_units,
            unroll,
            output_blocks,
            output_frequencies,
            **kwargs,
        )

    def get_config(self):
        config = super().get_config()
        del config["cell"]
        return config
