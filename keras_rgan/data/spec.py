"""What to read and how to cut, split and batch it: the data options,
declared once for the Python API, the command line and the record an export
keeps to reload its data."""

import dataclasses

from keras_rgan.data.tables import MISSING_POLICIES
from keras_rgan.options import OptionGroup
from keras_rgan.options import option


@dataclasses.dataclass
class DataSpec(OptionGroup):
    """The data options; `keras_rgan.data.prepare(spec)` reads them.

    Example:

    >>> DataSpec(dataset="stocks", seq_len=24).stride
    1
    """

    dataset: str = option(
        "sines",
        "sines | stocks | csv:PATH | parquet:PATH (a table, one row a time "
        "step) | npy:PATH | npz:PATH (labelled: arrays x, labels) | "
        "tfds:NAME (a prepared TFDS image or sequence data set; images are "
        "sequences of rows, e.g. tfds:mnist with --seq_len=28).",
    )
    seq_len: int = option(24, "Steps per sequence.")
    batch_size: int = option(128, "Global batch size.")
    stride: int = option(1, "Steps between table or stocks window starts.")
    columns: list[str] | None = option(
        None,
        "Table or stocks feature columns (default: every numeric column "
        "but the id and time columns, and the --categorical_columns).",
    )
    categorical_columns: list[str] | None = option(
        None,
        "Table columns learned as categories (text or integer codes); "
        "generated data gives them back as their text.",
    )
    static_columns: list[str] | None = option(
        None,
        "Long-format table: columns holding one value per sequence (a "
        "patient's age group, a machine's model), numeric or categorical. "
        "The model generates them first, then the sequences for them.",
    )
    label_column: str | None = option(
        None,
        "Long-format table: a column holding each sequence's class, for "
        "label-conditional training (generate_with_labels serves it).",
    )
    missing: str = option(
        "learn",
        "Empty table cells: learn (the model learns which cells go missing "
        "and generates the pattern), drop_sequences, or error.",
        choices=MISSING_POLICIES,
    )
    num_sequences: int = option(
        10_000, "Number of sine sequences; at most this many of tfds:NAME."
    )
    num_features: int = option(5, "Number of sine features.")
    holdout_fraction: float = option(
        0.1,
        "Share of the data held out from training (for the memorisation "
        "check).",
    )
    holdout_blocks: int = option(
        1,
        "Blocks the held-out share is cut into, spread evenly through the "
        "data (1: the last sequences). For windows of one series, the "
        "windows overlapping each block are dropped from training; several "
        "blocks keep a trending series' held-out windows at the levels "
        "training sees (for the membership attacks).",
    )
    conditional: bool = option(
        False,
        "Label-conditional training (RCGAN) on a labelled data set "
        "(npz:PATH, tfds:NAME with a label).",
    )
    id_column: str | None = option(
        None,
        "Long-format table: the column naming each row's sequence. "
        "Sequences of different lengths are padded (and masked) or "
        "windowed to --seq_len.",
    )
    time_column: str | None = option(
        None,
        "Table column ordering the steps (of the series, or of each "
        "sequence with --id_column): ISO dates, datetimes or numbers; "
        "irregular spacing is allowed and recorded.",
    )
    tfds_split: str = option("train", "Split read from tfds:NAME.")
    tfds_data_dir: str | None = option(
        None,
        "TFDS data folder for tfds:NAME (default: TFDS_DATA_DIR or "
        "~/tensorflow_datasets).",
    )
    stream: bool = option(
        False,
        "Stream csv:PATH or parquet:PATH from disk in chunks each epoch "
        "instead of loading it (for files too large for memory; one numeric "
        "series, no --id_column).",
    )
    shuffle_buffer: int = option(
        10_000, "Windows held for shuffling with --stream."
    )
    value_bounds: list[float] | None = option(
        None,
        "Public bounds of the numeric features' values, scaled to [0, 1] "
        "instead of with the training data's minimum and maximum: LOW,HIGH "
        "for every feature, or LOW1,HIGH1,LOW2,HIGH2,... per feature. For "
        "differentially private training, whose guarantee does not cover "
        "bounds read from the data.",
    )

    def check(self):
        for name in ("batch_size", "shuffle_buffer", "holdout_blocks"):
            if getattr(self, name) < 1:
                raise ValueError(
                    f"{name} must be a positive integer, got "
                    f"{getattr(self, name)}."
                )
        bounds = self.value_bounds
        if bounds is not None and (
            len(bounds) < 2
            or len(bounds) % 2
            or any(low >= high for low, high in zip(bounds[::2], bounds[1::2]))
        ):
            raise ValueError(
                "value_bounds must be pairs LOW,HIGH with LOW below HIGH, "
                f"got {bounds!r}."
            )
        if self.stream and self.holdout_blocks != 1:
            raise ValueError(
                "--stream holds out the last rows of the series: "
                f"holdout_blocks must be 1, got {self.holdout_blocks}."
            )

    @classmethod
    def from_record(cls, record):
        """The spec an export recorded (`to_record`); fields it lacks take
        their defaults, so older records still load."""
        names = {field.name for field in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in record.items() if k in names})

    def to_record(self, seed):
        """The spec and the data seed, as an export records them."""
        return {**dataclasses.asdict(self), "seed": seed}
