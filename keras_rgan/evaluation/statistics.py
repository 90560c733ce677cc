"""Statistical scores the field reports beside the discriminative score:
cross-feature correlation, autocorrelation and marginal distributions of
real against synthetic sequences (lower is better, 0 for equal
statistics). Fixed-length sequences, scaled with the real data's scaler."""

import numpy as np

from keras_rgan.evaluation.post_hoc import scale_pair


def _standardized(x, mean, std):
    """`x` standardized per feature with the statistics of one set."""
    return (x - mean) / np.where(std > 0, std, 1.0)


def _pooled_moments(x):
    """Per-feature mean and (Bessel-corrected) std over sequences and steps,
    as the reference's `x.std(dim=(0, 1))`."""
    flat = x.reshape(-1, x.shape[-1])
    return flat.mean(axis=0), flat.std(axis=0, ddof=1)


def _correlations(x):
    """Mean over sequences and steps of the products of standardized
    features: the lower triangle (diagonal included) of the correlation
    matrix, as Diffusion-TS' `cacf_torch(x, 1)`."""
    z = _standardized(x, *_pooled_moments(x))
    rows, cols = np.tril_indices(x.shape[-1])
    return (z[..., rows] * z[..., cols]).mean(axis=(0, 1))


def correlational_score(real, synthetic, scaler=None):
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
    real, synthetic = scale_pair(real, synthetic, scaler)
    difference = _correlations(synthetic) - _correlations(real)
    return float(np.abs(difference).sum() / 10.0)


def _autocorrelations(x, max_lag):
    """`(max_lag, features)`: per lag 1..max_lag, the mean over sequences
    and steps of standardized values times themselves `lag` steps later."""
    z = _standardized(x, *_pooled_moments(x))
    return np.stack(
        [
            (z[:, lag:] * z[:, :-lag]).mean(axis=(0, 1))
            for lag in range(1, max_lag + 1)
        ]
    )


def autocorrelation_score(real, synthetic, scaler=None, max_lag=None):
    """Mean absolute difference of each feature's autocorrelation at lags
    1 to `max_lag` (default `seq_len // 2`), real against synthetic.

    Example:

    >>> rng = np.random.default_rng(0)
    >>> noise = rng.normal(size=(500, 8, 1))
    >>> constant = np.repeat(rng.normal(size=(500, 1, 1)), 8, axis=1)
    >>> round(autocorrelation_score(noise, constant), 1)
    1.0
    """
    real, synthetic = scale_pair(real, synthetic, scaler)
    max_lag = max_lag or real.shape[1] // 2
    if not 1 <= max_lag < real.shape[1]:
        raise ValueError(
            f"max_lag must be in [1, {real.shape[1] - 1}] for sequences of "
            f"{real.shape[1]} steps, got {max_lag}."
        )
    difference = _autocorrelations(synthetic, max_lag) - _autocorrelations(
        real, max_lag
    )
    return float(np.abs(difference).mean())


def marginal_score(real, synthetic, scaler=None, bins=50):
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
    real, synthetic = scale_pair(real, synthetic, scaler)
    if bins < 1:
        raise ValueError(f"bins must be positive, got {bins}.")
    differences = []
    for step in range(real.shape[1]):
        for feature in range(real.shape[2]):
            values = real[:, step, feature]
            edges = np.histogram_bin_edges(values, bins)
            width = max(edges[1] - edges[0], 1e-12)
            densities = [
                np.histogram(x[:, step, feature], edges)[0] / (len(x) * width)
                for x in (real, synthetic)
            ]
            differences.append(np.abs(densities[1] - densities[0]).mean())
    return float(np.mean(differences))
