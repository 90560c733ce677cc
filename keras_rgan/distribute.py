"""Everything `tf.distribute` asks of us, in one place.

Strategies by name (one per process), which process writes files, each
replica's place in a global batch, the reshape of step outputs that
`MultiWorkerMirroredStrategy` needs, and how many train steps one
`tf.function` call may run.
"""

import functools
import os

import tensorflow as tf

STRATEGIES = ("default", "mirrored", "multi_worker")


def make_strategy(name):
    """The `tf.distribute` strategy named by `--strategy`.

    `mirrored` and `multi_worker` are made once per process and then reused:
    two `MirroredStrategy` objects in one process hand out the same
    collective-op keys, so training under the second fails ("Shape mismatch
    in the collective instance") once the models differ. `multi_worker` is
    `MultiWorkerMirroredStrategy`, configured by the `TF_CONFIG` environment
    variable of each worker process; create it before any other TensorFlow
    work in the process.

    Example:

    >>> make_strategy("default") is tf.distribute.get_strategy()
    True
    """
    if name not in STRATEGIES:
        raise ValueError(
            f"Unknown strategy {name!r}; expected one of {STRATEGIES}."
        )
    if name == "default":
        return tf.distribute.get_strategy()
    return _process_strategy(name)


@functools.cache
def _process_strategy(name):
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    return tf.distribute.MultiWorkerMirroredStrategy()


def is_chief(strategy):
    """Whether this process writes exports (the chief, or worker 0).

    Example:

    >>> is_chief(tf.distribute.get_strategy())
    True
    """
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.task_type:
        return True
    if resolver.task_type == "chief":
        return True
    cluster = resolver.cluster_spec().as_dict()
    return (
        resolver.task_type == "worker"
        and resolver.task_id == 0
        and "chief" not in cluster
    )


def worker_dir(path, strategy):
    """`path` on the chief; a per-worker subfolder on other workers.

    Example:

    >>> worker_dir("run", tf.distribute.get_strategy())
    'run'
    """
    if is_chief(strategy):
        return path
    resolver = strategy.cluster_resolver
    return os.path.join(path, f"{resolver.task_type}_{resolver.task_id}")


def replica_info():
    """`(num_replicas, replica_id)` of the current replica context.

    Example:

    >>> replica_info()
    (1, 0)
    """
    context = tf.distribute.get_replica_context()
    if context is None:  # Cross-replica context: a single logical device.
        return 1, 0
    return context.num_replicas_in_sync, context.replica_id_in_sync_group


def global_mean(value):
    """The mean of a scalar over the replicas in sync (the value itself
    with one replica): the same number on every replica.

    Example:

    >>> float(global_mean(tf.constant(2.0)))
    2.0
    """
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return value
    return context.all_reduce("sum", value) / context.num_replicas_in_sync


def apply_if(condition, optimizer, gradients, variables):
    """`optimizer.apply(gradients, variables)` when `condition` (a boolean
    tensor, the same on every replica) holds, and nothing at all otherwise:
    weights, moments and the optimizer's step count stay as they were.

    A branch that syncs replicas cannot sit in a replica's `tf.cond`, so the
    choice is made once, in the cross-replica context, as Keras' own
    `LossScaleOptimizer` skips non-finite steps.

    Example:

    >>> import keras
    >>> v = keras.Variable([1.0]); opt = keras.optimizers.SGD(1.0)
    >>> apply_if(tf.constant(False), opt, [tf.constant([1.0])], [v])
    >>> float(v.numpy()[0]), int(opt.iterations.numpy())
    (1.0, 0)
    """

    def cross_replica(strategy, condition, gradients):
        def apply():
            strategy.extended.call_for_each_replica(
                optimizer.apply, args=(gradients, variables)
            )
            return tf.constant(True)

        tf.cond(
            strategy.experimental_local_results(condition)[0],
            apply,
            lambda: tf.constant(False),
        )

    tf.distribute.get_replica_context().merge_call(
        cross_replica, args=(condition, gradients)
    )


def step_outputs(logs):
    """`logs` (scalars) as a train step may return them under the strategy
    in scope: Keras reduces step outputs with `strategy.reduce("MEAN",
    axis=0)`, which fails on scalars under `MultiWorkerMirroredStrategy`.

    Example:

    >>> step_outputs({"loss": 1.0})
    {'loss': 1.0}
    """
    strategy = tf.distribute.get_strategy()
    if isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return {name: tf.reshape(value, [1]) for name, value in logs.items()}
    return logs


def steps_per_execution(requested, steps_per_epoch):
    """Train steps per `tf.function` call: the largest divisor of
    `steps_per_epoch` up to `requested`, so that executions tile every epoch
    (Keras's progress bar and callbacks count whole executions: 32 steps an
    execution on a 70-step epoch show "96/70"). Under a
    `MultiWorkerMirroredStrategy` scope, or any strategy with more than one
    replica: 1 (Keras's multi-step loop fails there with "You must feed a
    value for placeholder").

    Example:

    >>> steps_per_execution(32, 70), steps_per_execution(32, 25)
    (14, 25)
    """
    if not isinstance(requested, int) or requested < 1:
        raise ValueError(
            "steps_per_execution must be a positive integer, got "
            f"{requested!r}."
        )
    strategy = tf.distribute.get_strategy()
    if (
        isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
        or strategy.num_replicas_in_sync > 1
    ):
        return 1
    return max(
        d
        for d in range(1, min(requested, steps_per_epoch) + 1)
        if steps_per_epoch % d == 0
    )
