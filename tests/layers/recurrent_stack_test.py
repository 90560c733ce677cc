import numpy as np
import pytest

from keras_rgan.layers import RecurrentStack


@pytest.mark.parametrize("cell", ["lstm", "gru", "tanh"])
@pytest.mark.parametrize("return_sequences", [True, False])
def test_shapes(cell, return_sequences):
    stack = RecurrentStack(
        cell,
        units=6,
        num_layers=2,
        dense_units=[5, 3],
        return_sequences=return_sequences,
    )
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


@pytest.mark.parametrize("cell", ["lstm", "gru", "tanh"])
@pytest.mark.parametrize("return_sequences", [True, False])
def test_unrolled_stack_computes_what_the_loop_does(cell, return_sequences):
    looped = RecurrentStack(
        cell,
        units=6,
        num_layers=2,
        dense_units=[3],
        return_sequences=return_sequences,
    )
    unrolled = RecurrentStack.from_config(
        {**looped.get_config(), "unroll": True}
    )
    x = np.random.default_rng(0).normal(size=(4, 10, 2)).astype("float32")
    mask = np.arange(10) < np.array([[10], [7], [3], [1]])  # right padding
    looped.build(x.shape)
    unrolled.build(x.shape)
    unrolled.set_weights(looped.get_weights())
    assert (
        unrolled.recurrent_layers[0].unroll
        and not looped.recurrent_layers[0].unroll
    )
    for kwargs in ({}, {"mask": mask}):
        np.testing.assert_allclose(
            unrolled(x, **kwargs), looped(x, **kwargs), rtol=1e-5, atol=1e-6
        )
    assert RecurrentStack.from_config(unrolled.get_config()).unroll
