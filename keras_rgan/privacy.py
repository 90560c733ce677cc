"""Differentially private training: the discriminator's clipped, noised
gradients (DP-SGD) and the privacy budget they spend.

The discriminator is the only player that reads real sequences; the
generator learns from the discriminator's outputs on generated sequences,
so its updates are post-processing of the private discriminator.

Each discriminator update reads `batch_size` real sequences drawn uniformly
without replacement from the `num_examples` training sequences, afresh for
every update. An example is what one real sequence touches in the update
(its logit, its generated partner's, their gradient-penalty interpolate):
its gradient is clipped to `l2_norm_clip`, the clipped gradients are summed,
Gaussian noise of standard deviation `noise_multiplier * l2_norm_clip` is
added once per global batch, and the sum is divided by the batch size.

Accounting (`epsilon`) uses dp-accounting's RDP accountant with
`REPLACE_ONE` neighbours (data sets of the same size that differ in one
sequence) and `SampledWithoutReplacementDpEvent`: replacing one sequence
moves the clipped sum by at most `2 * l2_norm_clip`, so the Gaussian
mechanism's noise-to-sensitivity ratio is `noise_multiplier / 2`.

Example:

>>> round(epsilon(4.0, num_examples=1000, batch_size=50, steps=100,
...               delta=1e-5), 2)
2.49
"""

import dataclasses
import math

import dp_accounting
import keras
import tensorflow as tf
from dp_accounting import rdp

from keras_rgan import distribute
from keras_rgan.layers.fused_lstm import standard_kernels

# `noise_multiplier_for_epsilon` searches noise multipliers up to this.
MAX_NOISE_MULTIPLIER = 100.0
# What `epsilon` assumes, as exports and model cards record it.
ACCOUNTING = {
    "accountant": "dp_accounting RdpAccountant",
    "neighbours": "replace one sequence",
    "sampling": "fixed-size batches drawn without replacement, afresh "
    "for every step",
}


def default_delta(num_examples):
    """`1 / num_examples ** 1.1`: a delta below one over the data's size.

    Example:

    >>> f"{default_delta(10_000):.2e}"
    '3.98e-05'
    """
    return 1.0 / num_examples**1.1


