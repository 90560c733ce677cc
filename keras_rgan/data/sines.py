"""The Sines benchmark data set of TimeGAN (Yoon et al., NeurIPS 2019)."""

import numpy as np


def sine_waves(n=10_000, seq_len=24, dim=5, seed=0):
    """Generates the TimeGAN Sines data set, reproducibly.

    Feature `k` of a sequence is `sin(f_k * t + p_k)` with
    `f_k, p_k ~ U(0, 0.1)` drawn per sequence and feature, `t = 0..seq_len-1`,
    rescaled to `[0, 1]` as `(sin + 1) / 2`. Unlike TimeGAN's own generator,
    which draws from NumPy's global random state, the same `seed` always gives
    the same data.

    Args:
        n: int. Number of sequences.
        seq_len: int. Time steps per sequence.
        dim: int. Features per time step.
        seed: int. Seed of the random generator.

    Returns:
        A float32 array of shape `(n, seq_len, dim)` with values in `[0, 1]`.

    Example:

    >>> x = sine_waves(n=4, seq_len=24, dim=5, seed=0)
    >>> x.shape
    (4, 24, 5)
    >>> bool(((x >= 0) & (x <= 1)).all())
    True
    """
    for name, value in (("n", n), ("seq_len", seq_len), ("dim", dim)):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(
                f"`{name}` must be a positive integer, got {value!r}."
            )
    rng = np.random.default_rng(seed)
    freq = rng.uniform(0.0, 0.1, size=(n, 1, dim))
    phase = rng.uniform(0.0, 0.1, size=(n, 1, dim))
    t = np.arange(seq_len, dtype=np.float64).reshape(1, seq_len, 1)
    return ((np.sin(freq * t + phase) + 1.0) / 2.0).astype(np.float32)
