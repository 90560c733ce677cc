"""Holding out real sequences that training never sees."""


def holdout_split(sequences, fraction, overlap=0):
    """Splits sequences into `(train, held_out)`, keeping order.

    The last `fraction` of the sequences is held out. For windows cut from
    one series with overlapping steps, `overlap` windows just before the
    held-out part are dropped, so no held-out step was seen in training.

    Args:
        sequences: array `(n, seq_len, features)`.
        fraction: float in `[0, 1)`. Share held out; 0 holds out nothing.
        overlap: int. Windows dropped between the two parts.

    Returns:
        `(train, held_out)` arrays (views).

    Example:

    >>> import numpy as np
    >>> x = np.arange(20).reshape(20, 1, 1)
    >>> train, held_out = holdout_split(x, 0.25, overlap=2)
    >>> len(train), len(held_out), int(held_out[0, 0, 0])
    (13, 5, 15)
    """
    if not 0 <= fraction < 1:
        raise ValueError(
            f"The holdout fraction must be in [0, 1), got {fraction}."
        )
    num_held_out = int(round(fraction * len(sequences)))
    if num_held_out == 0:
        return sequences, sequences[:0]
    end_of_train = len(sequences) - num_held_out - overlap
    if end_of_train < 1:
        raise ValueError(
            f"Too few sequences ({len(sequences)}) to hold out {fraction:.0%}."
        )
    return sequences[:end_of_train], sequences[-num_held_out:]
