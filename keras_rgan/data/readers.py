"""Readers that turn files into NumPy arrays, checking them on the way in."""

import csv
import os

import numpy as np


def _check_file(path):
    if not os.path.exists(path):
        raise FileNotFoundError(f"No such file: {path}")
    if os.path.isdir(path):
        raise ValueError(f"Expected a file but {path} is a directory.")
    if os.path.getsize(path) == 0:
        raise ValueError(f"The file {path} is empty.")


def read_csv(path, columns=None):
    """Reads a CSV file whose rows are time steps.

    The first row must name the columns. Numeric columns are read as float64;
    a chosen column that is not numeric is an error.

    Args:
        path: str. Path of the CSV file.
        columns: list of str, or None. Columns to read, by name. `None` reads
            every column.

    Returns:
        A tuple `(values, names)`: a float64 array `(rows, len(names))` and the
        list of column names, in the order read.

    Example:

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "steps.csv")
    >>> with open(path, "w") as f:
    ...     _ = f.write("a,b\\n1,2\\n3,4\\n")
    >>> values, names = read_csv(path)
    >>> values.shape, names
    ((2, 2), ['a', 'b'])
    """
    header, body = _read_table(path)
    names = _chosen_columns(header, columns, path)
    return _numeric(header, body, names, path), names


def _read_table(path):
    """`(header, rows)` of a CSV file; blank lines are skipped."""
    _check_file(path)
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise ValueError(f"The file {path} is empty.")
    header = [name.strip() for name in rows[0]]
    body = rows[1:]
    if not body:
        raise ValueError(f"The CSV file {path} has a header but no data rows.")
    for r, row in enumerate(body):
        if len(row) != len(header):
            raise ValueError(
                f"Row {r + 2} of {path} has {len(row)} fields; "
                f"the header has {len(header)}."
            )
    return header, body


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


def _numeric(header, body, names, path):
    """The columns `names` of `body` as a float64 array `(rows, len(names))`."""
    indices = [header.index(name) for name in names]
    values = np.empty((len(body), len(names)), dtype=np.float64)
    for r, row in enumerate(body):
        for c, index in enumerate(indices):
            try:
                values[r, c] = float(row[index])
            except ValueError:
                raise ValueError(
                    f"Column {names[c]!r} of {path} is not numeric: "
                    f"row {r + 2} holds {row[index]!r}."
                ) from None
    return values


def _sort_key(values):
    """Sort keys of a time column: numbers if every value is one, else text
    (ISO dates and times sort correctly as text)."""
    try:
        return [float(v) for v in values]
    except ValueError:
        return list(values)


def read_long_csv(path, id_column, time_column=None, columns=None):
    """Reads a long-format CSV: one row per time step, sequences named by an
    id column.

    Rows with the same id form one sequence, in file order or, with
    `time_column`, ordered by that column (numbers, or text such as ISO
    dates). Sequences keep the order in which their ids first appear.

    Args:
        path: str. Path of the CSV file, with a header row.
        id_column: str. Column naming each row's sequence (any text).
        time_column: str or None. Column to order each sequence's steps by.
        columns: list of str or None. Feature columns; None uses every
            column but the id and time columns.

    Returns:
        A tuple `(sequences, names)`: a list of float64 arrays
        `(length_i, len(names))`, one per id, and the feature names.

    Example:

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "long.csv")
    >>> with open(path, "w") as f:
    ...     _ = f.write("id,t,v\\na,2,20\\na,1,10\\nb,1,5\\n")
    >>> sequences, names = read_long_csv(path, "id", time_column="t")
    >>> [s[:, 0].tolist() for s in sequences], names
    ([[10.0, 20.0], [5.0]], ['v'])
    """
    header, body = _read_table(path)
    for role, name in (("id", id_column), ("time", time_column)):
        if name is not None and name not in header:
            raise ValueError(
                f"The {role} column {name!r} is not in {path}; its columns "
                f"are {header}."
            )
    keys = [c for c in (id_column, time_column) if c]
    names = _chosen_columns(header, columns, path, exclude=keys)
    overlap = set(names) & set(keys)
    if overlap or not names:
        raise ValueError(
            f"No feature columns left in {path}: the features must differ from "
            f"the id and time columns (features {names}, keys {keys})."
        )
    values = _numeric(header, body, names, path)
    ids = [row[header.index(id_column)].strip() for row in body]
    rows_of = {}
    for r, key in enumerate(ids):
        rows_of.setdefault(key, []).append(r)
    if time_column is not None:
        times = _sort_key(
            [row[header.index(time_column)].strip() for row in body]
        )
        for rows in rows_of.values():
            rows.sort(key=lambda r: times[r])
    return [values[rows] for rows in rows_of.values()], names


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
