"""Training windows streamed from a CSV or Parquet series too large to load.

The file (rows are time steps, numeric columns) is read with pyarrow's
streaming readers, never whole: `pyarrow.csv.open_csv` (float32 columns,
only the chosen ones) or `pyarrow.parquet.ParquetFile.iter_batches`.
`plan_split` counts the rows (a Parquet file's metadata holds the count) and
splits the windows as `holdout_split` splits loaded ones; `series_statistics`
makes one pass for each column's min and max, checking every value is a
finite number; `stream_windows` reads the training rows again every epoch.

Each chunk of rows is scaled, cut into the windows `make_windows` gives
(carrying the previous chunk's tail across the boundary), shuffled with the
windows held in a buffer of `shuffle_buffer` windows and batched, all with
whole-array NumPy operations in one Python generator that tf.data prefetches
while the model trains. Memory stays flat as the file grows: it holds one
chunk, its windows and the shuffle buffer.
"""

import csv
import dataclasses
import itertools
import re

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import tensorflow as tf

from keras_rgan.data.readers import _check_file
from keras_rgan.data.readers import _chosen_columns

FILE_FORMATS = ("csv", "parquet")
CHUNK_ROWS = 65_536  # Rows read, checked and scaled at a time.
SLICE_BYTES = 4 << 20  # Windows materialised (and shuffled in) at a time.
CSV_BLOCK_BYTES = 1 << 20
MISSING_HINT = (
    "streaming does not support missing values yet; load it without "
    "--stream to learn missing values"
)


def _check_format(file_format):
    if file_format not in FILE_FORMATS:
        raise ValueError(
            f"Unknown file format {file_format!r}; expected one of "
            f"{', '.join(FILE_FORMATS)}."
        )


def _csv_header(path):
    """The raw column names of a CSV file's first row."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        header = next(csv.reader(f), None)
    if not header or not any(name.strip() for name in header):
        raise ValueError(f"The file {path} is empty.")
    return header


def _parquet_file(path):
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise ValueError(f"{path} is not a Parquet file: {error}") from None


def _parquet_columns(parquet):
    """The columns of a Parquet file, without a pandas index stored as a
    column."""
    schema = parquet.schema_arrow
    index = (schema.pandas_metadata or {}).get("index_columns", [])
    return [name for name in schema.names if name not in index]


@dataclasses.dataclass
class _Source:
    """A file's chosen columns: names as shown (stripped) and as stored."""

    path: str
    file_format: str
    names: list
    stored: list


def _source(path, columns, file_format):
    """Checks the file and the chosen columns (None: every column)."""
    _check_format(file_format)
    _check_file(path)
    if file_format == "csv":
        stored = _csv_header(path)
        header = [name.strip() for name in stored]
    else:
        parquet = _parquet_file(path)
        stored = header = _parquet_columns(parquet)
    names = _chosen_columns(header, columns, path)
    source = _Source(
        path, file_format, names, [stored[header.index(n)] for n in names]
    )
    if file_format == "parquet":
        schema = parquet.schema_arrow
        for name in source.stored:
            kind = schema.field(name).type
            if pa.types.is_nested(kind):
                raise ValueError(
                    f"Column {name!r} of {path} is nested ({kind}); streaming "
                    "reads flat numeric columns: choose others with --columns."
                )
            if not (
                pa.types.is_integer(kind)
                or pa.types.is_floating(kind)
                or pa.types.is_decimal(kind)
            ):
                raise ValueError(
                    f"Column {name!r} of {path} is not numeric ({kind}); "
                    "choose numeric columns with --columns."
                )
    return source


def _csv_error(path, header, error):
    """A pyarrow CSV error as a `ValueError` naming the file and column."""
    message = str(error)
    column = re.search(r"CSV column #(\d+)", message)
    value = re.search(r"invalid value '(.*)'", message)
    if column and value and int(column.group(1)) < len(header):
        name = header[int(column.group(1))].strip()
        return ValueError(
            f"Column {name!r} of {path} holds a value that is not a "
            f"number: {value.group(1)!r}."
        )
    return ValueError(f"{path} could not be read as CSV: {message}")


def _batches(source):
    """The file's record batches of the chosen columns, read as a stream."""
    stored = source.stored
    if source.file_format == "parquet":
        parquet = _parquet_file(source.path)
        yield from parquet.iter_batches(batch_size=CHUNK_ROWS, columns=stored)
        return
    header = _csv_header(source.path)
    options = pa_csv.ConvertOptions(
        column_types={name: pa.float32() for name in stored},
        include_columns=stored,
    )
    try:
        with pa_csv.open_csv(
            source.path,
            read_options=pa_csv.ReadOptions(block_size=CSV_BLOCK_BYTES),
            convert_options=options,
        ) as reader:
            yield from reader
    except pa.ArrowInvalid as error:
        raise _csv_error(source.path, header, error) from None


