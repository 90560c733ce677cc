"""Training windows streamed from a CSV file too large to load whole.

`csv_statistics` makes one pass over the file (row count, per-column min and
max, a check that every value is a finite number); `stream_windows` then
reads the file again every epoch in chunks, cuts each chunk (with the tail
of the previous one) into windows with `tf.signal.frame`, scales them and
shuffles them in a bounded buffer. Memory stays flat as the file grows.
"""

import csv
import dataclasses

import numpy as np
import tensorflow as tf

from keras_rgan.data.readers import _check_file
from keras_rgan.data.readers import _chosen_columns

CHUNK_ROWS = 8192


def csv_header(path):
    """The column names of a CSV file's first row."""
    _check_file(path)
    with open(path, newline="") as f:
        header = next(csv.reader(f), None)
    if not header:
        raise ValueError(f"The file {path} is empty.")
    return [name.strip() for name in header]


def _rows(path, columns, num_rows=None):
    """A dataset of float32 chunks `(<= CHUNK_ROWS, len(columns))` of the
    file's first `num_rows` rows (None: all)."""
    header = csv_header(path)
    names = _chosen_columns(header, columns, path)
    indices = [header.index(name) for name in names]
    order = np.argsort(indices)  # CsvDataset yields columns in file order.
    rows = tf.data.experimental.CsvDataset(
        path,
        record_defaults=[tf.float32] * len(indices),
        header=True,
        select_cols=sorted(indices),
    )
    if num_rows is not None:
        rows = rows.take(num_rows)  # Row by row, before chunking.
    rows = rows.batch(CHUNK_ROWS)
    inverse = np.argsort(order)
    return rows.map(
        lambda *columns: tf.gather(tf.stack(columns, axis=1), inverse, axis=1)
    ), names


@dataclasses.dataclass
class CSVStatistics:
    """One pass over a CSV file: rows, feature names, per-column min and max."""

    num_rows: int
    feature_names: list
    data_min: np.ndarray
    data_max: np.ndarray


def csv_statistics(path, columns=None, num_rows=None):
    """Counts the rows of a CSV file and finds each column's min and max.

    Reads the file once in chunks (never whole). A value that is not a
    number, NaN or inf is an error naming the file.

    Args:
        path: str. CSV file with a header row; rows are time steps.
        columns: list of str or None. Columns to use (None: all).
        num_rows: int or None. Use only the first `num_rows` rows.

    Returns:
        A `CSVStatistics`.

    Example:

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "steps.csv")
    >>> with open(path, "w") as f:
    ...     _ = f.write("a,b\\n1,5\\n3,4\\n")
    >>> stats = csv_statistics(path)
    >>> stats.num_rows, stats.data_min.tolist(), stats.data_max.tolist()
    (2, [1.0, 4.0], [3.0, 5.0])
    """
    chunks, names = _rows(path, columns, num_rows)
    width = len(names)

    def update(state, chunk):
        count, low, high, finite = state
        return (
            count + tf.shape(chunk, out_type=tf.int64)[0],
            tf.minimum(low, tf.reduce_min(chunk, axis=0)),
            tf.maximum(high, tf.reduce_max(chunk, axis=0)),
            tf.logical_and(finite, tf.reduce_all(tf.math.is_finite(chunk))),
        )

    initial = (
        tf.constant(0, tf.int64),
        tf.fill([width], np.inf),
        tf.fill([width], -np.inf),
        tf.constant(True),
    )
    try:
        count, low, high, finite = chunks.reduce(initial, update)
    except tf.errors.InvalidArgumentError as error:
        raise ValueError(
            f"{path} holds a value that is not a number: {error.message}"
        ) from None
    if int(count) == 0:
        raise ValueError(f"The CSV file {path} has a header but no data rows.")
    if not bool(finite):
        raise ValueError(f"{path} holds NaN or inf values.")
    return CSVStatistics(
        int(count),
        names,
        low.numpy().astype(np.float64),
        high.numpy().astype(np.float64),
    )


