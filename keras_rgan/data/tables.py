"""Users' tables (CSV and Parquet files, pandas DataFrames) to sequences.

A table has one row per time step. Its columns play roles: an optional id
column names each row's sequence, an optional time column orders the steps,
and the rest are features, numeric or categorical (text or integer codes).
Empty cells are missing values, kept as an observation mask. Files are read
by pandas (CSV, in chunks, so no Python list of cells is ever held) and
pyarrow (Parquet).
"""

import dataclasses
import os
import warnings

import numpy as np
import pandas as pd

CHUNK_ROWS = 100_000
MAX_CATEGORIES = 1000
MISSING_POLICIES = ("learn", "drop_sequences", "error")


def check_file(path):
    """Raises a clear error if `path` is not a non-empty file."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"No such file: {path}")
    if os.path.isdir(path):
        raise ValueError(f"Expected a file but {path} is a directory.")
    if os.path.getsize(path) == 0:
        raise ValueError(f"The file {path} is empty.")


def _compact(chunk, exact=()):
    """Float columns of a chunk as float32 (NaN where missing), so a table
    of numbers takes about the memory of its float32 array; the `exact`
    columns (times, ids) keep their precision."""
    for name in chunk.columns:
        column = chunk[name]
        if name in exact:
            continue
        if pd.api.types.is_float_dtype(column.dtype):
            chunk[name] = column.to_numpy(np.float32, na_value=np.nan)
    return chunk


def read_csv_frame(path, exact=()):
    """A CSV file (header row first) as a DataFrame, read in chunks.

    Numbers become float32 (int64 for whole-number columns without empty
    cells), text stays text and empty cells are missing values.

    Example:

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "t.csv")
    >>> with open(path, "w") as f:
    ...     _ = f.write("day,v\\n2024-01-01,1.5\\n2024-01-02,\\n")
    >>> frame = read_csv_frame(path)
    >>> list(frame.columns), frame["v"].isna().tolist()
    (['day', 'v'], [False, True])
    """
    check_file(path)
    chunks = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            reader = pd.read_csv(
                path,
                chunksize=CHUNK_ROWS,
                index_col=False,
                skipinitialspace=True,
                skip_blank_lines=True,
            )
            for chunk in reader:
                chunks.append(_compact(chunk, exact))
    except pd.errors.ParserWarning:
        raise ValueError(
            f"A row of {path} has more fields than its header names."
        ) from None
    except pd.errors.EmptyDataError:
        raise ValueError(f"The file {path} is empty.") from None
    except pd.errors.ParserError as error:
        raise ValueError(f"{path} is not a well-formed CSV: {error}") from None
    if not chunks or not sum(len(c) for c in chunks):
        raise ValueError(f"The CSV file {path} has a header but no data rows.")
    frame = (
        pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]
    )
    frame.columns = [str(name).strip() for name in frame.columns]
    return _file_rows(frame)


def read_parquet_frame(path, exact=()):
    """A Parquet file as a DataFrame; nested columns are refused by name.

    Example:

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "t.parquet")
    >>> pd.DataFrame({"v": [1.0, 2.0]}).to_parquet(path)
    >>> read_parquet_frame(path)["v"].dtype
    dtype('float32')
    """
    import pyarrow
    import pyarrow.parquet as pq

    check_file(path)
    try:
        parquet = pq.ParquetFile(path)
    except pyarrow.ArrowException as error:
        raise ValueError(f"{path} is not a Parquet file: {error}") from None
    nested = [
        field.name
        for field in parquet.schema_arrow
        if pyarrow.types.is_nested(field.type)
    ]
    if nested:
        raise ValueError(
            f"{path} has nested column(s) {nested}; flatten them into one "
            "column per value first."
        )
    chunks = [
        _compact(batch.to_pandas(), exact)
        for batch in parquet.iter_batches(batch_size=CHUNK_ROWS)
    ]
    if not chunks or not sum(len(c) for c in chunks):
        raise ValueError(f"The Parquet file {path} has no rows.")
    if len(chunks) == 1:
        return _file_rows(chunks[0])
    return _file_rows(pd.concat(chunks, ignore_index=True))


def read_frame(kind, path, exact=()):
    """The table `csv:PATH` or `parquet:PATH` names, as a DataFrame; the
    `exact` columns keep full precision."""
    if kind == "csv":
        return read_csv_frame(path, exact)
    return read_parquet_frame(path, exact)


def _row(table, position):
    """Where row `position` of a table is, for an error message: its line
    in the file a reader read (the header is row 1), else its index label
    in the user's DataFrame."""
    if table.attrs.get("rows") == "file":
        return f"row {position + 2}"
    return f"the row with index {table.index[position]!r}"


