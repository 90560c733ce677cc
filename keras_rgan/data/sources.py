"""Dataset specs ("sines", "stocks", "csv:PATH", "npy:PATH", "npz:PATH",
"tfds:NAME") to arrays."""

import dataclasses

import numpy as np

from keras_rgan.data import tables
from keras_rgan.data.checks import check_sequences
from keras_rgan.data.readers import read_npy
from keras_rgan.data.readers import read_npz
from keras_rgan.data.schema import TableSchema
from keras_rgan.data.sines import sine_waves
from keras_rgan.data.stocks import load_stocks
from keras_rgan.data.tfds_source import load_tfds
from keras_rgan.data.windowing import make_windows
from keras_rgan.data.windowing import step_mask

DATASET_KINDS = (
    "sines",
    "stocks",
    "csv:PATH",
    "parquet:PATH",
    "npy:PATH",
    "npz:PATH",
    "tfds:NAME",
)


@dataclasses.dataclass
class SequenceData:
    """Sequences in original units, with the names of their features and,
    for labelled data, one integer label per sequence; for variable-length
    data, each sequence's length (its steps past the length are zero). A
    table (CSV, Parquet, DataFrame) also has its `schema`, category codes
    and, where cells are missing, the observed mask.

    Example:

    >>> data = SequenceData(np.ones((3, 4, 1), "float32"), ["x"],
    ...                     lengths=np.array([2, 4, 1]))
    >>> data.valid_steps().shape, data.subset(slice(0, 2)).lengths.tolist()
    ((7, 1), [2, 4])
    """

    sequences: np.ndarray  # float32 (n, seq_len, num_features)
    feature_names: list
    labels: np.ndarray | None = None  # int (n,)
    lengths: np.ndarray | None = None  # int32 (n,), in [1, seq_len]
    schema: TableSchema | None = None
    codes: np.ndarray | None = None  # int32 (n, seq_len, categorical)
    observed: np.ndarray | None = None  # bool (n, seq_len, columns)
    static: tables.StaticColumns | None = None  # per-sequence attributes

    def subset(self, index):
        """The sequences (with labels, lengths, codes and observed flags)
        at `index` (a slice or an array of indices)."""
        pick = lambda a: None if a is None else a[index]  # noqa: E731
        return SequenceData(
            self.sequences[index],
            self.feature_names,
            pick(self.labels),
            pick(self.lengths),
            self.schema,
            pick(self.codes),
            pick(self.observed),
            None if self.static is None else self.static.subset(index),
        )

    def valid_steps(self):
        """Every step that is not padding, as `(steps, num_features)`
        (numeric features; NaN where a cell is missing)."""
        values = self.sequences
        if self.observed is not None:
            numeric = self.observed[..., : values.shape[-1]]
            values = np.where(numeric, values, np.nan)
        if self.lengths is None:
            return values.reshape(-1, values.shape[-1])
        return values[step_mask(self.lengths, values.shape[1])]

    def encoded(self, scaler):
        """What the model reads: scaled numbers and, for a table with
        categories or missing cells, its schema's encoding."""
        scaled = scaler.transform(self.sequences)
        if self.schema is None or self.schema.plain:
            return scaled
        return self.schema.encode(scaled, self.codes, self.observed)

    def encoded_attributes(self):
        """The static attributes as the model reads them, or None."""
        if self.static is None:
            return None
        return self.schema.encode_attributes(
            self.static.values, self.static.codes
        )


def check_spec(spec):
    """Raises a `ValueError` naming the problem if `spec` is not a known
    kind."""
    if spec in ("sines", "stocks"):
        return
    kind, _, path = spec.partition(":")
    if kind in ("csv", "parquet", "npy", "npz", "tfds") and path:
        return
    raise ValueError(
        f"Unknown dataset {spec!r}; expected one of {', '.join(DATASET_KINDS)}."
    )


def table_data(frame, roles, seq_len, stride=1, missing="learn", name=""):
    """A `SequenceData` of a table (a DataFrame of one row per step; see
    `keras_rgan.data.tables`), with its `TableSchema`."""
    table = tables.sequences_from_frame(
        frame, roles, seq_len, stride, missing, name or "the table"
    )
    static = table.static
    schema = TableSchema(
        table.numeric,
        list(zip(table.categorical, table.vocabularies)),
        integer_grids=table.integer_grids,
        missing=table.observed is not None,
        time=None if table.time is None else dataclasses.asdict(table.time),
        id_column=roles.id_column,
        static=None
        if static is None
        else {
            "numeric": static.numeric,
            "categorical": list(zip(static.categorical, static.vocabularies)),
            "integer_grids": static.integer_grids,
        },
        label=None
        if table.labels is None
        else [roles.label_column, table.label_vocabulary],
    )
    return SequenceData(
        check_sequences(table.values, name=name or "the table"),
        schema.column_names,
        labels=table.labels,
        lengths=table.lengths,
        schema=schema,
        codes=table.codes if table.categorical else None,
        observed=table.observed,
        static=static,
    )