def stream_windows(
    path,
    seq_len,
    batch_size,
    scaler,
    columns=None,
    stride=1,
    num_rows=None,
    shuffle_buffer=10_000,
    seed=None,
):
    """Scaled, shuffled, batched windows of a CSV file, read as a stream.

    Windows are those of `make_windows` (every `seq_len` consecutive rows
    starting at a multiple of `stride`); the file is read in chunks each
    epoch, so memory does not grow with it.

    Args:
        path: str. CSV file with a header row; rows are time steps.
        seq_len: int. Steps per window.
        batch_size: int. Windows per batch (static batch shape).
        scaler: a fitted `MinMaxScaler` applied to every window, or None.
        columns: list of str or None. Columns to use (None: all).
        stride: int in `[1, seq_len]`. Steps between window starts.
        num_rows: int or None. Use only the first `num_rows` rows.
        shuffle_buffer: int. Windows held for shuffling.
        seed: int or None. Shuffle seed.

    Returns:
        A `tf.data.Dataset` of float32 `(batch_size, seq_len, features)`.

    Example:

    >>> import tempfile, os
    >>> from keras_rgan.data import MinMaxScaler
    >>> path = os.path.join(tempfile.mkdtemp(), "steps.csv")
    >>> with open(path, "w") as f:
    ...     _ = f.write("a\\n" + "".join(f"{i}\\n" for i in range(10)))
    >>> scaler = MinMaxScaler(data_min=[0.0], data_max=[9.0])
    >>> ds = stream_windows(path, seq_len=4, batch_size=7, scaler=scaler,
    ...                     shuffle_buffer=1)
    >>> (next(iter(ds)).numpy()[:, 0, 0] * 9).round().tolist()
    [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    """
    if not 1 <= stride <= seq_len:
        raise ValueError(
            f"stride must be in [1, seq_len={seq_len}], got {stride}."
        )
    chunks, names = _rows(path, columns, num_rows)
    width = len(names)

    def cut(carry, chunk):
        rows = tf.concat([carry, chunk], axis=0)
        count = tf.maximum(0, (tf.shape(rows)[0] - seq_len) // stride + 1)
        windows = tf.signal.frame(rows, seq_len, stride, pad_end=False, axis=0)[
            :count
        ]
        return rows[count * stride :], windows

    windows = chunks.scan(tf.zeros([0, width], tf.float32), cut).unbatch()
    if scaler is not None:
        windows = windows.map(
            lambda w: tf.cast(scaler.transform(w), tf.float32),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    if shuffle_buffer > 1:
        windows = windows.shuffle(
            shuffle_buffer, seed=seed, reshuffle_each_iteration=True
        )
    return windows.batch(batch_size, drop_remainder=True).prefetch(
        tf.data.AUTOTUNE
    )


def num_windows(num_rows, seq_len, stride=1):
    """How many windows `num_rows` rows give (as `make_windows`)."""
    return max(0, (num_rows - seq_len) // stride + 1)


@dataclasses.dataclass
class StreamSplit:
    """How a streamed series splits: the training windows and the rows they
    span (the held-out tail, and the windows overlapping it, are left out).
    """

    num_rows: int
    train_windows: int
    train_rows: int


def plan_split(path, seq_len, stride, holdout_fraction):
    """Counts a CSV series' rows and splits its windows as
    `holdout_split` splits loaded windows (the last `holdout_fraction` held
    out, the windows overlapping them dropped).

    Example:

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "steps.csv")
    >>> with open(path, "w") as f:
    ...     _ = f.write("a\\n" + "".join(f"{i}\\n" for i in range(30)))
    >>> plan_split(path, seq_len=4, stride=1, holdout_fraction=0.1)
    StreamSplit(num_rows=30, train_windows=21, train_rows=24)
    """
    _check_file(path)
    if not 0 <= holdout_fraction < 1:
        raise ValueError(
            f"The holdout fraction must be in [0, 1), got {holdout_fraction}."
        )
    with open(path, "rb") as f:
        num_rows = sum(1 for line in f if line.strip()) - 1
    total = num_windows(num_rows, seq_len, stride)
    overlap = -(-(seq_len - 1) // stride)
    held_out = int(round(holdout_fraction * total))
    train_windows = max(0, total - held_out - (overlap if held_out else 0))
    train_rows = (train_windows - 1) * stride + seq_len
    return StreamSplit(num_rows, train_windows, train_rows)