def _file_rows(frame):
    frame.attrs["rows"] = "file"
    return frame


def _first(mask):
    return int(np.flatnonzero(np.asarray(mask))[0])


def _numeric(series):
    return pd.api.types.is_numeric_dtype(
        series.dtype
    ) and not pd.api.types.is_bool_dtype(series.dtype)


@dataclasses.dataclass
class TableRoles:
    """Which columns of a table play which part.

    Example:

    >>> TableRoles(id_column="patient").keys()
    ['patient']
    """

    columns: list | None = None
    id_column: str | None = None
    time_column: str | None = None
    categorical_columns: list | None = None
    static_columns: list | None = None
    label_column: str | None = None

    def keys(self):
        """Columns that are not step features: id, time, per-sequence."""
        names = [self.id_column, self.time_column, self.label_column]
        return [c for c in names if c] + list(self.static_columns or ())

    def check(self, frame, name):
        """Every named column exists and no column plays two parts."""
        header = list(frame.columns)
        for role, column in (
            ("id", self.id_column),
            ("time", self.time_column),
            ("label", self.label_column),
        ):
            if column is not None and column not in header:
                raise ValueError(
                    f"The {role} column {column!r} is not in {name}; its "
                    f"columns are {header}."
                )
        for role, names in (
            ("Column(s)", self.columns),
            ("Categorical column(s)", self.categorical_columns),
            ("Static column(s)", self.static_columns),
        ):
            missing = [c for c in names or () if c not in header]
            if missing:
                raise ValueError(
                    f"{role} {missing} not found in {name}; its columns are "
                    f"{header}."
                )
        if (self.static_columns or self.label_column) and not self.id_column:
            raise ValueError(
                "static_columns and label_column hold one value per "
                "sequence: they need --id_column (the sequence of each row)."
            )

    def features(self, frame, name):
        """`(numeric, categorical)` feature names, in table order."""
        categorical = list(self.categorical_columns or ())
        keys = self.keys()
        if self.columns:
            chosen = list(self.columns)
        else:
            chosen = [c for c in frame.columns if c not in keys]
        clash = sorted(set(chosen) & set(keys))
        if clash or not chosen:
            raise ValueError(
                f"No feature columns left in {name}: the features must differ "
                f"from the id, time, label and static columns (features "
                f"{chosen}, those {keys})."
            )
        numeric = [c for c in chosen if c not in categorical]
        text = [c for c in numeric if not _numeric(frame[c])]
        if text:
            column = frame[text[0]]
            present = column.notna().to_numpy()
            where = ""
            if present.any():
                k = _first(present)
                where = f": {_row(column, k)} holds {column.iloc[k]!r}"
            raise ValueError(
                f"Column {text[0]!r} of {name} is not numeric{where} (text "
                f"columns: {text}). Pass them in --categorical_columns (or "
                "categorical=) to learn them as categories, or leave them "
                "out with --columns."
            )
        categorical = [c for c in chosen if c in categorical]
        return numeric, categorical

    def static_kinds(self, frame):
        """`(numeric, categorical)` static column names."""
        categorical = set(self.categorical_columns or ())
        static = list(self.static_columns or ())
        numeric = [
            c for c in static if c not in categorical and _numeric(frame[c])
        ]
        return numeric, [c for c in static if c not in numeric]


