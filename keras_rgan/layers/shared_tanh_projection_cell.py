"""The explicit recurrence of the CRGAN design, as a Keras RNN cell."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="keras_rgan")
class SharedTanhProjectionCell(keras.layers.Layer):
    """An RNN cell whose state and output both read one shared tanh projection.

    At each step:

        a_t = tanh(V · [x_t ; h_{t-1}] + b)
        h_t = U · a_t          (the new state)
        y_t = W · a_t          (the output)

    Use it with `keras.layers.RNN`. `V` (with bias `b`) is `projection_kernel`,
    `U` is `state_kernel`, `W` is `output_kernel`.

    Args:
        units: int. Size of the shared projection `a_t`.
        state_units: int or None. Size of the state `h_t`; defaults to `units`.
        output_units: int or None. Size of the output `y_t`; defaults to
            `units`.
        kernel_initializer: initializer of `V` and `W`.
        state_initializer: initializer of `U`.
        bias_initializer: initializer of `b`.

    Example:

    >>> import numpy as np
    >>> layer = keras.layers.RNN(
    ...     SharedTanhProjectionCell(8, output_units=3), return_sequences=True)
    >>> layer(np.zeros((2, 24, 5), "float32")).shape
    TensorShape([2, 24, 3])
    """

    def __init__(
        self,
        units,
        state_units=None,
        output_units=None,
        kernel_initializer="glorot_uniform",
        state_initializer="orthogonal",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = units
        self.state_units = state_units or units
        self.output_units = output_units or units
        for name, value in (
            ("units", self.units),
            ("state_units", self.state_units),
            ("output_units", self.output_units),
        ):
            if value < 1:
                raise ValueError(f"{name} must be positive, got {value}.")
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.state_initializer = keras.initializers.get(state_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.state_size = self.state_units
        self.output_size = self.output_units

    def build(self, input_shape):
        input_dim = input_shape[-1]
        self.projection_kernel = self.add_weight(
            shape=(input_dim + self.state_units, self.units),
            initializer=self.kernel_initializer,
            name="projection_kernel",
        )
        self.projection_bias = self.add_weight(
            shape=(self.units,),
            initializer=self.bias_initializer,
            name="projection_bias",
        )
        self.state_kernel = self.add_weight(
            shape=(self.units, self.state_units),
            initializer=self.state_initializer,
            name="state_kernel",
        )
        self.output_kernel = self.add_weight(
            shape=(self.units, self.output_units),
            initializer=self.kernel_initializer,
            name="output_kernel",
        )

    def call(self, inputs, states, training=False):
        previous_state = (
            states[0] if isinstance(states, (list, tuple)) else states
        )
        projection = ops.tanh(
            ops.matmul(
                ops.concatenate([inputs, previous_state], axis=-1),
                self.projection_kernel,
            )
            + self.projection_bias
        )
        state = ops.matmul(projection, self.state_kernel)
        output = ops.matmul(projection, self.output_kernel)
        return output, [state]

    def get_initial_state(self, batch_size=None):
        return [
            ops.zeros((batch_size, self.state_units), dtype=self.compute_dtype)
        ]

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "state_units": self.state_units,
                "output_units": self.output_units,
                "kernel_initializer": keras.initializers.serialize(
                    self.kernel_initializer
                ),
                "state_initializer": keras.initializers.serialize(
                    self.state_initializer
                ),
                "bias_initializer": keras.initializers.serialize(
                    self.bias_initializer
                ),
            }
        )
        return config
