"""The generator's last activation, one head per kind of column: numbers
in `[0, 1]`, a category per categorical column, an observed flag per
column."""

import keras
import numpy as np
import tensorflow as tf

KINDS = ("numeric", "categorical", "observed")


def uniform_from_normal(normal):
    """Standard normal noise mapped to uniform noise in (0, 1) (its CDF),
    clipped away from 0 and 1."""
    uniform = 0.5 * (1.0 + tf.math.erf(normal / 2.0**0.5))
    return tf.clip_by_value(uniform, 1e-6, 1.0 - 1e-6)


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

    With `sampling_noise` (uniform in (0, 1), one value per categorical or
    observed unit), the heads sample: Gumbel noise is added to each
    category's logit and logistic noise to each flag's (the straight-through
    Gumbel-softmax of Jang et al. 2017), so a category comes out with the
    probability the softmax gives it and the generator learns frequencies,
    not thresholds. The GAN draws that noise with the rest of its noise,
    so a seed still fixes what is generated.

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

    @property
    def sampling_width(self):
        """Units that sample (categorical and observed)."""
        return sum(size for kind, size in self.blocks if kind != "numeric")

    def initial_logits(self, frequencies):
        """Logits at which the sampling heads reproduce `frequencies` (the
        data's mean encoded step): each category's log share and each
        flag's log-odds; zeros for numbers.

        >>> heads = OutputHeads([("categorical", 2), ("observed", 1)])
        >>> [round(x, 2) for x in heads.initial_logits([0.2, 0.6, 0.75])]
        [-1.39, -0.29, 1.1]
        """
        frequencies = np.asarray(frequencies, np.float64)
        if frequencies.shape != (self.width,):
            raise ValueError(
                f"frequencies needs {self.width} values (one per unit), got "
                f"shape {frequencies.shape}."
            )
        logits = []
        start = 0
        for kind, size in self.blocks:
            part = frequencies[start : start + size]
            start += size
            if kind == "numeric":
                logits.append(np.zeros(size))
            elif kind == "categorical":
                shares = np.clip(part / max(part.sum(), 1e-12), 1e-4, 1.0)
                logits.append(np.log(shares))
            else:
                share = np.clip(part, 1e-4, 1.0 - 1e-4)
                logits.append(np.log(share) - np.log1p(-share))
        return np.concatenate(logits).tolist()

    def call(self, logits, sampling_noise=None):
        pieces = tf.split(logits, [size for _, size in self.blocks], axis=-1)
        outputs = []
        start = 0
        for (kind, size), piece in zip(self.blocks, pieces):
            if kind != "numeric" and sampling_noise is not None:
                u = tf.cast(
                    sampling_noise[..., start : start + size], piece.dtype
                )
                start += size
                if kind == "categorical":
                    piece = piece - tf.math.log(-tf.math.log(u))  # Gumbel
                else:
                    piece = piece + tf.math.log(u) - tf.math.log1p(-u)
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