def time_values(column, name):
    """A time column as sortable int64 (ns since the epoch, for dates and
    datetimes) or float64 numbers, and its kind ("datetime" or "number").
    Unparseable values are an error naming the first offending row.

    Example:

    >>> values, kind = time_values(pd.Series(["2024-01-02", "2024-01-01"]), "t")
    >>> kind, bool(values[0] > values[1])
    ('datetime', True)
    """
    if column.isna().any():
        raise ValueError(
            f"The time column {column.name!r} of {name} has an empty cell at "
            f"{_row(column, _first(column.isna()))}."
        )
    if _numeric(column):
        return column.to_numpy(np.float64), "number"
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        parsed = column
    else:
        parsed = pd.to_datetime(
            column.astype(str), errors="coerce", format="ISO8601", utc=True
        )
        if parsed.isna().any():
            bad = _first(parsed.isna())
            raise ValueError(
                f"The time column {column.name!r} of {name} holds "
                f"{column.iloc[bad]!r} at {_row(column, bad)}: "
                "expected ISO dates (2024-01-31), datetimes "
                "(2024-01-31 09:30:00) or numbers."
            )
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    return parsed.to_numpy("datetime64[ns]").astype(np.int64), "datetime"


def vocabulary(column, name):
    """The sorted categories of a categorical column, as text; a column
    with one category or more than `MAX_CATEGORIES` is an error.

    Example:

    >>> vocabulary(pd.Series(["b", "a", None, "b"], name="c"), "t")
    ['a', 'b']
    """
    categories = sorted(set(_category_text(column).dropna()))
    if len(categories) < 2:
        raise ValueError(
            f"Categorical column {column.name!r} of {name} has "
            f"{len(categories)} category ({categories}): nothing to learn. "
            "Leave it out with --columns."
        )
    if len(categories) > MAX_CATEGORIES:
        raise ValueError(
            f"Categorical column {column.name!r} of {name} has "
            f"{len(categories)} categories, more than {MAX_CATEGORIES}: the "
            "generator would output a distribution over each of them at "
            "every step. If it is really numeric, leave it out of "
            "--categorical_columns; to learn it anyway, raise "
            "keras_rgan.data.tables.MAX_CATEGORIES."
        )
    return categories


def _text(value):
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))  # 1.0 and 1 are one category.
    return str(value)


def _category_text(column):
    """A categorical column's values as text (None where missing)."""
    present = column.notna()
    return column.where(present, None).map(_text, na_action="ignore")


def category_codes(column, categories, name):
    """int32 codes of a column's values in `categories`, -1 where missing;
    a value not in `categories` is an error."""
    text = _category_text(column)
    codes = pd.Categorical(text, categories=categories).codes.astype(np.int32)
    unknown = (codes < 0) & column.notna().to_numpy()
    if unknown.any():
        bad = _first(unknown)
        raise ValueError(
            f"Categorical column {column.name!r} of {name} holds "
            f"{column.iloc[bad]!r} at {_row(column, bad)}, a "
            f"category the model did not learn (it knows {categories[:20]})."
        )
    return codes


def order_rows(frame, roles, name):
    """Row positions grouped by sequence (ids in order of first appearance)
    and ordered by time within each, and each sequence's row count.

    Duplicate times within a sequence are an error naming the first
    offending row.
    """
    num_rows = len(frame)
    if roles.id_column:
        ids = frame[roles.id_column]
        if ids.isna().any():
            raise ValueError(
                f"The id column {roles.id_column!r} of {name} has an empty "
                f"cell at {_row(frame, _first(ids.isna()))}."
            )
        codes, _ = pd.factorize(ids, sort=False)
    else:
        codes = np.zeros(num_rows, np.int64)
    if roles.time_column:
        times, _ = time_values(frame[roles.time_column], name)
        order = np.lexsort((times, codes))
        same = (np.diff(codes[order]) == 0) & (np.diff(times[order]) == 0)
        if same.any():
            k = _first(same)
            first, second = sorted(order[k : k + 2])
            raise ValueError(
                f"Duplicate time {frame[roles.time_column].iloc[second]} "
                f"in one sequence of {name}: {_row(frame, first)} and "
                f"{_row(frame, second)}."
            )
    else:
        order = np.argsort(codes, kind="stable")
    counts = np.bincount(codes)
    return order, counts