def _first_row(mask):
    return int(np.flatnonzero(mask)[0])


def _chunks(source, num_rows=None):
    """Float32 arrays `(<= CHUNK_ROWS, len(source.names))` of the file's
    first `num_rows` rows (None: all), each value checked."""
    seen = 0
    for batch in _batches(source):
        if num_rows is not None:
            batch = batch.slice(0, max(0, num_rows - seen))
        if not batch.num_rows:
            break
        chunk = np.empty((batch.num_rows, len(source.names)), np.float32)
        for j, (name, stored) in enumerate(zip(source.names, source.stored)):
            column = batch.column(stored)
            if column.null_count:
                row = seen + _first_row(column.is_null().to_numpy(False))
                raise ValueError(
                    f"Column {name!r} of {source.path} has a missing value "
                    f"(empty or NaN) at data row {row + 1}: {MISSING_HINT}."
                )
            chunk[:, j] = column.to_numpy(zero_copy_only=False)
        finite = np.isfinite(chunk)
        if not finite.all():
            row, j = np.argwhere(~finite)[0]
            what = "NaN" if np.isnan(chunk[row, j]) else "an infinite value"
            hint = f": {MISSING_HINT}" if what == "NaN" else ""
            raise ValueError(
                f"Column {source.names[j]!r} of {source.path} holds {what} "
                f"at data row {seen + row + 1}{hint}."
            )
        for start in range(0, len(chunk), CHUNK_ROWS):
            yield chunk[start : start + CHUNK_ROWS]
        seen += len(chunk)
        if num_rows is not None and seen >= num_rows:
            break


def count_rows(path, file_format="csv"):
    """The data rows of a CSV (header excluded, blank lines skipped) or
    Parquet file: from a Parquet file's metadata, or counted by pyarrow's
    streaming CSV reader parsing one column as text.

    Example:

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "steps.csv")
    >>> with open(path, "w") as f:
    ...     _ = f.write("a,b\\n1,5\\n\\n3,4\\n")
    >>> count_rows(path)
    2
    """
    _check_format(file_format)
    _check_file(path)
    if file_format == "parquet":
        return _parquet_file(path).metadata.num_rows
    header = _csv_header(path)
    first = header[:1]
    options = pa_csv.ConvertOptions(
        column_types={name: pa.string() for name in first},
        include_columns=first,
    )
    try:
        with pa_csv.open_csv(
            path,
            read_options=pa_csv.ReadOptions(block_size=16 * CSV_BLOCK_BYTES),
            convert_options=options,
        ) as reader:
            return sum(batch.num_rows for batch in reader)
    except pa.ArrowInvalid as error:
        raise _csv_error(path, header, error) from None


@dataclasses.dataclass
class SeriesStatistics:
    """One pass over a series file: rows, feature names, per-column min and
    max."""

    num_rows: int
    feature_names: list
    data_min: np.ndarray
    data_max: np.ndarray


def series_statistics(path, columns=None, num_rows=None, file_format="csv"):
    """Counts a series file's rows and finds each column's min and max.

    Reads the file once in chunks (never whole). A missing value (empty or
    NaN), a value that is not a number or an infinite one is an error naming
    the file and the column.

    Args:
        path: str. CSV file with a header row, or Parquet file; rows are time
            steps.
        columns: list of str or None. Columns to use (None: all).
        num_rows: int or None. Use only the first `num_rows` rows.
        file_format: str. "csv" or "parquet".

    Returns:
        A `SeriesStatistics`.

    Example:

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "steps.csv")
    >>> with open(path, "w") as f:
    ...     _ = f.write("a,b\\n1,5\\n3,4\\n")
    >>> stats = series_statistics(path)
    >>> stats.num_rows, stats.data_min.tolist(), stats.data_max.tolist()
    (2, [1.0, 4.0], [3.0, 5.0])
    """
    source = _source(path, columns, file_format)
    count = 0
    low = np.full(len(source.names), np.inf, np.float32)
    high = np.full(len(source.names), -np.inf, np.float32)
    for chunk in _chunks(source, num_rows):
        count += len(chunk)
        np.minimum(low, chunk.min(axis=0), out=low)
        np.maximum(high, chunk.max(axis=0), out=high)
    if count == 0:
        raise ValueError(f"{path} has no data rows.")
    return SeriesStatistics(
        count, source.names, low.astype(np.float64), high.astype(np.float64)
    )