def load_sequences(
    spec,
    seq_len=24,
    stride=1,
    columns=None,
    num_sequences=10_000,
    num_features=5,
    seed=0,
    id_column=None,
    time_column=None,
    tfds_split="train",
    tfds_data_dir=None,
    categorical_columns=None,
    missing="learn",
    frame=None,
    static_columns=None,
    label_column=None,
):
    """Loads the sequences a dataset spec names, in original units.

    Args:
        spec: str. `"sines"` (TimeGAN Sines), `"stocks"` (the shipped GOOG
            prices), `"csv:PATH"` or `"parquet:PATH"` (a table: one row a
            time step, cut into windows or, with `id_column`, grouped into
            sequences; see `keras_rgan.data.tables`), `"npy:PATH"` (an
            array `(n, seq_len, features)`), `"npz:PATH"` (labelled: arrays
            `x` `(n, seq_len, features)` and `labels` `(n,)`),
            `"tfds:NAME"` (a TFDS image or sequence dataset prepared in
            TFDS's data folder, `TFDS_DATA_DIR`; images become sequences of
            rows, its `label` the class) or `"dataframe"` (with `frame`).
        seq_len: int. Steps per sequence (window length for tables and
            stocks).
        stride: int. Steps between window starts (tables and stocks).
        columns: list of str or None. Table (or stocks) feature columns;
            None uses every numeric column but the id and time columns, and
            the categorical ones.
        num_sequences: int. Number of sine sequences.
        num_features: int. Number of sine features.
        seed: int. Seed of the sine generator.
        id_column: str or None. For a long-format table (one row per step
            of many sequences): the column naming each row's sequence.
            Sequences shorter than `seq_len` are zero-padded and get
            `lengths`; longer ones are cut into windows.
        time_column: str or None. Table column ordering the steps (ISO
            dates, datetimes or numbers).
        tfds_split: str. Split read from `tfds:NAME` (images become
            sequences of rows; at most `num_sequences` examples are read).
        tfds_data_dir: str or None. TFDS's data folder (None: its default,
            `TFDS_DATA_DIR` or `~/tensorflow_datasets`).
        categorical_columns: list of str or None. Table columns learned as
            categories (text or integer codes).
        missing: str. Empty table cells: `"learn"` (the model learns where
            cells go missing), `"drop_sequences"` or `"error"`.
        frame: a pandas DataFrame, for `spec="dataframe"`.
        static_columns: list of str or None. Table columns holding one
            value per sequence (numeric or categorical attributes).
        label_column: str or None. A table column holding each sequence's
            class, for label-conditional training.

    Returns:
        A `SequenceData`.

    Example:

    >>> data = load_sequences("stocks", seq_len=24)
    >>> data.sequences.shape
    (3662, 24, 6)
    """
    if spec == "dataframe":
        if frame is None:
            raise ValueError('dataset="dataframe" needs a DataFrame (frame=).')
    else:
        check_spec(spec)
    labels = None
    kind, _, path = spec.partition(":")
    table_kind = kind in ("csv", "parquet", "dataframe")
    roles = tables.TableRoles(
        columns,
        id_column,
        time_column,
        categorical_columns,
        static_columns,
        label_column,
    )
    if roles.keys() + list(categorical_columns or ()) and not table_kind:
        raise ValueError(
            "id_column, time_column, categorical_columns, static_columns "
            "and label_column apply to tables (csv:PATH, parquet:PATH, a "
            f"DataFrame), not {spec!r}."
        )
    if columns and not (table_kind or spec == "stocks"):
        raise ValueError(f"columns applies to tables and stocks, not {spec!r}.")
    if seq_len < 2:
        raise ValueError(f"seq_len must be at least 2, got {seq_len}.")
    if table_kind:
        if frame is None:
            exact = [c for c in (id_column, time_column) if c]
            frame = tables.read_frame(kind, path, exact)
        name = path or "the DataFrame"
        return table_data(frame, roles, seq_len, stride, missing, name)
    if spec == "sines":
        x = sine_waves(num_sequences, seq_len, num_features, seed)
        names = [f"sine_{k}" for k in range(num_features)]
    elif spec == "stocks":
        values, names = load_stocks()
        if columns:
            unknown = [c for c in columns if c not in names]
            if unknown:
                raise ValueError(
                    f"Column(s) {unknown} are not in stocks; its columns "
                    f"are {names}."
                )
            values = values[:, [names.index(c) for c in columns]]
            names = list(columns)
        x = make_windows(values, seq_len, stride)
    else:
        if kind == "npz":
            x, labels = read_npz(path)
        elif kind == "tfds":
            x, labels, names = load_tfds(
                path,
                tfds_split,
                data_dir=tfds_data_dir,
                max_sequences=num_sequences,
            )
        else:
            x = read_npy(path)
        x = check_sequences(x, name=path)
        if x.shape[1] != seq_len:
            raise ValueError(
                f"{path} holds sequences of {x.shape[1]} steps but "
                f"seq_len={seq_len}."
            )
        if kind != "tfds":
            names = [f"feature_{k}" for k in range(x.shape[2])]
    return SequenceData(check_sequences(x, name=spec), names, labels)