def integer_grid(values):
    """`(offset, step)` of the grid whole-number values lie on (step 1 for
    counts; 5 for values that are all multiples of 5), or None when some
    value is not a whole number.

    >>> integer_grid(np.array([10.0, 25.0, np.nan, 5.0]))
    (5, 5)
    """
    observed = values[~np.isnan(values)].astype(np.float64)
    if not len(observed) or (observed != np.round(observed)).any():
        return None
    whole = observed.astype(np.int64)
    offset = int(whole.min())
    step = int(np.gcd.reduce(whole - offset)) or 1
    return offset, step


@dataclasses.dataclass
class TimeAxis:
    """How a table's time column runs, to continue it in generated tables.

    Attributes:
        column: str. The time column's name.
        kind: "datetime" (int64 ns since the epoch) or "number".
        step: float or None. The spacing when every gap is equal.
        frequency: str or None. A pandas frequency ("B", "D", "h") when
            the dates follow one.
        starts: list of float. Start times of (up to 1,000) sequences.
        gaps: list of float. Gaps between steps (up to 1,000 drawn).
    """

    column: str
    kind: str
    step: float | None
    frequency: str | None
    starts: list
    gaps: list


def _sample(values, size=1000):
    values = np.asarray(values, np.float64)
    if len(values) > size:
        values = np.random.default_rng(0).choice(values, size, replace=False)
    return values.tolist()


def time_axis(column, times, kind, sequence_starts, sequence_rows):
    """The `TimeAxis` of sorted `times`: each output sequence's start and
    the gaps within sequences."""
    gaps = np.concatenate(
        [np.diff(times[rows]) for rows in sequence_rows if len(rows) > 1]
        or [np.zeros(0)]
    )
    step = float(gaps[0]) if len(gaps) and (gaps == gaps[0]).all() else None
    frequency = None
    if kind == "datetime" and step is None and len(gaps):
        longest = max(sequence_rows, key=len)
        if len(longest) >= 3:
            index = pd.DatetimeIndex(times[longest], freq="infer")
            frequency = index.freqstr
    return TimeAxis(
        column, kind, step, frequency, _sample(sequence_starts), _sample(gaps)
    )


@dataclasses.dataclass
class TableSequences:
    """A table cut into sequences of `seq_len` steps.

    Attributes:
        values: float32 `(n, seq_len, len(numeric))`, original units, 0
            where missing or padded.
        codes: int32 `(n, seq_len, len(categorical))`, -1 where missing.
        observed: bool `(n, seq_len, features)` (numeric, then
            categorical), or None when no cell is missing.
        lengths: int32 `(n,)`, or None when every sequence is full.
        numeric, categorical: the feature names of each kind.
        vocabularies: the sorted categories of each categorical column.
        integer_grids: `{name: (offset, step)}` of whole-number columns.
        time: a `TimeAxis`, or None without a time column.
        static: a `StaticColumns` of the per-sequence attributes, or None.
        labels: int32 `(n,)` codes of the label column, or None.
        label_vocabulary: the label column's sorted categories, or None.
    """

    values: np.ndarray
    codes: np.ndarray
    observed: np.ndarray | None
    lengths: np.ndarray | None
    numeric: list
    categorical: list
    vocabularies: list
    integer_grids: dict
    time: TimeAxis | None
    static: "StaticColumns | None" = None
    labels: np.ndarray | None = None
    label_vocabulary: list | None = None


@dataclasses.dataclass
class StaticColumns:
    """Per-sequence attributes of a table's sequences.

    Attributes:
        numeric, categorical: the static column names of each kind.
        vocabularies: the sorted categories of each categorical one.
        integer_grids: `{name: (offset, step)}` of whole-number ones.
        values: float32 `(n, len(numeric))`, original units.
        codes: int32 `(n, len(categorical))`.
    """

    numeric: list
    categorical: list
    vocabularies: list
    integer_grids: dict
    values: np.ndarray
    codes: np.ndarray

    def subset(self, keep):
        return dataclasses.replace(
            self, values=self.values[keep], codes=self.codes[keep]
        )