def _windows(chunks, seq_len, stride, width):
    """The windows of consecutive chunks of rows, as `make_windows` cuts the
    whole series: arrays `(k, seq_len, width)` of at most `SLICE_BYTES`."""
    carry = np.zeros((0, width), np.float32)
    offsets = np.arange(seq_len)
    per_slice = max(1, SLICE_BYTES // (seq_len * width * 4))
    for chunk in chunks:
        rows = np.concatenate([carry, chunk]) if len(carry) else chunk
        count = max(0, (len(rows) - seq_len) // stride + 1)
        for first in range(0, count, per_slice):
            starts = np.arange(first, min(count, first + per_slice)) * stride
            yield rows[starts[:, None] + offsets]
        carry = rows[count * stride :]


def _shuffled(window_slices, buffer_size, rng):
    """Window slices reordered through a buffer of `buffer_size` windows:
    each incoming slice joins the buffer and as many windows as it brought
    leave it, drawn at random (as `Dataset.shuffle`, a slice at a time)."""
    if buffer_size <= 1:
        yield from window_slices
        return
    held = None
    for windows in window_slices:
        pool = windows if held is None else np.concatenate([held, windows])
        leaving = len(pool) - buffer_size
        if leaving <= 0:
            held = pool
            continue
        order = rng.permutation(len(pool))
        yield pool[order[:leaving]]
        held = pool[order[leaving:]]
    if held is not None:
        yield held[rng.permutation(len(held))]


def _batched(window_slices, batch_size):
    """Full batches of the windows, as arrays `(m, batch_size, ...)`; the
    last windows short of a batch are dropped."""
    pending, count = [], 0
    for windows in window_slices:
        pending.append(windows)
        count += len(windows)
        if count < batch_size:
            continue
        windows = np.concatenate(pending) if len(pending) > 1 else windows
        full = count // batch_size * batch_size
        yield windows[:full].reshape(-1, batch_size, *windows.shape[1:])
        pending = [windows[full:]]
        count -= full


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
    file_format="csv",
):
    """Scaled, shuffled, batched windows of a series file, read as a stream.

    Windows are those of `make_windows` (every `seq_len` consecutive rows
    starting at a multiple of `stride`); the file is read in chunks each
    epoch, so memory does not grow with it. Each iteration of the dataset
    is a new epoch, shuffled anew; with a seed, the same epochs every run.

    Args:
        path: str. CSV file with a header row, or Parquet file; rows are time
            steps.
        seq_len: int. Steps per window.
        batch_size: int. Windows per batch (static batch shape).
        scaler: a fitted `MinMaxScaler` applied to every row, or None.
        columns: list of str or None. Columns to use (None: all).
        stride: int in `[1, seq_len]`. Steps between window starts.
        num_rows: int or None. Use only the first `num_rows` rows.
        shuffle_buffer: int. Windows held for shuffling (1: file order).
        seed: int or None. Shuffle seed.
        file_format: str. "csv" or "parquet".

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
    source = _source(path, columns, file_format)
    width = len(source.names)
    epochs = itertools.count()

    def generate():
        epoch = next(epochs)
        rng = np.random.default_rng(None if seed is None else [seed, epoch])
        chunks = _chunks(source, num_rows)
        if scaler is not None:
            chunks = (scaler.transform(chunk) for chunk in chunks)
        windows = _windows(chunks, seq_len, stride, width)
        yield from _batched(_shuffled(windows, shuffle_buffer, rng), batch_size)

    batches = tf.data.Dataset.from_generator(
        generate,
        output_signature=tf.TensorSpec(
            (None, batch_size, seq_len, width), tf.float32
        ),
    )
    return batches.unbatch().prefetch(tf.data.AUTOTUNE)


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


def plan_split(path, seq_len, stride, holdout_fraction, file_format="csv"):
    """Counts a series' rows (`count_rows`) and splits its windows as
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
    if not 0 <= holdout_fraction < 1:
        raise ValueError(
            f"The holdout fraction must be in [0, 1), got {holdout_fraction}."
        )
    num_rows = count_rows(path, file_format)
    if num_rows < seq_len:
        raise ValueError(
            f"{path} has {num_rows} rows, fewer than seq_len={seq_len}."
        )
    total = num_windows(num_rows, seq_len, stride)
    overlap = -(-(seq_len - 1) // stride)
    held_out = int(round(holdout_fraction * total))
    train_windows = max(0, total - held_out - (overlap if held_out else 0))
    train_rows = (train_windows - 1) * stride + seq_len
    return StreamSplit(num_rows, train_windows, train_rows)
