"""Where do generated sequences give themselves away? Integrated gradients of
the discriminator's logit."""

import numpy as np
import tensorflow as tf


def integrated_gradients(
    logit_fn, sequences, baseline=None, steps=32, batch_size=256
):
    """Integrated gradients (Sundararajan et al., 2017) of a logit per input.

    Attributes the discriminator's logit for each sequence to its time steps
    and features: `(x - x0) * mean_a grad logit(x0 + a (x - x0))`, with
    `a` on a `steps`-point Riemann grid. The attributions of one sequence sum
    to about `logit(x) - logit(x0)`.

    Args:
        logit_fn: callable mapping float32 `(batch, seq_len, features)` to
            logits `(batch, 1)` or `(batch,)`: a discriminator, or the
            `discriminate` signature of an export.
        sequences: array `(n, seq_len, features)`, in the space `logit_fn`
            reads.
        baseline: array broadcastable to one sequence, or None for zeros.
        steps: int. Points of the path integral.
        batch_size: int. Sequences per gradient batch.

    Returns:
        float32 array `(n, seq_len, features)`.

    Example:

    >>> fn = lambda x: tf.reduce_sum(2.0 * x, axis=[1, 2])
    >>> ig = integrated_gradients(fn, np.ones((1, 3, 2), "float32"))
    >>> ig.round(3).tolist()
    [[[2.0, 2.0], [2.0, 2.0], [2.0, 2.0]]]
    """
    sequences = np.asarray(sequences, np.float32)
    baseline = (
        np.zeros_like(sequences[:1])
        if baseline is None
        else np.broadcast_to(
            np.asarray(baseline, np.float32), sequences[:1].shape
        )
    )
    alphas = (np.arange(steps, dtype=np.float32) + 0.5) / steps
    out = np.empty_like(sequences)
    for start in range(0, len(sequences), batch_size):
        x = sequences[start : start + batch_size]
        delta = x - baseline
        total = np.zeros_like(x)
        for alpha in alphas:
            point = tf.constant(baseline + alpha * delta)
            with tf.GradientTape() as tape:
                tape.watch(point)
                logits = tf.reduce_sum(logit_fn(point))
            total += tape.gradient(logits, point).numpy()
        out[start : start + batch_size] = delta * total / steps
    return out


def plot_saliency(real_saliency, synthetic_saliency, path, feature_names=None):
    """Writes a PNG heat map of mean |attribution| per step and feature.

    Left: real sequences; right: generated ones, on one colour scale.

    Returns:
        `path`.

    Example:

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "saliency.png")
    >>> attributions = np.random.default_rng(0).normal(size=(3, 8, 2))
    >>> _ = plot_saliency(attributions, attributions, path, ["a", "b"])
    >>> os.path.getsize(path) > 0
    True
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    maps = [
        np.abs(real_saliency).mean(0).T,
        np.abs(synthetic_saliency).mean(0).T,
    ]
    vmax = max(float(m.max()) for m in maps) or 1.0
    figure, axes = plt.subplots(1, 2, figsize=(10, 3.2), sharey=True)
    for axis, values, title in zip(axes, maps, ("real", "generated")):
        image = axis.imshow(
            values, aspect="auto", cmap="magma", vmin=0, vmax=vmax
        )
        axis.set_title(f"Discriminator saliency, {title}")
        axis.set_xlabel("time step")
    names = feature_names or [f"feature {k}" for k in range(maps[0].shape[0])]
    axes[0].set_yticks(range(len(names)), names)
    figure.colorbar(image, ax=axes, label="mean |integrated gradient|")
    figure.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(figure)
    return path
