"""Maximum mean discrepancy with an RBF kernel, as in the RGAN paper."""

import numpy as np

from keras_rgan.evaluation.neighbours import flatten
from keras_rgan.evaluation.neighbours import squared_distances
from keras_rgan.evaluation.post_hoc import as_rng
from keras_rgan.evaluation.post_hoc import scale_pair
from keras_rgan.evaluation.post_hoc import subsample


def mmd_rbf(
    real, synthetic, scaler=None, bandwidth=None, max_samples=1000, seed=0
):
    """Unbiased squared MMD between real and synthetic sequences, RBF kernel.

    Sequences are scaled with the real data's scaler and flattened; the kernel
    is `exp(-|x - y|^2 / (2 sigma^2))` with `sigma` the median pairwise
    distance of the pooled sample (the median heuristic of Esteban et al.,
    2017) unless `bandwidth` is given. At most `max_samples` of each set are
    used (a random subset), which bounds time and memory. Near 0 for samples
    of the same distribution; larger is worse.

    Returns:
        A dict: `mmd2` (float) and `bandwidth` (float).

    Example:

    >>> from keras_rgan.data import sine_waves
    >>> same = mmd_rbf(
    ...     sine_waves(300, 8, 2, seed=0), sine_waves(300, 8, 2, seed=1)
    ... )
    >>> abs(same["mmd2"]) < 0.01
    True
    """
    real, synthetic = scale_pair(real, synthetic, scaler)
    rng = as_rng(seed)
    real, synthetic = (
        subsample(real, max_samples, rng),
        subsample(synthetic, max_samples, rng),
    )
    if len(real) < 2 or len(synthetic) < 2:
        raise ValueError("MMD needs at least 2 sequences in each set.")
    m, n = len(real), len(synthetic)
    pooled = np.concatenate([flatten(real), flatten(synthetic)])
    d2 = squared_distances(
        pooled, pooled
    )  # one matrix for kernel and bandwidth
    if bandwidth is None:
        distances = np.sqrt(d2[np.triu_indices(m + n, k=1)])
        bandwidth = float(np.median(distances)) or 1.0
    kernel = np.exp(-d2 / (2.0 * bandwidth**2))
    kxx, kyy, kxy = kernel[:m, :m], kernel[m:, m:], kernel[:m, m:]
    mmd2 = (
        (kxx.sum() - np.trace(kxx)) / (m * (m - 1))
        + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
        - 2.0 * kxy.mean()
    )
    return {"mmd2": float(mmd2), "bandwidth": float(bandwidth)}