def check_positive(name, value):
    """`value` as a float, if it is a finite number above 0; else a
    `ValueError` naming `name`.

    Example:

    >>> check_positive("l2_norm_clip", 1)
    1.0
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ValueError(f"{name} must be a number above 0, got {value!r}.")
    return float(value)


def _dp_event(noise_multiplier, num_examples, batch_size, steps, per_batch):
    """`steps` batches sampled without replacement, each read by
    `per_batch` noised updates."""
    if not 0 < batch_size <= num_examples:
        raise ValueError(
            f"The batch size must be between 1 and the number of training "
            f"sequences ({num_examples}), got {batch_size}."
        )
    update = dp_accounting.GaussianDpEvent(noise_multiplier / 2.0)
    batch = dp_accounting.SampledWithoutReplacementDpEvent(
        num_examples,
        batch_size,
        dp_accounting.SelfComposedDpEvent(update, per_batch),
    )
    return dp_accounting.SelfComposedDpEvent(batch, steps)


def _accountant():
    return rdp.RdpAccountant(
        neighboring_relation=dp_accounting.NeighboringRelation.REPLACE_ONE
    )


def epsilon(
    noise_multiplier, num_examples, batch_size, steps, delta, per_batch=1
):
    """The epsilon of `(epsilon, delta)`-DP spent by `steps` batches, each
    read by `per_batch` discriminator updates (`d_steps`).

    Example:

    >>> a = epsilon(1.0, 1000, 50, steps=100, delta=1e-5)
    >>> b = epsilon(1.0, 1000, 50, steps=200, delta=1e-5)
    >>> a < b
    True
    """
    accountant = _accountant()
    accountant.compose(
        _dp_event(noise_multiplier, num_examples, batch_size, steps, per_batch)
    )
    return float(accountant.get_epsilon(delta))


def noise_multiplier_for_epsilon(
    target_epsilon, num_examples, batch_size, steps, delta, per_batch=1
):
    """The smallest noise multiplier (to 0.1% of it) whose `steps` batches
    spend at most `target_epsilon`; a `ValueError` if none up to
    `MAX_NOISE_MULTIPLIER` does.

    Example:

    >>> sigma = noise_multiplier_for_epsilon(3.0, 1000, 50, 100, 1e-5)
    >>> epsilon(sigma, 1000, 50, 100, 1e-5) <= 3.0
    True
    """
    target_epsilon = check_positive("target_epsilon", target_epsilon)

    def spent(sigma):
        return epsilon(sigma, num_examples, batch_size, steps, delta, per_batch)

    high = MAX_NOISE_MULTIPLIER
    if spent(high) > target_epsilon:
        raise ValueError(
            f"No noise multiplier up to {MAX_NOISE_MULTIPLIER:g} keeps "
            f"{steps} steps of {batch_size} of {num_examples} sequences "
            f"({per_batch} discriminator updates each) within epsilon "
            f"{target_epsilon:g} at delta {delta:g}: train fewer steps, "
            "use a smaller batch or allow a larger epsilon."
        )
    low = 0.0
    while high - low > 1e-3 * high:
        middle = 0.5 * (low + high)
        if middle > 0 and spent(middle) <= target_epsilon:
            high = middle
        else:
            low = middle
    return high


def private_gradients(
    example_loss,
    examples,
    variables,
    l2_norm_clip,
    noise_multiplier,
    global_batch_size,
    seed_generator,
):
    """DP-SGD gradients of `variables`: the mean over the global batch of
    each example's gradient clipped to `l2_norm_clip`, with Gaussian noise
    of standard deviation `noise_multiplier * l2_norm_clip` on the sum.

    Per-example gradients are vectorised (`tf.vectorized_map`). Under
    `tf.distribute`, each replica returns its share of the mean (Keras sums
    replicas' gradients): its examples' clipped sum plus its slice of one
    global noise draw, of standard deviation `noise_multiplier *
    l2_norm_clip / sqrt(num_replicas)`, so the replicas' noise adds up to
    the noise of one device.

    Args:
        example_loss: callable on one example (a structure of tensors
            without the batch axis) returning a scalar loss.
        examples: a structure of tensors `(batch, ...)`: this replica's
            examples.
        variables: the variables to differentiate.
        l2_norm_clip: float. Bound on each example's gradient norm (over
            all `variables`).
        noise_multiplier: float. Noise standard deviation over the clip.
        global_batch_size: the number of examples over all replicas.
        seed_generator: a `keras.random.SeedGenerator` for the noise.

    Returns:
        `(gradients, losses, clipped_share)`: the gradients, each example's
        loss `(batch,)` and the share of this replica's examples whose
        gradient was clipped.

    Example:

    >>> v = keras.Variable(0.0)
    >>> x = tf.constant([1.0, 10.0])
    >>> grads, _, share = private_gradients(
    ...     lambda x: v * x, x, [v], l2_norm_clip=2.0, noise_multiplier=0.0,
    ...     global_batch_size=2, seed_generator=keras.random.SeedGenerator(0))
    >>> float(grads[0]), float(share)  # (1 + min(10, 2)) / 2
    (1.5, 0.5)
    """

    def example_gradients(example):
        with tf.GradientTape() as tape:
            loss = example_loss(example)
        gradients = tape.gradient(loss, variables)
        return loss, [
            tf.zeros_like(v) if g is None else tf.convert_to_tensor(g)
            for v, g in zip(variables, gradients)
        ]

    # Keras's LSTM computation, which `tf.vectorized_map` vectorises (it
    # has no rule for the fused kernel) and which has second-order
    # gradients (for a gradient penalty).
    with standard_kernels():
        losses, per_example = tf.vectorized_map(example_gradients, examples)
    squares = [
        tf.reduce_sum(tf.reshape(tf.square(g), [tf.shape(g)[0], -1]), axis=1)
        for g in per_example
    ]
    norms = tf.sqrt(tf.add_n(squares))
    factors = tf.minimum(1.0, l2_norm_clip / tf.maximum(norms, 1e-12))
    num_replicas, replica_id = distribute.replica_info()
    stddev = noise_multiplier * l2_norm_clip / math.sqrt(num_replicas)
    gradients = []
    for variable, example_grads in zip(variables, per_example):
        factor = tf.reshape(
            factors, [-1] + [1] * (example_grads.shape.rank - 1)
        )
        clipped_sum = tf.reduce_sum(example_grads * factor, axis=0)
        noise = keras.random.normal(
            [num_replicas, *variable.shape],
            stddev=stddev,
            seed=seed_generator,
            dtype=clipped_sum.dtype,
        )[replica_id]
        gradients.append(
            (clipped_sum + noise)
            / tf.cast(global_batch_size, clipped_sum.dtype)
        )
    clipped_share = tf.reduce_mean(tf.cast(norms > l2_norm_clip, tf.float32))
    return gradients, losses, clipped_share


@dataclasses.dataclass(frozen=True)
class DpTraining:
    """One private training's settings, and the budget its steps spend.

    `target_epsilon` (or None) is the budget: `within_budget(steps)` says
    whether that many steps stay within it.

    Example:

    >>> plan = DpTraining.planned(num_examples=1000, batch_size=50,
    ...                           steps=100, target_epsilon=3.0)
    >>> plan.epsilon(100) <= 3.0 < plan.epsilon(200)
    True
    >>> plan.within_budget(200)
    False
    """

    noise_multiplier: float
    l2_norm_clip: float
    num_examples: int
    batch_size: int
    delta: float
    per_batch: int = 1
    target_epsilon: float | None = None

    @classmethod
    def planned(
        cls,
        num_examples,
        batch_size,
        steps,
        target_epsilon=None,
        noise_multiplier=None,
        l2_norm_clip=1.0,
        delta=None,
        per_batch=1,
    ):
        """The settings of a training of `steps` batches: the given noise
        multiplier, or the smallest that keeps `steps` within
        `target_epsilon`; `delta` None is `default_delta(num_examples)`.
        A `ValueError` if not even the first batch fits the budget."""
        if noise_multiplier is None and target_epsilon is None:
            raise ValueError(
                "Private training needs a noise multiplier or a target epsilon."
            )
        delta = default_delta(num_examples) if delta is None else delta
        if noise_multiplier is None:
            noise_multiplier = noise_multiplier_for_epsilon(
                target_epsilon,
                num_examples,
                batch_size,
                steps,
                delta,
                per_batch,
            )
        plan = cls(
            check_positive("noise_multiplier", noise_multiplier),
            check_positive("l2_norm_clip", l2_norm_clip),
            num_examples,
            batch_size,
            delta,
            per_batch,
            target_epsilon,
        )
        if not plan.within_budget(1):
            raise ValueError(
                f"One step of noise multiplier {noise_multiplier:g} already "
                f"spends epsilon {plan.epsilon(1):.3g}, over the target "
                f"{target_epsilon:g}: add noise or allow a larger epsilon."
            )
        return plan

    def epsilon(self, steps):
        """The epsilon spent by `steps` batches (0 for none)."""
        if steps <= 0:
            return 0.0
        return epsilon(
            self.noise_multiplier,
            self.num_examples,
            self.batch_size,
            steps,
            self.delta,
            self.per_batch,
        )

    def within_budget(self, steps):
        """Whether `steps` batches stay within `target_epsilon` (always,
        without a target)."""
        return self.target_epsilon is None or (
            self.epsilon(steps) <= self.target_epsilon
        )

    def record(self, steps):
        """The JSON-ready record of a training of `steps` batches, as
        exports and model cards keep it."""
        return {
            "epsilon": self.epsilon(steps),
            "steps": int(steps),
            **dataclasses.asdict(self),
            **ACCOUNTING,
        }
