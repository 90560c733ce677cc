"""Cutting a long series of time steps into fixed-length windows."""

import numpy as np


def make_windows(values, seq_len, stride=1):
    """Cuts `(rows, features)` time steps into windows of `seq_len` steps.

    Every window of `seq_len` consecutive rows whose start is a multiple of
    `stride` is returned, so `rows` rows give
    `(rows - seq_len) // stride + 1` windows.

    Args:
        values: array `(rows, features)`, one time step a row, oldest first.
        seq_len: int. Steps per window.
        stride: int. Steps between the starts of two windows.

    Returns:
        A float32 array `(num_windows, seq_len, features)` (a copy).

    Example:

    >>> make_windows(np.arange(10.0).reshape(5, 2), seq_len=3).shape
    (3, 3, 2)
    """
    values = np.asarray(values)
    if values.ndim != 2:
        raise ValueError(
            f"Expected time steps of shape (rows, features), got {values.shape}."
        )
    if seq_len < 1 or stride < 1:
        raise ValueError(
            f"seq_len and stride must be positive, got {seq_len} and {stride}."
        )
    if values.shape[0] < seq_len:
        raise ValueError(
            f"Only {values.shape[0]} rows of data, fewer than seq_len={seq_len}."
        )
    windows = np.lib.stride_tricks.sliding_window_view(
        values, seq_len, axis=0
    )[::stride]
    return np.ascontiguousarray(windows.transpose(0, 2, 1), dtype=np.float32)
