"""Collapse check: is the synthetic set as diverse as the real one?"""

import numpy as np

from keras_rgan.evaluation.neighbours import flatten
from keras_rgan.evaluation.neighbours import nearest_distances
from keras_rgan.evaluation.neighbours import squared_distances
from keras_rgan.evaluation.post_hoc import as_rng
from keras_rgan.evaluation.post_hoc import scale_pair
from keras_rgan.evaluation.post_hoc import subsample


def _mean_pairwise_distance(x):
    x = flatten(x)
    d2 = squared_distances(x, x)
    n = len(x)
    return float(np.sqrt(d2).sum() / (n * (n - 1)))


def diversity_check(
    real,
    synthetic,
    scaler=None,
    max_samples=1000,
    min_diversity_ratio=0.5,
    min_coverage=0.5,
    k=5,
    seed=0,
):
    """Compares the diversity of synthetic sequences with that of real ones.

    - `diversity_ratio`: mean pairwise distance among synthetic sequences over
      the same among real ones (1 for equally diverse sets, near 0 for a
      collapsed generator).
    - `coverage` (Naeem et al., 2020): the share of real sequences that have a
      synthetic sequence closer than their own `k`-th nearest real neighbour
      (about 0.97 for two samples of one distribution with k = 5); low when
      whole regions of the real data are missed.

    The check fails (`collapsed` is True) when either falls below its
    threshold. Data is scaled with the real data's scaler; at most
    `max_samples` of each set are used.

    Returns:
        A dict: `diversity_ratio`, `coverage`, `collapsed`.

    Example:

    >>> from keras_rgan.data import sine_waves
    >>> real = sine_waves(300, 8, 2, seed=0)
    >>> diversity_check(real, real[:1].repeat(300, axis=0))["collapsed"]
    True
    """
    real, synthetic = scale_pair(real, synthetic, scaler)
    rng = as_rng(seed)
    real, synthetic = (
        subsample(real, max_samples, rng),
        subsample(synthetic, max_samples, rng),
    )
    if len(real) < 2 or len(synthetic) < 2:
        raise ValueError(
            "The diversity check needs at least 2 sequences per set."
        )
    real_spread = _mean_pairwise_distance(real)
    ratio = (
        _mean_pairwise_distance(synthetic) / real_spread if real_spread else 0.0
    )
    radius = nearest_distances(real, real, exclude_self=True, k=k)
    to_synthetic = nearest_distances(real, synthetic)
    coverage = float(np.mean(to_synthetic <= radius))
    return {
        "diversity_ratio": float(ratio),
        "coverage": coverage,
        "collapsed": bool(
            ratio < min_diversity_ratio or coverage < min_coverage
        ),
    }
