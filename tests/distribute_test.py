"""Cross-replica helpers of `keras_rgan.distribute` under two replicas."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_rgan import distribute


@pytest.mark.parametrize("threshold, applied", [(0.5, True), (5.0, False)])
def test_apply_if_updates_all_replicas_or_none(
    mirrored_strategy, threshold, applied
):
    with mirrored_strategy.scope():
        weight = keras.Variable([1.0, 2.0])
        optimizer = keras.optimizers.Adam(0.1)
        optimizer.build([weight])

    @tf.function
    def step():
        def replica():
            _, replica_id = distribute.replica_info()
            # Losses 1 and 2 on the two replicas: their mean is 1.5.
            loss_value = tf.cast(replica_id + 1, tf.float32)
            with tf.GradientTape() as tape:
                loss = loss_value * tf.reduce_sum(weight)
            distribute.apply_if(
                distribute.global_mean(loss_value) > threshold,
                optimizer,
                tape.gradient(loss, [weight]),
                [weight],
            )
            return distribute.global_mean(loss_value)

        return mirrored_strategy.run(replica)

    means = mirrored_strategy.experimental_local_results(step())
    assert [float(m) for m in means] == [1.5, 1.5]
    assert int(optimizer.iterations.numpy()) == int(applied)
    values = [
        v.numpy()
        for v in mirrored_strategy.experimental_local_results(weight.value)
    ]
    np.testing.assert_array_equal(values[0], values[1])
    moved = not np.allclose(values[0], [1.0, 2.0])
    assert moved == applied
