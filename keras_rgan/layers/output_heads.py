"""The generator's last activation, one head per kind of column: numbers
in `[0, 1]`, a category per categorical column, an observed flag per
column."""

import keras
import tensorflow as tf

KINDS = ("numeric", "categorical", "observed")


def straight_through(hard, soft):
    """`hard` going forward, the gradient of `soft` going back."""
    return soft + tf.stop_gradient(hard - soft)


@keras.saving.register_keras_serializable(package="keras_rgan")
class OutputHeads(keras.layers.Layer):
    """Splits a step's logits into blocks and activates each by its kind.

    - `numeric`: a sigmoid, values in `[0, 1]` (the scaled space).
    - `categorical`: a one-hot of the most likely category going forward,
      the softmax's gradient going back (the straight-through estimator of
      Bengio et al. 2013), so the discriminator sees categories as real
      data has them and the generator still learns.
    - `observed`: 1 where the logit is positive, 0 elsewhere, with the
      sigmoid's gradient.

    The generator's noise decides the category and the flag; the heads are
    deterministic, so a seed fixes what is generated.

    Args:
        blocks: list of `(kind, size)`, in order; sizes sum to the width of
            the logits.

    Example:

    >>> heads = OutputHeads([("numeric", 1), ("categorical", 3)])
    >>> heads(tf.constant([[0.0, 2.0, 5.0, -1.0]])).numpy().tolist()
    [[0.5, 0.0, 1.0, 0.0]]
    """

    def __init__(self, blocks, **kwargs):
        super().__init__(**kwargs)
        self.blocks = [(str(kind), int(size)) for kind, size in blocks]
        for kind, size in self.blocks:
            if kind not in KINDS or size < 1:
                raise ValueError(
                    f"Each block needs a kind in {KINDS} and a positive size, "
                    f"got {(kind, size)}."
                )
        self.built = True  # No weights.

    @property
    def width(self):
        return sum(size for _, size in self.blocks)

    def call(self, logits):
        pieces = tf.split(logits, [size for _, size in self.blocks], axis=-1)
        outputs = []
        for (kind, size), piece in zip(self.blocks, pieces):
            if kind == "numeric":
                outputs.append(tf.sigmoid(piece))
            elif kind == "categorical":
                hard = tf.one_hot(
                    tf.argmax(piece, axis=-1), size, dtype=piece.dtype
                )
                outputs.append(straight_through(hard, tf.nn.softmax(piece)))
            else:
                hard = tf.cast(piece > 0, piece.dtype)
                outputs.append(straight_through(hard, tf.sigmoid(piece)))
        return tf.concat(outputs, axis=-1)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(blocks=[list(block) for block in self.blocks])
        return config
