"""Discriminators: sequences in, one logit per sequence out."""

import keras

from keras_rgan.layers.recurrent_stack import RecurrentStack


@keras.saving.register_keras_serializable(package="keras_rgan")
class RecurrentDiscriminator(keras.Model):
    """A recurrent backbone judging whole sequences.

    Sequences `(batch, seq_len, num_features)` go through a `RecurrentStack`;
    its last step (after the tanh dense layers) feeds a linear layer giving
    one real-vs-fake logit per sequence, `(batch, 1)`. With
    `per_step_logits=True` every step gets a logit, `(batch, seq_len, 1)`, and
    the GAN losses average the cross-entropy over time, as in the RGAN paper
    (Esteban et al., 2017).

    Args:
        cell: str. `"lstm"` or `"tanh"` (`SharedTanhProjectionCell`).
        units: int. Units of each recurrent layer.
        num_layers: int. Number of recurrent layers.
        dense_units: list of int. Tanh dense layers after the recurrent ones.
        per_step_logits: bool. One logit per step instead of per sequence.
        unroll: bool. Unroll the recurrence (`RecurrentStack`).

    Example:

    >>> import numpy as np
    >>> discriminator = RecurrentDiscriminator(cell="tanh", units=8)
    >>> discriminator(np.zeros((2, 24, 5), "float32")).shape
    TensorShape([2, 1])
    """

    def __init__(
        self,
        cell="lstm",
        units=64,
        num_layers=2,
        dense_units=(),
        per_step_logits=False,
        unroll=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        # === Layers ===
        self.backbone = RecurrentStack(
            cell,
            units,
            num_layers,
            dense_units,
            return_sequences=per_step_logits,
            unroll=unroll,
            name="backbone",
        )
        self.logit_dense = keras.layers.Dense(1, name="logit")
        # === Config ===
        self.cell = cell
        self.units = units
        self.num_layers = num_layers
        self.dense_units = list(dense_units)
        self.per_step_logits = per_step_logits
        self.unroll = unroll
        self.supports_masking = True

    def build(self, input_shape):
        self.backbone.build(input_shape)
        self.logit_dense.build(self.backbone.compute_output_shape(input_shape))

    def call(self, sequences, training=None, mask=None):
        """Logits; a boolean `mask` `(batch, seq_len)` skips padded steps."""
        return self.logit_dense(
            self.backbone(sequences, training=training, mask=mask)
        )

    def compute_mask(self, inputs, mask=None):
        return None  # Losses weight per-step logits themselves.

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "cell": self.cell,
                "units": self.units,
                "num_layers": self.num_layers,
                "dense_units": self.dense_units,
                "per_step_logits": self.per_step_logits,
                "unroll": self.unroll,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@keras.saving.register_keras_serializable(package="keras_rgan")
class LSTMDiscriminator(RecurrentDiscriminator):
    """Stacked LSTMs judging whole sequences, one real-vs-fake logit each.

    Sequences `(batch, seq_len, num_features)` go through `num_layers` LSTMs
    (cuDNN-eligible); the last hidden state feeds a linear layer that gives one
    logit per sequence, `(batch, 1)`.

    Args:
        units: int. Hidden units of each LSTM.
        num_layers: int. Number of stacked LSTMs.
        dense_units: list of int. Tanh dense layers after the LSTMs.
        per_step_logits: bool. One logit per step instead of per sequence.
        unroll: bool. Unroll the LSTMs (faster on CPU for short sequences;
            not cuDNN).

    Example:

    >>> import numpy as np
    >>> discriminator = LSTMDiscriminator(units=16)
    >>> discriminator(np.zeros((2, 24, 5), "float32")).shape
    TensorShape([2, 1])
    """

    def __init__(
        self,
        units=64,
        num_layers=2,
        dense_units=(),
        per_step_logits=False,
        unroll=False,
        **kwargs,
    ):
        kwargs.pop("cell", None)
        super().__init__(
            "lstm",
            units,
            num_layers,
            dense_units,
            per_step_logits,
            unroll,
            **kwargs,
        )

    def get_config(self):
        config = super().get_config()
        del config["cell"]
        return config
