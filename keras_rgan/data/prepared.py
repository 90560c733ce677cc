"""Any source -> `PreparedData`: the one object training, callbacks, export
and evaluation read, whatever the data's kind."""

import dataclasses
from collections.abc import Callable

import numpy as np
import tensorflow as tf

from keras_rgan.data import streaming
from keras_rgan.data.pipeline import make_dataset
from keras_rgan.data.scaling import MinMaxScaler
from keras_rgan.data.sources import SequenceData
from keras_rgan.data.sources import load_sequences
from keras_rgan.data.spec import DataSpec
from keras_rgan.data.splits import as_slice
from keras_rgan.data.splits import holdout_index
from keras_rgan.data.windowing import step_mask


@dataclasses.dataclass
class PreparedData:
    """Training data ready for `model.fit`.

    Attributes:
        spec: the `DataSpec` it was prepared from.
        seed: int. The seed of generated data and of shuffling.
        train: `SequenceData` in original units: every training sequence
            when `train_in_memory`, else the first windows of a stream (for
            pictures and shapes).
        held_out: `SequenceData` never trained on, or None (streamed).
        scaler: a `MinMaxScaler` fitted on the training split only.
        num_sequences: int. Training sequences (or streamed windows).
        steps_per_epoch: int. Full batches in one epoch.
        train_in_memory: bool. Whether `train` holds all training data.

    Example:

    >>> data = prepare(DataSpec(num_sequences=100, batch_size=32))
    >>> data.steps_per_epoch, len(data.dataset())
    (2, 2)
    """

    spec: DataSpec
    seed: int
    train: SequenceData
    held_out: SequenceData | None
    scaler: MinMaxScaler
    num_sequences: int
    steps_per_epoch: int
    train_in_memory: bool
    make_batches: Callable[..., tf.data.Dataset]

    @property
    def feature_names(self):
        return self.train.feature_names

    @property
    def schema(self):
        """The table's `TableSchema`, or None for arrays."""
        return self.train.schema

    @property
    def num_features(self):
        """Values per step the model reads and writes."""
        if self.schema is not None:
            return self.schema.encoded_dim
        return self.train.sequences.shape[-1]

    @property
    def numeric_windows(self):
        """Whether every sequence is a full window of numbers: fixed
        lengths, no labels, no categories, missing cells or static columns
        (what every model learns)."""
        return (
            self.train.lengths is None
            and self.train.labels is None
            and (self.schema is None or self.schema.numeric_only)
        )

    def dataset(self, sampled=False):
        """One epoch of scaled, shuffled, batched training data: a finite
        dataset of `steps_per_epoch` batches; with `sampled`, each batch a
        fresh draw without replacement from all training sequences (for
        differentially private training), in memory only."""
        if not sampled:
            return self.make_batches()
        if not self.train_in_memory:
            raise ValueError(
                "Differentially private training draws each batch from all "
                "training sequences, which --stream does not hold: load the "
                "data without --stream."
            )
        return self.make_batches(sampled_steps=self.steps_per_epoch)

    def length_frequencies(self):
        """How often each length `1..seq_len` occurs among the training
        sequences, or None for fixed-length data."""
        lengths = self.train.lengths
        if lengths is None:
            return None
        counts = np.bincount(lengths, minlength=self.spec.seq_len + 1)[1:]
        return (counts / counts.sum()).tolist()

    def step_frequencies(self):
        """The mean encoded training step (padding left out): for a table
        with categories or missing cells, each category's and each observed
        flag's share, where the generator's heads start; None otherwise."""
        if self.schema is None or self.schema.plain:
            return None
        encoded = self.train.encoded(self.scaler)
        if self.train.lengths is not None:
            encoded = encoded[step_mask(self.train.lengths, encoded.shape[1])]
        return encoded.reshape(-1, encoded.shape[-1]).mean(axis=0).tolist()

    def label_frequencies(self):
        """`(num_classes, frequencies)` of the training labels, or
        `(0, None)` for unlabelled data."""
        labels = self.train.labels
        if labels is None:
            return 0, None
        num_classes = int(labels.max()) + 1
        if self.schema is not None and self.schema.label is not None:
            num_classes = len(self.schema.label[1])
        counts = np.bincount(labels, minlength=num_classes)
        return num_classes, (counts / counts.sum()).tolist()

    def record(self):
        """What an export records to reload this data (`load_split`)."""
        return self.spec.to_record(self.seed)


