"""Dataset specs ("sines", "stocks", "csv:PATH", "npy:PATH", "npz:PATH",
"tfds:NAME") to arrays."""

import dataclasses

import numpy as np

from keras_rgan.data.checks import check_sequences
from keras_rgan.data.readers import read_csv
from keras_rgan.data.readers import read_long_csv
from keras_rgan.data.readers import read_npy
from keras_rgan.data.readers import read_npz
from keras_rgan.data.sines import sine_waves
from keras_rgan.data.stocks import load_stocks
from keras_rgan.data.tfds_source import load_tfds
from keras_rgan.data.windowing import make_windows
from keras_rgan.data.windowing import pad_or_window
from keras_rgan.data.windowing import step_mask

DATASET_KINDS = (
    "sines",
    "stocks",
    "csv:PATH",
    "npy:PATH",
    "npz:PATH",
    "tfds:NAME",
)


@dataclasses.dataclass
class SequenceData:
    """Sequences in original units, with the names of their features and,
    for labelled data, one integer label per sequence; for variable-length
    data, each sequence's length (its steps past the length are zero).

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

    def subset(self, index):
        """The sequences (with labels and lengths) at `index` (a slice)."""
        pick = lambda a: None if a is None else a[index]  # noqa: E731
        return SequenceData(
            self.sequences[index],
            self.feature_names,
            pick(self.labels),
            pick(self.lengths),
        )

    def valid_steps(self):
        """Every step that is not padding, as `(steps, num_features)`."""
        if self.lengths is None:
            return self.sequences.reshape(-1, self.sequences.shape[-1])
        return self.sequences[step_mask(self.lengths, self.sequences.shape[1])]


def check_spec(spec):
    """Raises a `ValueError` naming the problem if `spec` is not a known
    kind."""
    if spec in ("sines", "stocks"):
        return
    kind, _, path = spec.partition(":")
    if kind in ("csv", "npy", "npz", "tfds") and path:
        return
    raise ValueError(
        f"Unknown dataset {spec!r}; expected one of {', '.join(DATASET_KINDS)}."
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
):
    """Loads the sequences a dataset spec names, in original units.

    Args:
        spec: str. `"sines"` (TimeGAN Sines), `"stocks"` (the shipped GOOG
            prices), `"csv:PATH"` (rows are time steps, cut into windows) or
            `"npy:PATH"` (an array `(n, seq_len, features)`) or `"npz:PATH"`
            (labelled: arrays `x` `(n, seq_len, features)` and `labels`
            `(n,)`) or `"tfds:NAME"` (a TFDS image or sequence dataset
            prepared in TFDS's data folder, `TFDS_DATA_DIR`; images become
            sequences of rows, its `label` the class).
        seq_len: int. Steps per sequence (window length for CSV and stocks).
        stride: int. Steps between window starts (CSV and stocks).
        columns: list of str or None. CSV columns to use; None uses all.
        num_sequences: int. Number of sine sequences.
        num_features: int. Number of sine features.
        seed: int. Seed of the sine generator.
        id_column: str or None. For a long-format CSV (one row per step of
            many sequences): the column naming each row's sequence.
            Sequences shorter than `seq_len` are zero-padded and get
            `lengths`; longer ones are cut into windows.
        time_column: str or None. CSV column ordering each sequence's steps.
        tfds_split: str. Split read from `tfds:NAME` (images become
            sequences of rows; at most `num_sequences` examples are read).
        tfds_data_dir: str or None. TFDS's data folder (None: its default,
            `TFDS_DATA_DIR` or `~/tensorflow_datasets`).

    Returns:
        A `SequenceData`.

    Example:

    >>> data = load_sequences("stocks", seq_len=24)
    >>> data.sequences.shape
    (3662, 24, 6)
    """
    check_spec(spec)
    labels = lengths = None
    kind, _, path = spec.partition(":")
    if (id_column or time_column) and kind != "csv":
        raise ValueError(
            f"id_column and time_column apply to csv:PATH data, not {spec!r}."
        )
    if time_column and not id_column:
        raise ValueError(
            "time_column needs id_column (the sequence of each row)."
        )
    if seq_len < 2:
        raise ValueError(f"seq_len must be at least 2, got {seq_len}.")
    if spec == "sines":
        x = sine_waves(num_sequences, seq_len, num_features, seed)
        names = [f"sine_{k}" for k in range(num_features)]
    elif spec == "stocks":
        values, names = load_stocks()
        x = make_windows(values, seq_len, stride)
    elif kind == "csv" and id_column:
        series, names = read_long_csv(path, id_column, time_column, columns)
        x, lengths = pad_or_window(series, seq_len, stride)
        if (lengths == seq_len).all():
            lengths = None  # Every sequence is full: fixed-length data.
    else:
        if kind == "csv":
            values, names = read_csv(path, columns)
            if values.shape[0] < seq_len:
                raise ValueError(
                    f"{path} has {values.shape[0]} rows, fewer than "
                    f"seq_len={seq_len}."
                )
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
    return SequenceData(check_sequences(x, name=spec), names, labels, lengths)
