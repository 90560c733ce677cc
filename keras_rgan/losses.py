"""GAN losses on discriminator logits, chosen by name in `compile()`.

Each loss is a pair `(discriminator_loss(real_logits, fake_logits),
generator_loss(fake_logits))`. Logits may have any shape (one per sequence,
or one per time step, as in the RGAN paper); losses average over all of them.
"""

from keras import ops


def _cross_entropy(target, logits):
    labels = ops.full_like(logits, target)
    return ops.mean(ops.binary_crossentropy(labels, logits, from_logits=True))


def non_saturating_discriminator_loss(real_logits, fake_logits):
    """`BCE(1, D(x)) + BCE(0, D(G(z)))`, from logits (Goodfellow et al. 2014).

    Example:

    >>> import numpy as np
    >>> loss = non_saturating_discriminator_loss(np.zeros((2, 1)), np.zeros((2, 1)))
    >>> round(float(loss), 4)  # 2 * log(2)
    1.3863
    """
    return _cross_entropy(1.0, real_logits) + _cross_entropy(0.0, fake_logits)


def non_saturating_generator_loss(fake_logits):
    """`BCE(1, D(G(z)))`: the generator's non-saturating loss, from logits.

    Example:

    >>> import numpy as np
    >>> round(float(non_saturating_generator_loss(np.zeros((2, 1)))), 4)
    0.6931
    """
    return _cross_entropy(1.0, fake_logits)


LOSSES = {
    "non_saturating": (
        non_saturating_discriminator_loss,
        non_saturating_generator_loss,
    ),
}


def get(name):
    """Returns the `(discriminator_loss, generator_loss)` pair named `name`."""
    if name not in LOSSES:
        raise ValueError(
            f"Unknown GAN loss {name!r}; expected one of {sorted(LOSSES)}."
        )
    return LOSSES[name]
