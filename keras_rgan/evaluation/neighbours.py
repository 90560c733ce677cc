"""Nearest-neighbour distances between sets of sequences."""

import numpy as np


def flatten(x):
    return np.asarray(x, dtype=np.float64).reshape(len(x), -1)


def squared_distances(a, b):
    """Squared Euclidean distances between the rows of two flat arrays."""
    return np.maximum(
        (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * a @ b.T, 0.0
    )


def nearest_distances(queries, references, exclude_self=False, k=1, chunk=512):
    """Euclidean distance from each query sequence to its k-th nearest
    reference.

    Args:
        queries: array `(n, ...)`.
        references: array `(m, ...)`.
        exclude_self: bool. Skip the zero distance of a query to itself (for
            `queries is references`).
        k: int. Which neighbour: 1 is the nearest.
        chunk: int. Queries per block, bounding memory to `chunk * m`.

    Returns:
        float64 array `(n,)`.
    """
    q, r = flatten(queries), flatten(references)
    out = np.empty(len(q))
    for start in range(0, len(q), chunk):
        block = q[start : start + chunk]
        d2 = squared_distances(block, r)
        if exclude_self:
            rows = np.arange(len(block))
            d2[rows, start + rows] = np.inf
        kth = (
            np.partition(d2, k - 1, axis=1)[:, k - 1]
            if k > 1
            else d2.min(axis=1)
        )
        out[start : start + len(block)] = np.sqrt(kth)
    return out
