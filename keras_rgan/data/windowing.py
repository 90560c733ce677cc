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
            "Expected time steps of shape (rows, features), got "
            f"{values.shape}."
        )
    if seq_len < 1 or stride < 1:
        raise ValueError(
            f"seq_len and stride must be positive, got {seq_len} and {stride}."
        )
    if values.shape[0] < seq_len:
        raise ValueError(
            f"Only {values.shape[0]} rows of data, fewer than "
            f"seq_len={seq_len}."
        )
    windows = np.lib.stride_tricks.sliding_window_view(values, seq_len, axis=0)[
        ::stride
    ]
    return np.ascontiguousarray(windows.transpose(0, 2, 1), dtype=np.float32)


def step_mask(lengths, seq_len):
    """Boolean `(n, seq_len)`: True at the steps within each sequence's length.

    Example:

    >>> step_mask([1, 3], 3).astype(int).tolist()
    [[1, 0, 0], [1, 1, 1]]
    """
    return np.arange(seq_len)[None, :] < np.asarray(lengths)[:, None]


def pad_or_window(sequences, seq_len, stride=1):
    """Fits sequences of different lengths to `seq_len` steps.

    Sequences shorter than `seq_len` are padded with zeros at the end;
    longer ones are cut into windows (`make_windows`), each a full-length
    sequence. Empty sequences are an error.

    Args:
        sequences: list of arrays `(length_i, features)`.
        seq_len: int. Steps per output sequence.
        stride: int. Steps between window starts of long sequences.

    Returns:
        A tuple `(x, lengths)`: float32 `(n, seq_len, features)` and int32
        `(n,)`, where steps at and past `lengths[i]` of `x[i]` are zero.

    Example:

    >>> x, lengths = pad_or_window([np.ones((2, 1)), np.ones((5, 1))], 4)
    >>> x.shape, lengths.tolist()
    ((3, 4, 1), [2, 4, 4])
    """
    if seq_len < 1 or stride < 1:
        raise ValueError(
            f"seq_len and stride must be positive, got {seq_len} and {stride}."
        )
    if not len(sequences):
        raise ValueError("No sequences to pad or window.")
    pieces, lengths = [], []
    for i, sequence in enumerate(sequences):
        sequence = np.asarray(sequence, dtype=np.float32)
        if sequence.ndim != 2 or len(sequence) == 0:
            raise ValueError(
                f"Sequence {i} has shape {sequence.shape}; expected "
                "(length >= 1, features)."
            )
        if len(sequence) >= seq_len:
            windows = make_windows(sequence, seq_len, stride)
            pieces.append(windows)
            lengths += [seq_len] * len(windows)
        else:
            padded = np.zeros((1, seq_len, sequence.shape[1]), np.float32)
            padded[0, : len(sequence)] = sequence
            pieces.append(padded)
            lengths.append(len(sequence))
    return np.concatenate(pieces), np.asarray(lengths, np.int32)
