"""Graph assertions on served inputs: a bad request fails with a message
naming the input, inside the exported graph."""

import tensorflow as tf


def checked(value, low, high, name):
    """`value`, after graph checks that `low <= value <= high`.

    >>> int(checked(tf.constant(3), 1, 5, "num_samples"))
    3
    """
    checks = [
        tf.debugging.assert_greater_equal(
            value, tf.cast(low, value.dtype), message=f"{name} must be >= {low}"
        ),
        tf.debugging.assert_less_equal(
            value,
            tf.cast(high, value.dtype),
            message=f"{name} must be <= {high}",
        ),
    ]
    with tf.control_dependencies(checks):
        return tf.identity(value)


def checked_shape(tensor, expected_tail, name):
    """`tensor`, after a graph check that its shape is `(batch, *tail)`.

    >>> checked_shape(tf.zeros((2, 3)), [3], "noise").shape
    TensorShape([2, 3])
    """
    tail = tf.constant(expected_tail, tf.int32)
    shape_text = ", ".join(["None"] + [str(d) for d in expected_tail])
    check = tf.debugging.assert_equal(
        tf.shape(tensor)[1:],
        tail,
        message=f"{name} must have shape ({shape_text})",
    )
    with tf.control_dependencies([check]):
        return tf.identity(tensor)


def checked_batch(values, low, high, name, batch_size):
    """`values`, after graph checks of their range and of one entry per
    sequence of a batch of `batch_size`.

    >>> checked_batch(tf.constant([1, 2]), 1, 4, "lengths", 2).numpy()
    array([1, 2], dtype=int32)
    """
    return checked_count(checked(values, low, high, name), name, batch_size)


def checked_count(values, name, batch_size):
    """`values`, after a graph check of one entry per sequence of a batch
    of `batch_size`.

    >>> checked_count(tf.zeros((2, 3)), "attributes", 2).shape
    TensorShape([2, 3])
    """
    check = tf.debugging.assert_equal(
        tf.shape(values)[0],
        batch_size,
        message=f"{name} must have one entry per sequence",
    )
    with tf.control_dependencies([check]):
        return tf.identity(values)
