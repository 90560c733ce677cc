"""GAN losses on discriminator outputs, chosen by name in `compile()`.

Each loss is a `GANLoss`: `discriminator(real_logits, fake_logits)`,
`generator(fake_logits)` and the weight of a gradient penalty on the
discriminator (0 for none). Logits may have any shape (one per sequence, or
one per time step, as in the RGAN paper); losses average over all of them,
weighted by optional `weights` of the logits' shape (0 for the padded steps
of variable-length sequences, which then never reach a loss).
"""

import collections

from keras import ops

GANLoss = collections.namedtuple(
    "GANLoss", ["discriminator", "generator", "gradient_penalty_weight"]
)
GANLoss.__doc__ = """A GAN loss: the two players' loss functions and a
penalty weight.

Example:

>>> loss = get("wgan_gp")
>>> loss.gradient_penalty_weight
10.0
"""


def weighted_mean(values, weights=None):
    """The mean of `values`, or their `weights`-weighted mean.

    Example:

    >>> import numpy as np
    >>> float(weighted_mean(np.array([1.0, 3.0]), np.array([1.0, 0.0])))
    1.0
    """
    if weights is None:
        return ops.mean(values)
    weights = ops.cast(weights, values.dtype)
    return ops.sum(values * weights) / ops.maximum(ops.sum(weights), 1e-12)


def cross_entropy(target, logits, weights=None):
    """Mean binary cross-entropy of `logits` against a constant `target`.

    Example:

    >>> import numpy as np
    >>> round(float(cross_entropy(1.0, np.zeros((2, 1)))), 4)  # log(2)
    0.6931
    """
    labels = ops.full_like(logits, target)
    return weighted_mean(
        ops.binary_crossentropy(labels, logits, from_logits=True), weights
    )


def non_saturating_discriminator_loss(
    real_logits, fake_logits, real_weights=None, fake_weights=None
):
    """`BCE(1, D(x)) + BCE(0, D(G(z)))`, from logits (Goodfellow et al. 2014).

    Example:

    >>> import numpy as np
    >>> loss = non_saturating_discriminator_loss(
    ...     np.zeros((2, 1)), np.zeros((2, 1))
    ... )
    >>> round(float(loss), 4)  # 2 * log(2)
    1.3863
    """
    return cross_entropy(1.0, real_logits, real_weights) + cross_entropy(
        0.0, fake_logits, fake_weights
    )


def non_saturating_generator_loss(fake_logits, weights=None):
    """`BCE(1, D(G(z)))`: the generator's non-saturating loss, from logits.

    Example:

    >>> import numpy as np
    >>> round(float(non_saturating_generator_loss(np.zeros((2, 1)))), 4)
    0.6931
    """
    return cross_entropy(1.0, fake_logits, weights)


def wasserstein_critic_loss(
    real_scores, fake_scores, real_weights=None, fake_weights=None
):
    """`E[D(G(z))] - E[D(x)]`: the WGAN critic's loss (Arjovsky et al. 2017).

    Example:

    >>> import numpy as np
    >>> float(wasserstein_critic_loss(np.ones((2, 1)), np.zeros((2, 1))))
    -1.0
    """
    return weighted_mean(fake_scores, fake_weights) - weighted_mean(
        real_scores, real_weights
    )


def wasserstein_generator_loss(fake_scores, weights=None):
    """`-E[D(G(z))]`: the WGAN generator's loss.

    Example:

    >>> import numpy as np
    >>> float(wasserstein_generator_loss(np.full((2, 1), 3.0)))
    -3.0
    """
    return -weighted_mean(fake_scores, weights)


def gradient_penalty(discriminator, real, fake, epsilon):
    """`E[(|grad D(x_hat)| - 1)^2]` on interpolates `x_hat` (Gulrajani et al.
    2017), the gradient norm taken over each sequence's steps and features.

    Args:
        discriminator: callable on `(batch, seq_len, features)`.
        real, fake: tensors `(batch, seq_len, features)`.
        epsilon: tensor `(batch, 1, 1)` of uniform draws in `[0, 1]`.

    Example:

    >>> import tensorflow as tf
    >>> critic = lambda x, training: tf.reduce_sum(x, axis=[1, 2])  # |grad| = 2
    >>> x = tf.zeros((3, 2, 2))
    >>> float(gradient_penalty(critic, x, x, tf.ones((3, 1, 1))))  # (2 - 1)^2
    1.0
    """
    import tensorflow as tf

    from keras_rgan.layers.fused_lstm import standard_kernels

    interpolates = epsilon * real + (1.0 - epsilon) * fake
    # Second-order gradients: TF has no gradient of the fused LSTM's gradient.
    with tf.GradientTape() as tape, standard_kernels():
        tape.watch(interpolates)
        scores = discriminator(interpolates, training=True)
    gradients = tape.gradient(scores, interpolates)
    norms = tf.sqrt(tf.reduce_sum(tf.square(gradients), axis=[1, 2]) + 1e-12)
    return tf.reduce_mean(tf.square(norms - 1.0))


LOSSES = {
    "non_saturating": GANLoss(
        non_saturating_discriminator_loss, non_saturating_generator_loss, 0.0
    ),
    "wgan_gp": GANLoss(
        wasserstein_critic_loss, wasserstein_generator_loss, 10.0
    ),
}


def get(name):
    """Returns the `GANLoss` named `name`.

    Example:

    >>> get("non_saturating").gradient_penalty_weight
    0.0
    """
    if name not in LOSSES:
        raise ValueError(
            f"Unknown GAN loss {name!r}; expected one of {sorted(LOSSES)}."
        )
    return LOSSES[name]
