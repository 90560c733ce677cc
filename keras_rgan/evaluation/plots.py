"""Plots of real against synthetic sequences (matplotlib, PNG)."""

import numpy as np

from keras_rgan.evaluation.post_hoc import as_rng
from keras_rgan.evaluation.post_hoc import subsample


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_embeddings(real, synthetic, path, max_samples=1000, seed=0):
    """PCA and t-SNE of real (blue) and synthetic (red) sequences, one PNG.

    Sequences are averaged over features per time step, as in TimeGAN's
    visualisation, then embedded in 2-D.

    Returns:
        `path`.

    Example:

    >>> import os, tempfile
    >>> from keras_rgan.data import sine_waves
    >>> path = os.path.join(tempfile.mkdtemp(), "embeddings.png")
    >>> _ = plot_embeddings(sine_waves(40, 8, 2, seed=0),
    ...                     sine_waves(40, 8, 2, seed=1), path)
    >>> os.path.getsize(path) > 0
    True
    """
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    plt = _pyplot()
    rng = as_rng(seed)
    real = subsample(np.asarray(real), max_samples, rng).mean(axis=2)
    synthetic = subsample(np.asarray(synthetic), max_samples, rng).mean(axis=2)
    pooled = np.concatenate([real, synthetic])
    pca = PCA(n_components=2, random_state=seed).fit(real)
    tsne = TSNE(
        n_components=2,
        perplexity=min(40, max(5, len(pooled) // 4)),
        init="pca",
        random_state=seed,
    ).fit_transform(pooled)
    figure, axes = plt.subplots(1, 2, figsize=(10, 4.5))
    for axis, (title, points_real, points_fake) in zip(
        axes,
        (
            ("PCA", pca.transform(real), pca.transform(synthetic)),
            ("t-SNE", tsne[: len(real)], tsne[len(real) :]),
        ),
    ):
        axis.scatter(*points_real.T, s=6, alpha=0.4, c="tab:blue", label="real")
        axis.scatter(
            *points_fake.T, s=6, alpha=0.4, c="tab:red", label="synthetic"
        )
        axis.set_title(title)
        axis.legend()
    figure.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(figure)
    return path


def plot_sequences(
    real, synthetic, path, feature_names=None, num_sequences=5, seed=0
):
    """A grid: one row per feature, real sequences left, generated right.

    Returns:
        `path`.

    Example:

    >>> import os, tempfile
    >>> from keras_rgan.data import sine_waves
    >>> path = os.path.join(tempfile.mkdtemp(), "sequences.png")
    >>> _ = plot_sequences(sine_waves(5, 8, 2, seed=0),
    ...                    sine_waves(5, 8, 2, seed=1), path, ["a", "b"])
    >>> os.path.getsize(path) > 0
    True
    """
    plt = _pyplot()
    rng = as_rng(seed)
    real = subsample(np.asarray(real), num_sequences, rng)
    synthetic = subsample(np.asarray(synthetic), num_sequences, rng)
    num_features = real.shape[-1]
    names = feature_names or [f"feature {k}" for k in range(num_features)]
    figure, axes = plt.subplots(
        num_features,
        2,
        figsize=(10, 1.8 * num_features + 0.6),
        sharex=True,
        squeeze=False,
    )
    for k in range(num_features):
        for column, (data, title) in enumerate(
            ((real, "real"), (synthetic, "generated"))
        ):
            axis = axes[k, column]
            axis.plot(data[:, :, k].T, linewidth=1)
            if k == 0:
                axis.set_title(title)
            if column == 0:
                axis.set_ylabel(names[k])
        axes[k, 1].sharey(axes[k, 0])
    for axis in axes[-1]:
        axis.set_xlabel("time step")
    figure.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(figure)
    return path


def plot_history(history, path):
    """Plots each series of a Keras `History` (or dict of lists) against epochs.

    Returns:
        `path`.

    Example:

    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "history.png")
    >>> _ = plot_history({"d_loss": [1.0, 0.8], "g_loss": [0.7, 0.9]}, path)
    >>> os.path.getsize(path) > 0
    True
    """
    plt = _pyplot()
    series = getattr(history, "history", history)
    if not series:
        raise ValueError("The history is empty: nothing to plot.")
    figure, axis = plt.subplots(figsize=(7, 3.5))
    for name, values in series.items():
        axis.plot(np.arange(1, len(values) + 1), values, label=name)
    axis.set_xlabel("epoch")
    axis.legend()
    figure.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(figure)
    return path