def per_sequence(frame, column, order, bounds, name, id_column, role):
    """The one value a per-sequence (static or label) column holds in each
    sequence, sequences in sorted order; a value that varies within a
    sequence, or a missing one, is an error naming the sequence."""
    values = frame[column].iloc[order]
    missing = values.isna().to_numpy()
    ids = frame[id_column].iloc[order].to_numpy()
    if missing.any():
        k = _first(missing)
        raise ValueError(
            f"The {role} column {column!r} of {name} has an empty cell at "
            f"{_row(frame, int(order[k]))} (sequence {ids[k]!r}); every "
            "sequence needs its value."
        )
    plain = values.to_numpy()
    first = plain[bounds[:-1]]
    same = plain == np.repeat(first, np.diff(bounds))
    if not same.all():
        k = _first(~same)
        raise ValueError(
            f"The {role} column {column!r} of {name} varies within sequence "
            f"{ids[k]!r}: {first[np.searchsorted(bounds, k, 'right') - 1]!r} "
            f"and {plain[k]!r} ({_row(frame, int(order[k]))}). A {role} "
            "column holds one value per sequence; pass a column that changes "
            "over time as a feature."
        )
    return values.iloc[bounds[:-1]].reset_index(drop=True)


def _cut(rows, seq_len, stride):
    """`(start, length)` pieces of one sequence's rows: windows of a long
    one, the whole of a short one."""
    count = len(rows)
    if count < seq_len:
        return [(0, count)]
    return [(s, seq_len) for s in range(0, count - seq_len + 1, stride)]


