"""Recurrent building blocks: the shared tanh projection cell, the fused LSTM
and the backbone; the generator's output heads; residual noise."""

from keras_rgan.layers.fused_lstm import FusedLSTM
from keras_rgan.layers.fused_lstm import standard_kernels
from keras_rgan.layers.output_heads import OutputHeads
from keras_rgan.layers.recurrent_stack import CELLS
from keras_rgan.layers.recurrent_stack import RecurrentStack
from keras_rgan.layers.residual_noise import ResidualNoise
from keras_rgan.layers.shared_tanh_projection_cell import (
    SharedTanhProjectionCell,
)

__all__ = [
    "FusedLSTM",
    "standard_kernels",
    "OutputHeads",
    "CELLS",
    "RecurrentStack",
    "ResidualNoise",
    "SharedTanhProjectionCell",
]
