"""Checks that sequence data is usable before any training starts."""

import numpy as np


def check_sequences(x, name="data"):
    """Checks that `x` is a non-empty, finite, numeric `(n, seq_len, features)`.

    Args:
        x: the array to check.
        name: str. What to call `x` in error messages.

    Returns:
        `x` as a float32 array.

    Example:

    >>> check_sequences(np.zeros((2, 3, 1))).dtype
    dtype('float32')
    """
    if not isinstance(x, np.ndarray):
        x = np.asarray(x)
    if x.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be numeric, got dtype {x.dtype}.")
    if x.ndim != 3:
        raise ValueError(
            f"{name} must have shape (num_sequences, seq_len, num_features), "
            f"got rank {x.ndim} with shape {x.shape}."
        )
    if x.size == 0:
        raise ValueError(f"{name} is empty (shape {x.shape}).")
    x = x.astype(np.float32, copy=False)
    finite = np.isfinite(x)
    if not finite.all():
        where = np.argwhere(~finite)[0]
        raise ValueError(
            f"{name} holds {int((~finite).sum())} NaN or inf value(s), the "
            f"first at sequence {where[0]}, step {where[1]}, "
            f"feature {where[2]}."
        )
    return x
