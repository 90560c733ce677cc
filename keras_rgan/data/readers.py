"""Readers that turn files into NumPy arrays, checking them on the way in."""

import numpy as np

from keras_rgan.data import tables
from keras_rgan.data.tables import check_file as _check_file


def read_csv(path, columns=None):
    """Reads a CSV file of numbers whose rows are time steps.

    The first row must name the columns. Values are read by pandas in
    chunks into a float32 array; a chosen column that is not numeric, or an
    empty cell, is an error naming it (tables with text, dates and gaps go
    through `keras_rgan.data.tables`).

    Args:
        path: str. Path of the CSV file.
        columns: list of str, or None. Columns to read, by name. `None` reads
            every column.

    Returns:
        A tuple `(values, names)`: a float32 array `(rows, len(names))` and
        the list of column names, in the order read.

    Example:

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "steps.csv")
    >>> with open(path, "w") as f:
    ...     _ = f.write("a,b\\n1,2\\n3,4\\n")
    >>> values, names = read_csv(path)
    >>> values.shape, names
    ((2, 2), ['a', 'b'])
    """
    frame = tables.read_csv_frame(path)
    roles = tables.TableRoles(columns=columns)
    roles.check(frame, path)
    names, _ = roles.features(frame, path)
    values = np.empty((len(frame), len(names)), np.float32)
    for k, name in enumerate(names):
        column = frame[name]
        if column.isna().any():
            raise ValueError(
                f"Column {name!r} of {path} has an empty cell at row "
                f"{int(column.index[column.isna().argmax()]) + 2}."
            )
        values[:, k] = column.to_numpy(np.float32)
        del frame[name]  # Free it as we go.
    return values, names


def _chosen_columns(header, columns, path, exclude=()):
    """The columns to read: `columns`, or every column but `exclude`."""
    if not columns:
        return [name for name in header if name not in exclude]
    missing = [c for c in columns if c not in header]
    if missing:
        raise ValueError(
            f"Column(s) {missing} not found in {path}; its columns are "
            f"{header}."
        )
    return list(columns)


def read_npy(path):
    """Reads a `.npy` file holding a numeric array.

    Args:
        path: str. Path of the `.npy` file.

    Returns:
        The array, with the dtype it was stored with.

    Example:

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "x.npy")
    >>> np.save(path, np.zeros((2, 3, 1)))
    >>> read_npy(path).shape
    (2, 3, 1)
    """
    _check_file(path)
    try:
        array = np.load(path, allow_pickle=False)
    except (ValueError, OSError) as error:
        raise ValueError(
            f"{path} is not a numeric .npy array ({error})"
        ) from None
    if not isinstance(array, np.ndarray):
        raise ValueError(f"{path} does not hold a single array.")
    if array.dtype.kind not in "biuf":
        raise ValueError(
            f"{path} holds an array of dtype {array.dtype}; expected numbers."
        )
    return array


def read_npz(path):
    """Reads labelled sequences: an `.npz` with arrays `x` and `labels`.

    `x` is `(n, seq_len, features)`, `labels` `(n,)` integers in
    `[0, num_classes)`.

    Returns:
        A tuple `(x, labels)`.

    Example:

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "d.npz")
    >>> np.savez(path, x=np.zeros((3, 4, 1)), labels=np.array([0, 1, 1]))
    >>> [a.shape for a in read_npz(path)]
    [(3, 4, 1), (3,)]
    """
    _check_file(path)
    try:
        archive = np.load(path, allow_pickle=False)
    except (ValueError, OSError) as error:
        raise ValueError(
            f"{path} is not a readable .npz file ({error})"
        ) from None
    missing = {"x", "labels"} - set(archive.files)
    if missing:
        raise ValueError(
            f"{path} must hold arrays 'x' and 'labels'; missing "
            f"{sorted(missing)}."
        )
    x, labels = archive["x"], archive["labels"]
    if x.dtype.kind not in "biuf":
        raise ValueError(f"{path}: 'x' has dtype {x.dtype}; expected numbers.")
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise ValueError(
            f"{path}: 'labels' must be a 1-D integer array, got {labels.dtype} "
            f"{labels.shape}."
        )
    if len(labels) != len(x):
        raise ValueError(
            f"{path}: {len(labels)} labels for {len(x)} sequences."
        )
    if labels.size and labels.min() < 0:
        raise ValueError(f"{path}: labels must be >= 0, got {labels.min()}.")
    return x, labels
