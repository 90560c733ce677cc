"""Statistical scores the field reports beside the discriminative score:
cross-feature correlation, autocorrelation and marginal distributions of
real against synthetic sequences (lower is better, 0 for equal
statistics). Scaled with the real data's scaler; for variable-length
sequences, steps past each length are left out."""

import numpy as np

from keras_rgan.data.windowing import step_mask
from keras_rgan.evaluation.post_hoc import scale_pair


def _scaled(real, synthetic, scaler, real_lengths, synthetic_lengths):
    """Both sets scaled, float64, with NaN past each sequence's length."""
    pair = scale_pair(real, synthetic, scaler, real_lengths, synthetic_lengths)
    scaled = []
    for x, lengths in zip(pair, (real_lengths, synthetic_lengths)):
        x = x.astype(np.float64)
        if lengths is not None:
            x[~step_mask(lengths, x.shape[1])] = np.nan
        scaled.append(x)
    return tuple(scaled)


def _valid_mean(products):
    """Per-feature mean over sequences and steps of the values that are not
    NaN; NaN where there are none (no warning)."""
    valid = ~np.isnan(products)
    total = np.where(valid, products, 0.0).sum(axis=(0, 1))
    count = valid.sum(axis=(0, 1))
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _standardized(x, mean, std):
    """`x` standardized per feature with the statistics of one set."""
    return (x - mean) / np.where(std > 0, std, 1.0)


def _pooled_moments(x):
    """Per-feature mean and (Bessel-corrected) std over sequences and steps,
    as the reference's `x.std(dim=(0, 1))`."""
    flat = x.reshape(-1, x.shape[-1])
    return np.nanmean(flat, axis=0), np.nanstd(flat, axis=0, ddof=1)


def _correlations(x):
    """Mean over sequences and steps of the products of standardized
    features: the lower triangle (diagonal included) of the correlation
    matrix, as Diffusion-TS' `cacf_torch(x, 1)`."""
    z = _standardized(x, *_pooled_moments(x))
    rows, cols = np.tril_indices(x.shape[-1])
    return _valid_mean(z[..., rows] * z[..., cols])


def correlational_score(
    real, synthetic, scaler=None, real_lengths=None, synthetic_lengths=None
):
    """Absolute difference of the cross-feature correlation matrices, as
    Diffusion-TS computes it (`CrossCorrelLoss`): the sum over the lower
    triangle of |corr(synthetic) - corr(real)|, divided by 10.

    Example:

    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(size=(500, 8, 1))
    >>> together = np.concatenate([a, a], axis=-1)
    >>> apart = rng.normal(size=(500, 8, 2))
    >>> round(correlational_score(together, apart), 1)
    0.1
    """
    real, synthetic = _scaled(
        real, synthetic, scaler, real_lengths, synthetic_lengths
    )
    difference = _correlations(synthetic) - _correlations(real)
    return float(np.abs(difference).sum() / 10.0)


def _autocorrelations(x, max_lag):
    """`(max_lag, features)`: per lag 1..max_lag, the mean over sequences
    and steps of standardized values times themselves `lag` steps later."""
    z = _standardized(x, *_pooled_moments(x))
    return np.stack(
        [_valid_mean(z[:, lag:] * z[:, :-lag]) for lag in range(1, max_lag + 1)]
    )


def autocorrelation_score(
    real,
    synthetic,
    scaler=None,
    max_lag=None,
    real_lengths=None,
    synthetic_lengths=None,
):
    """Mean absolute difference of each feature's autocorrelation at lags
    1 to `max_lag` (default `seq_len // 2`), real against synthetic.

    Example:

    >>> rng = np.random.default_rng(0)
    >>> noise = rng.normal(size=(500, 8, 1))
    >>> constant = np.repeat(rng.normal(size=(500, 1, 1)), 8, axis=1)
    >>> round(autocorrelation_score(noise, constant), 1)
    1.0
    """
    real, synthetic = _scaled(
        real, synthetic, scaler, real_lengths, synthetic_lengths
    )
    max_lag = max_lag or real.shape[1] // 2
    if not 1 <= max_lag < real.shape[1]:
        raise ValueError(
            f"max_lag must be in [1, {real.shape[1] - 1}] for sequences of "
            f"{real.shape[1]} steps, got {max_lag}."
        )
    difference = _autocorrelations(synthetic, max_lag) - _autocorrelations(
        real, max_lag
    )
    # Lags longer than every sequence of a set have no pairs: left out.
    return float(np.nanmean(np.abs(difference)))


def marginal_score(
    real,
    synthetic,
    scaler=None,
    bins=50,
    real_lengths=None,
    synthetic_lengths=None,
):
    """Marginal distribution difference (TSGBench's MDD, the histogram loss
    of Ni et al. 2020): per step and feature, a histogram of the real
    values (`bins` bins over their range) and the synthetic values' density
    on the same bins; the mean absolute difference of the densities over
    bins, averaged over steps and features.

    Example:

    >>> rng = np.random.default_rng(0)
    >>> full = rng.uniform(0, 1, size=(4000, 4, 1))
    >>> low = rng.uniform(0, 0.5, size=(4000, 4, 1))
    >>> round(marginal_score(full, low, bins=10), 1)
    1.0
    """
    real, synthetic = _scaled(
        real, synthetic, scaler, real_lengths, synthetic_lengths
    )
    if bins < 1:
        raise ValueError(f"bins must be positive, got {bins}.")
    differences = []
    for step in range(real.shape[1]):
        for feature in range(real.shape[2]):
            values = [x[:, step, feature] for x in (real, synthetic)]
            values = [v[~np.isnan(v)] for v in values]
            if len(values[0]) == 0:
                continue  # No real sequence is this long.
            edges = np.histogram_bin_edges(values[0], bins)
            width = max(edges[1] - edges[0], 1e-12)
            densities = [
                np.histogram(v, edges)[0] / (max(len(v), 1) * width)
                for v in values
            ]
            differences.append(np.abs(densities[1] - densities[0]).mean())
    return float(np.mean(differences))
