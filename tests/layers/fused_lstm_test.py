import os

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_rgan
from keras_rgan import losses
from keras_rgan.layers import FusedLSTM
from keras_rgan.layers import standard_kernels


def _ops(fn, *args):
    """Op types in the graph `fn` traces for `args`, functions included."""
    graph = tf.function(fn).get_concrete_function(*args).graph.as_graph_def()
    types = {node.op for node in graph.node}
    for function in graph.library.function:
        types |= {node.op for node in function.node_def}
    return types


def _fused(op_types):
    return any(op.startswith("BlockLSTM") for op in op_types)


def _pair(return_sequences, unroll=False):
    """A FusedLSTM and a keras LSTM with the same (non-trivial) weights."""
    rng = np.random.default_rng(0)
    fused = FusedLSTM(6, return_sequences=return_sequences, unroll=unroll)
    standard = keras.layers.LSTM(6, return_sequences=return_sequences)
    for layer in (fused, standard):
        layer.build((4, 10, 3))
    weights = [
        rng.normal(scale=0.5, size=w.shape).astype("float32")
        for w in standard.get_weights()
    ]
    fused.set_weights(weights)
    standard.set_weights(weights)
    return fused, standard


@pytest.mark.parametrize("return_sequences", [True, False])
def test_same_outputs_and_gradients_as_keras_lstm(return_sequences):
    fused, standard = _pair(return_sequences)
    x = tf.constant(np.random.default_rng(1).normal(size=(4, 10, 3)), "float32")

    def outputs_and_gradients(layer):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = layer(x)
            loss = tf.reduce_sum(y * tf.range(1.0, 1.0 + y.shape[-1]))
        return [y] + tape.gradient(loss, [x] + layer.trainable_variables)

    run = tf.function(outputs_and_gradients)
    for got, want in zip(run(fused), run(standard)):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    # On this CPU the fused layer really runs the fused kernel and its gradient.
    fused_ops = _ops(lambda: outputs_and_gradients(fused))
    assert {"BlockLSTMV2", "BlockLSTMGradV2"} <= fused_ops
    assert not _fused(_ops(lambda: outputs_and_gradients(standard)))


def test_standard_kernels_mask_and_jit_fall_back_to_keras():
    fused, standard = _pair(return_sequences=True, unroll=True)
    x = tf.constant(np.random.default_rng(2).normal(size=(4, 10, 3)), "float32")
    mask = tf.constant(np.arange(10) < np.array([[10], [7], [3], [1]]))

    with standard_kernels():
        assert not _fused(_ops(lambda: fused(x)))
        np.testing.assert_allclose(fused(x), standard(x), rtol=1e-5, atol=1e-6)
    assert _fused(_ops(lambda: fused(x)))  # The context has ended.

    assert not _fused(_ops(lambda: fused(x, mask=mask)))
    np.testing.assert_allclose(
        fused(x, mask=mask), standard(x, mask=mask), rtol=1e-5, atol=1e-6
    )

    # No XLA kernel exists for BlockLSTM: under jit_compile the layer traces
    # Keras's ops, and the compiled function runs.
    compiled = tf.function(lambda: fused(x), jit_compile=True)
    np.testing.assert_allclose(compiled(), standard(x), rtol=1e-5, atol=1e-5)


def test_gradient_penalty_takes_second_order_gradients_through_lstm_critic():
    critic = keras_rgan.LSTMDiscriminator(units=8, num_layers=1)
    rng = np.random.default_rng(3)
    real, fake = (
        tf.constant(rng.normal(size=(4, 6, 2)), "float32") for _ in "ab"
    )
    epsilon = tf.constant(rng.uniform(size=(4, 1, 1)), "float32")
    critic(real)

    @tf.function
    def penalty_gradients():
        with tf.GradientTape() as tape:
            penalty = losses.gradient_penalty(critic, real, fake, epsilon)
        return tape.gradient(penalty, critic.trainable_variables)

    gradients = penalty_gradients()
    with standard_kernels():
        expected = tf.function(penalty_gradients.python_function)()
    # Every weight but the logit's bias (which no input gradient depends on)
    # gets a second-order gradient, the one Keras's standard ops give.
    names = [v.path for v in critic.trainable_variables]
    missing = [name for name, g in zip(names, gradients) if g is None]
    assert len(missing) == 1 and missing[0].endswith("bias"), missing
    assert any(
        "lstm" in name for name, g in zip(names, gradients) if g is not None
    )
    for got, want in zip(gradients, expected):
        if got is not None:
            np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)


def test_exports_use_portable_ops_only(tmp_path):
    gan = keras_rgan.RGAN(
        generator=keras_rgan.LSTMGenerator(2, units=4, num_layers=1),
        discriminator=keras_rgan.LSTMDiscriminator(units=4, num_layers=1),
        seq_len=5,
        latent_dim=2,
        seed=0,
    )
    gan.compile()
    gan.fit(
        np.random.default_rng(0).uniform(size=(8, 5, 2)).astype("float32"),
        batch_size=4,
        epochs=1,
        verbose=0,
    )
    assert _fused(_ops(lambda: gan.generator(tf.zeros((2, 5, 2)))))
    path = keras_rgan.export_saved_model(gan, str(tmp_path))
    with open(os.path.join(path, "saved_model.pb"), "rb") as f:
        saved = f.read()
    assert b"MatMul" in saved and b"BlockLSTM" not in saved
    served = tf.saved_model.load(path).signatures["serving_default"](
        num_samples=tf.constant(3), seed=tf.constant(1, tf.int64)
    )["sequences"]
    np.testing.assert_allclose(
        served, gan.generate(3, seed=1), rtol=1e-5, atol=1e-6
    )


def test_large_layers_and_unknown_batch_sizes_keep_keras_ops():
    from keras_rgan.layers import fused_lstm

    small = FusedLSTM(8)
    large = FusedLSTM(128)
    x = tf.zeros((128, 5, 28))
    assert 128 * (28 + 128) * 4 * 128 > fused_lstm.MAX_FUSED_STEP_WORK
    assert _fused(_ops(lambda: small(x)))
    assert not _fused(_ops(lambda: large(x)))
    unknown_batch = tf.TensorSpec((None, 5, 28), tf.float32)
    assert not _fused(_ops(small, unknown_batch))
