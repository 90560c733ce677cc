import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_rgan.layers import SharedTanhProjectionCell


def numpy_reference(x, V, b, U, W):
    """a_t = tanh(V [x_t; h_{t-1}] + b), h_t = U a_t, y_t = W a_t."""
    batch, steps, _ = x.shape
    h = np.zeros((batch, U.shape[1]))
    outputs = []
    for t in range(steps):
        a = np.tanh(np.concatenate([x[:, t], h], axis=-1) @ V + b)
        h = a @ U
        outputs.append(a @ W)
    return np.stack(outputs, axis=1), h


def test_matches_the_equations_over_a_sequence():
    cell = SharedTanhProjectionCell(6, state_units=4, output_units=3)
    assert cell.state_size == 4 and cell.output_size == 3
    layer = keras.layers.RNN(cell, return_sequences=True, return_state=True)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 9, 2)).astype("float32")
    layer.build(x.shape)
    # Non-zero bias, so that b is checked too.
    cell.projection_bias.assign(rng.normal(size=(6,)).astype("float32"))
    outputs, state = layer(x)
    V, b, U, W = (
        keras.ops.convert_to_numpy(w)
        for w in (
            cell.projection_kernel,
            cell.projection_bias,
            cell.state_kernel,
            cell.output_kernel,
        )
    )
    assert V.shape == (2 + 4, 6) and U.shape == (6, 4) and W.shape == (6, 3)
    expected_outputs, expected_state = numpy_reference(x, V, b, U, W)
    np.testing.assert_allclose(outputs, expected_outputs, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(state, expected_state, rtol=1e-5, atol=1e-6)


def test_gradients_match_finite_differences():
    # Seeded weights: an unseeded draw can give a gradient entry near 0, where
    # the finite difference's relative error is large (seen once, under load).
    keras.utils.set_random_seed(0)
    cell = SharedTanhProjectionCell(
        3, state_units=2, output_units=2, dtype="float64"
    )
    layer = keras.layers.RNN(cell, return_sequences=True, dtype="float64")
    x = np.random.default_rng(1).normal(size=(2, 4, 2))
    layer.build(x.shape)

    def loss(inputs):
        return tf.reduce_sum(tf.sin(layer(inputs)))

    theoretical, numerical = tf.test.compute_gradient(loss, [tf.constant(x)])
    np.testing.assert_allclose(
        theoretical[0], numerical[0], rtol=1e-5, atol=1e-6
    )

    with tf.GradientTape() as tape:
        value = loss(tf.constant(x))
    grads = tape.gradient(value, cell.trainable_variables)
    assert len(grads) == 4 and all(g is not None for g in grads)
    # Finite-difference check of one weight entry of each matrix.
    for variable, grad in zip(cell.trainable_variables, grads):
        index = (0,) * len(variable.shape)
        original = variable.numpy()
        step = 1e-6
        bumped = original.copy()
        bumped[index] += step
        variable.assign(bumped)
        up = float(loss(tf.constant(x)))
        bumped[index] -= 2 * step
        variable.assign(bumped)
        down = float(loss(tf.constant(x)))
        variable.assign(original)
        np.testing.assert_allclose(
            (up - down) / (2 * step), grad.numpy()[index], rtol=1e-4, atol=1e-8
        )


def test_serializes_and_reloads(tmp_path):
    layer = keras.layers.RNN(
        SharedTanhProjectionCell(5, output_units=2), return_sequences=True
    )
    model = keras.Sequential([keras.Input((7, 3)), layer])
    x = np.random.default_rng(2).normal(size=(2, 7, 3)).astype("float32")
    path = str(tmp_path / "cell.keras")
    model.save(path)
    restored = keras.saving.load_model(path)
    np.testing.assert_allclose(restored(x), model(x), rtol=1e-6)
    config = layer.cell.get_config()
    clone = SharedTanhProjectionCell.from_config(config)
    assert clone.get_config() == config


def test_bad_sizes():
    with pytest.raises(ValueError, match="units must be positive"):
        SharedTanhProjectionCell(0)