def load_split(spec, seed=0, frame=None):
    """The `(train, held_out)` `SequenceData` of `spec`, in original units.

    The last `holdout_fraction` of the sequences is held out, or that share
    in `holdout_blocks` blocks spread through the data (for windows of one
    series, with the windows that overlap them dropped too), and never
    trained on; evaluation rebuilds the same split from an export's record.

    Example:

    >>> train, held_out = load_split(DataSpec(num_sequences=100))
    >>> train.sequences.shape, held_out.sequences.shape
    ((90, 24, 5), (10, 24, 5))
    """
    data = load_sequences(
        spec.dataset,
        seq_len=spec.seq_len,
        stride=spec.stride,
        columns=spec.columns,
        num_sequences=spec.num_sequences,
        num_features=spec.num_features,
        seed=seed,
        id_column=spec.id_column,
        time_column=spec.time_column,
        tfds_split=spec.tfds_split,
        tfds_data_dir=spec.tfds_data_dir,
        categorical_columns=spec.categorical_columns,
        missing=spec.missing,
        frame=frame,
        static_columns=spec.static_columns,
        label_column=spec.label_column,
    )
    if spec.conditional and data.labels is None:
        raise ValueError(
            f"--conditional needs labelled data; {spec.dataset} has no "
            "labels (use npz:PATH with arrays x and labels)."
        )
    if not spec.conditional and not spec.label_column:
        data.labels = None
    one_series = spec.dataset == "stocks" or (
        data.schema is not None and not spec.id_column
    )
    overlap = -(-(spec.seq_len - 1) // spec.stride) if one_series else 0
    train, held_out = holdout_index(
        len(data.sequences),
        spec.holdout_fraction,
        overlap,
        spec.holdout_blocks,
    )
    return data.subset(as_slice(train)), data.subset(as_slice(held_out))


def prepare(spec, seed=0, frame=None):
    """Reads, splits and scales the data `spec` names, before any training.

    Args:
        spec: a `DataSpec`.
        seed: int. Seed of generated data (Sines) and of shuffling.
        frame: a pandas DataFrame, for `spec.dataset == "dataframe"`.

    Returns:
        A `PreparedData`.

    Example:

    >>> data = prepare(DataSpec(dataset="stocks", batch_size=64))
    >>> data.feature_names[:2], data.steps_per_epoch
    (['Open', 'High'], 51)
    """
    if spec.stream:
        return _prepare_stream(spec, seed)
    train, held_out = load_split(spec, seed, frame)
    _check_batches(spec, len(train.sequences))
    steps = train.valid_steps()
    scaler = _scaler(spec, steps.shape[-1]) or MinMaxScaler().fit(steps)
    scaled = train.encoded(scaler)
    if train.static is not None and train.static.numeric:
        train.schema.fit_attributes(train.static.values)
    attributes = train.encoded_attributes()

    def batches(sampled_steps=None):
        return make_dataset(
            scaled,
            spec.batch_size,
            seed=seed,
            labels=train.labels,
            lengths=train.lengths,
            attributes=attributes,
            sampled_steps=sampled_steps,
        )

    return PreparedData(
        spec=spec,
        seed=seed,
        train=train,
        held_out=held_out,
        scaler=scaler,
        num_sequences=len(train.sequences),
        steps_per_epoch=len(train.sequences) // spec.batch_size,
        train_in_memory=True,
        make_batches=batches,
    )


def from_dataframe(frame, seq_len=24, seed=0, categorical=None, **options):
    """Prepares a pandas DataFrame (one row a time step) for training, as
    `csv:PATH` and `parquet:PATH` are prepared.

    Args:
        frame: a DataFrame.
        seq_len: int. Steps per sequence.
        seed: int. Shuffling seed.
        categorical: list of str or None. Columns learned as categories
            (`categorical_columns`).
        **options: other `DataSpec` options: `id_column`, `time_column`,
            `columns`, `missing`, `stride`, `batch_size`,
            `holdout_fraction`.

    Returns:
        A `PreparedData`; `keras_rgan.RGAN.for_data(data)` builds a model
        for it.

    Example:

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"day": pd.date_range("2024-01-01", periods=60),
    ...                       "v": range(60)})
    >>> data = from_dataframe(frame, seq_len=8, time_column="day",
    ...                       batch_size=16)
    >>> data.feature_names, data.steps_per_epoch
    (['v'], 2)
    """
    spec = DataSpec(
        dataset="dataframe",
        seq_len=seq_len,
        categorical_columns=categorical,
        **options,
    )
    return prepare(spec, seed, frame=frame)


def _scaler(spec, num_features):
    """The scaler of `spec.value_bounds` for `num_features` numeric
    features, or None without bounds."""
    bounds = spec.value_bounds
    if bounds is None:
        return None
    if len(bounds) == 2:
        bounds = bounds * num_features
    if len(bounds) != 2 * num_features:
        raise ValueError(
            f"value_bounds gives {len(bounds) // 2} LOW,HIGH pairs for "
            f"{num_features} numeric features: give one pair, or one per "
            "feature."
        )
    return MinMaxScaler(bounds[::2], bounds[1::2])


def _check_batches(spec, num_train):
    if num_train < spec.batch_size:
        raise ValueError(
            f"{spec.dataset} gives {max(num_train, 0)} training sequences, "
            f"fewer than batch_size={spec.batch_size}."
        )


def _prepare_stream(spec, seed):
    """A CSV or Parquet series read from disk each epoch: its rows counted,
    checked and its scaler fitted in passes over the file's training rows;
    never held whole."""
    kind, _, path = spec.dataset.partition(":")
    if kind not in streaming.FILE_FORMATS or not path or spec.id_column:
        raise ValueError(
            "--stream reads one long csv:PATH or parquet:PATH series (no "
            "id_column) in chunks."
        )
    if spec.time_column or spec.categorical_columns:
        raise ValueError(
            "--stream reads numeric columns in file order: no time_column "
            "or categorical_columns (load the file without --stream)."
        )
    plan = streaming.plan_split(
        path, spec.seq_len, spec.stride, spec.holdout_fraction, kind
    )
    _check_batches(spec, plan.train_windows)
    stats = streaming.series_statistics(
        path, spec.columns, num_rows=plan.train_rows, file_format=kind
    )
    scaler = _scaler(spec, len(stats.feature_names)) or MinMaxScaler(
        stats.data_min.tolist(), stats.data_max.tolist()
    )
    steps = plan.train_windows // spec.batch_size

    def windows(batch_size, scale, shuffle_buffer):
        return streaming.stream_windows(
            path,
            spec.seq_len,
            batch_size,
            scale,
            spec.columns,
            spec.stride,
            num_rows=plan.train_rows,
            shuffle_buffer=shuffle_buffer,
            seed=seed,
            file_format=kind,
        )

    first = next(iter(windows(min(256, plan.train_windows), None, 1)))
    return PreparedData(
        spec=spec,
        seed=seed,
        train=SequenceData(first.numpy(), stats.feature_names),
        held_out=None,
        scaler=scaler,
        num_sequences=plan.train_windows,
        steps_per_epoch=steps,
        train_in_memory=False,
        make_batches=lambda: windows(
            spec.batch_size, scaler, spec.shuffle_buffer
        ).apply(tf.data.experimental.assert_cardinality(steps)),
    )
