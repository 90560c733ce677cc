"""Recurrent building blocks: the shared tanh projection cell and the backbone."""

from keras_rgan.layers.recurrent_stack import CELLS
from keras_rgan.layers.recurrent_stack import RecurrentStack
from keras_rgan.layers.shared_tanh_projection_cell import SharedTanhProjectionCell