def sequences_from_frame(
    frame, roles, seq_len, stride=1, missing="learn", name="the table"
):
    """Cuts a table into sequences: grouped by id, ordered by time, long
    sequences windowed and short ones padded, categories encoded, missing
    cells masked (`missing="learn"`), dropped with their sequences
    (`"drop_sequences"`) or refused (`"error"`).

    Example:

    >>> frame = pd.DataFrame({"t": [2, 1, 3, 4], "v": [2.0, 1.0, None, 4.0],
    ...                       "c": ["x", "y", "x", "x"]})
    >>> table = sequences_from_frame(
    ...     frame, TableRoles(time_column="t", categorical_columns=["c"]), 3)
    >>> table.values[..., 0].tolist(), table.codes[..., 0].tolist()
    ([[1.0, 2.0, 0.0], [2.0, 0.0, 4.0]], [[1, 0, 0], [0, 0, 0]])
    >>> table.observed[..., 0].tolist()
    [[True, True, False], [True, False, True]]
    """
    if missing not in MISSING_POLICIES:
        raise ValueError(
            f"missing must be one of {', '.join(MISSING_POLICIES)}, got "
            f"{missing!r}."
        )
    if seq_len < 2 or stride < 1:
        raise ValueError(
            f"seq_len must be at least 2 and stride positive, got {seq_len} "
            f"and {stride}."
        )
    if not len(frame):
        raise ValueError(f"{name} has no rows.")
    roles.check(frame, name)
    if not roles.id_column and len(frame) < seq_len:
        raise ValueError(
            f"{name} has {len(frame)} rows, fewer than seq_len={seq_len}."
        )
    numeric, categorical = roles.features(frame, name)
    for column in numeric + categorical:
        if frame[column].isna().all():
            raise ValueError(
                f"Column {column!r} of {name} is entirely missing: leave it "
                "out with --columns."
            )
    if missing == "error":
        for column in numeric + categorical:
            empty = frame[column].isna()
            if empty.any():
                raise ValueError(
                    f"Column {column!r} of {name} has an empty cell at "
                    f"{_row(frame, _first(empty))} (--missing=error; "
                    "--missing=learn learns missing values)."
                )
    vocabularies = [vocabulary(frame[c], name) for c in categorical]
    order, counts = order_rows(frame, roles, name)
    values = np.empty((len(frame), len(numeric)), np.float32)
    for k, column in enumerate(numeric):
        values[:, k] = frame[column].to_numpy(np.float32, na_value=np.nan)
    values = values[order]
    codes = np.stack(
        [
            category_codes(frame[c], v, name)
            for c, v in zip(categorical, vocabularies)
        ]
        or [np.zeros(len(frame), np.int32)],
        axis=1,
    )[order][:, : len(categorical)]
    bounds = np.concatenate([[0], np.cumsum(counts)])
    pieces = [
        (i, bounds[i] + start, length)
        for i in range(len(counts))
        for start, length in _cut(range(counts[i]), seq_len, stride)
    ]
    groups = np.array([p[0] for p in pieces], np.int64)
    starts = np.array([p[1] for p in pieces], np.int64)
    lengths = np.array([p[2] for p in pieces], np.int32)
    static = _static_columns(frame, roles, order, bounds, name)
    labels = label_vocabulary = None
    if roles.label_column:
        label_values = per_sequence(
            frame,
            roles.label_column,
            order,
            bounds,
            name,
            roles.id_column,
            "label",
        )
        label_vocabulary = vocabulary(frame[roles.label_column], name)
        labels = category_codes(label_values, label_vocabulary, name)[groups]
    if static is not None:
        static = static.subset(groups)
    index = starts[:, None] + np.minimum(
        np.arange(seq_len)[None, :], lengths[:, None] - 1
    )
    on = np.arange(seq_len)[None, :] < lengths[:, None]
    sequences = np.where(on[..., None], values[index], 0.0).astype(np.float32)
    sequence_codes = np.where(on[..., None], codes[index], 0).astype(np.int32)
    observed = (
        np.concatenate([~np.isnan(sequences), sequence_codes >= 0], axis=-1)
        | ~on[..., None]
    )
    sequences = np.nan_to_num(sequences, nan=0.0)
    if missing == "drop_sequences":
        keep = observed.all(axis=(1, 2))
        if not keep.any():
            raise ValueError(
                f"Every sequence of {name} has a missing cell: nothing is "
                "left with --missing=drop_sequences."
            )
        sequences, sequence_codes = sequences[keep], sequence_codes[keep]
        observed, lengths, starts = observed[keep], lengths[keep], starts[keep]
        if static is not None:
            static = static.subset(keep)
        if labels is not None:
            labels = labels[keep]
    time = None
    if roles.time_column:
        times, kind = time_values(frame[roles.time_column], name)
        times = times[order]
        rows = [np.arange(bounds[i], bounds[i + 1]) for i in range(len(counts))]
        time = time_axis(roles.time_column, times, kind, times[starts], rows)
    return TableSequences(
        values=sequences,
        codes=np.maximum(sequence_codes, -1),
        observed=None if observed.all() else observed,
        lengths=None if (lengths == seq_len).all() else lengths,
        numeric=numeric,
        categorical=categorical,
        vocabularies=vocabularies,
        integer_grids={
            c: grid
            for c in numeric
            if (grid := integer_grid(values[:, numeric.index(c)])) is not None
        },
        time=time,
        static=static,
        labels=labels,
        label_vocabulary=label_vocabulary,
    )


def _static_columns(frame, roles, order, bounds, name):
    """The `StaticColumns` of each sequence (in sorted order), or None."""
    if not roles.static_columns:
        return None
    numeric, categorical = roles.static_kinds(frame)

    def values(column):
        return per_sequence(
            frame, column, order, bounds, name, roles.id_column, "static"
        )

    vocabularies = [vocabulary(frame[c], name) for c in categorical]
    count = len(bounds) - 1
    numbers = np.stack(
        [values(c).to_numpy(np.float32) for c in numeric]
        or [np.zeros(count, np.float32)],
        axis=1,
    )[:, : len(numeric)]
    codes = np.stack(
        [
            category_codes(values(c), v, name)
            for c, v in zip(categorical, vocabularies)
        ]
        or [np.zeros(count, np.int32)],
        axis=1,
    )[:, : len(categorical)]
    grids = {
        c: grid
        for k, c in enumerate(numeric)
        if (grid := integer_grid(numbers[:, k])) is not None
    }
    return StaticColumns(
        numeric, categorical, vocabularies, grids, numbers, codes
    )
