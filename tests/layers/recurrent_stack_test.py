import numpy as np
import pytest

from keras_rgan.layers import RecurrentStack


@pytest.mark.parametrize("cell", ["lstm", "gru", "tanh"])
@pytest.mark.parametrize("return_sequences", [True, False])
def test_shapes(cell, return_sequences):
    stack = RecurrentStack(cell, units=6, num_layers=2, dense_units=[5, 3],
                           return_sequences=return_sequences)
    out = stack(np.zeros((4, 10, 2), "float32"))
    expected = (4, 10, 3) if return_sequences else (4, 3)
    assert tuple(out.shape) == expected
    assert stack.compute_output_shape((4, 10, 2)) == expected
    assert len(stack.recurrent_layers) == 2 and len(stack.dense_layers) == 2


def test_config_round_trip():
    stack = RecurrentStack("tanh", units=4, num_layers=3, dense_units=[2])
    clone = RecurrentStack.from_config(stack.get_config())
    assert clone.get_config() == stack.get_config()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"cell": "rnn"}, "Unknown cell 'rnn'"),
        ({"units": 0}, "must be positive"),
        ({"dense_units": [3, 0]}, "dense_units must be positive"),
    ],
)
def test_bad_definitions(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RecurrentStack(**kwargs)
