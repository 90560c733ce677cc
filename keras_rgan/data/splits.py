"""Holding out real sequences that training never sees."""

import numpy as np


def holdout_index(count, fraction, overlap=0, blocks=1):
    """Which of `count` sequences train and which are held out, in order.

    The held-out `fraction` is cut into `blocks` blocks of (nearly) equal
    size, spread evenly: the data is cut into `blocks` equal parts and each
    part ends with a block, so one block holds out the last sequences. For
    windows cut from one series with overlapping steps, the `overlap`
    windows on both sides of each block are dropped too, so no held-out
    step is ever trained on. Several blocks keep a trending series' held-out
    windows at the levels training sees, rather than at its end.

    Args:
        count: int. Number of sequences.
        fraction: float in `[0, 1)`. Share held out; 0 holds out nothing.
        overlap: int. Windows dropped on each side of a held-out block.
        blocks: int. Held-out blocks, at most the held-out sequences.

    Returns:
        `(train, held_out)`: sorted int arrays of indices.

    Example:

    >>> train, held_out = holdout_index(20, 0.2, overlap=1, blocks=2)
    >>> held_out.tolist(), train.tolist()
    ([8, 9, 18, 19], [0, 1, 2, 3, 4, 5, 6, 11, 12, 13, 14, 15, 16])
    """
    if not 0 <= fraction < 1:
        raise ValueError(
            f"The holdout fraction must be in [0, 1), got {fraction}."
        )
    num_held_out = int(round(fraction * count))
    if num_held_out == 0 and blocks == 1:
        return np.arange(count), np.arange(0)
    if not 1 <= blocks <= num_held_out:
        raise ValueError(
            f"holdout_blocks must be between 1 and the number of held-out "
            f"sequences, {num_held_out} ({fraction:.0%} of {count}); got "
            f"{blocks}."
        )
    held = np.zeros(count, bool)
    parts = np.arange(blocks + 1)
    sizes = np.diff(parts * num_held_out // blocks)
    for end, size in zip(parts[1:] * count // blocks, sizes):
        held[end - size : end] = True
    near = held.copy()
    for shift in range(1, overlap + 1):
        near[shift:] |= held[:-shift]
        near[:-shift] |= held[shift:]
    train = np.flatnonzero(~near)
    if len(train) < 1:
        blocked = f" in {blocks} blocks" if blocks > 1 else ""
        raise ValueError(
            f"Too few sequences ({count}) to hold out {fraction:.0%}{blocked}"
            f" and drop the {overlap} windows overlapping each block."
        )
    return train, np.flatnonzero(held)


def as_slice(index):
    """A sorted run of consecutive indices as a slice (a view, not a copy,
    when it indexes an array); other indices unchanged.

    >>> as_slice(np.array([3, 4, 5])), as_slice(np.array([1, 3])).tolist()
    (slice(3, 6, None), [1, 3])
    """
    if not len(index):
        return slice(0, 0)
    if index[-1] - index[0] + 1 == len(index):
        return slice(int(index[0]), int(index[-1]) + 1)
    return index


def holdout_split(sequences, fraction, overlap=0, blocks=1):
    """Splits sequences into `(train, held_out)`, keeping order, as
    `holdout_index` does.

    Args:
        sequences: array `(n, seq_len, features)`.
        fraction: float in `[0, 1)`. Share held out; 0 holds out nothing.
        overlap: int. Windows dropped beside each held-out block.
        blocks: int. Held-out blocks, spread evenly (1: the last ones).

    Returns:
        `(train, held_out)` arrays (views for one block).

    Example:

    >>> x = np.arange(20).reshape(20, 1, 1)
    >>> train, held_out = holdout_split(x, 0.25, overlap=2)
    >>> len(train), len(held_out), int(held_out[0, 0, 0])
    (13, 5, 15)
    """
    train, held_out = holdout_index(len(sequences), fraction, overlap, blocks)
    return sequences[as_slice(train)], sequences[as_slice(held_out)]
