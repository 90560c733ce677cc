"""Memorisation check: does the generator copy its training sequences?"""

import numpy as np

from keras_rgan.evaluation.neighbours import nearest_distances
from keras_rgan.evaluation.post_hoc import as_rng
from keras_rgan.evaluation.post_hoc import scale_pair
from keras_rgan.evaluation.post_hoc import subsample


def memorisation_check(
    train,
    held_out,
    synthetic,
    scaler=None,
    max_samples=2000,
    copy_quantile=0.05,
    max_copy_share=0.2,
    seed=0,
):
    """Compares synthetic-to-training distances with held-out-to-training ones.

    For each synthetic sequence, the distance to its nearest training
    sequence; for each held-out real sequence (never trained on), the same.
    A generator that generalises produces synthetic sequences about as far
    from the training set as new real data is; one that copies lands much
    closer. The check fails (`memorised` is True) when the share of synthetic
    sequences closer to the training set than the `copy_quantile` quantile of
    held-out distances exceeds `max_copy_share` (it is about `copy_quantile`
    for a model that does not copy).

    Args:
        train: array `(n, seq_len, features)`: the training sequences.
        held_out: array: real sequences of the same source, not trained on.
        synthetic: array: generated sequences.
        scaler: fitted `MinMaxScaler` of the real data, or None to fit on
            `train`.

    Returns:
        A dict: `synthetic_median`, `held_out_median` (median nearest
        distances), `distance_ratio` (their quotient), `copy_share`,
        `memorised`.

    Example:

    >>> from keras_rgan.data import sine_waves
    >>> data = sine_waves(400, 8, 2, seed=0)
    >>> memorisation_check(data[:300], data[300:], data[:100])["memorised"]
    True
    """
    _, held_out = scale_pair(train, held_out, scaler)
    train, synthetic = scale_pair(train, synthetic, scaler)
    rng = as_rng(seed)
    synthetic, held_out = (
        subsample(synthetic, max_samples, rng),
        subsample(held_out, max_samples, rng),
    )
    synthetic_d = nearest_distances(synthetic, train)
    held_out_d = nearest_distances(held_out, train)
    threshold = np.quantile(held_out_d, copy_quantile)
    copy_share = float(np.mean(synthetic_d < threshold))
    held_out_median = float(np.median(held_out_d))
    synthetic_median = float(np.median(synthetic_d))
    return {
        "synthetic_median": synthetic_median,
        "held_out_median": held_out_median,
        "distance_ratio": synthetic_median / held_out_median
        if held_out_median
        else 0.0,
        "copy_share": copy_share,
        "memorised": bool(copy_share > max_copy_share),
    }
