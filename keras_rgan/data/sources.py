"""Dataset specs ("sines", "stocks", "csv:PATH", "npy:PATH") to arrays."""

import dataclasses

import numpy as np

from keras_rgan.data.checks import check_sequences
from keras_rgan.data.readers import read_csv
from keras_rgan.data.readers import read_npy
from keras_rgan.data.readers import read_npz
from keras_rgan.data.sines import sine_waves
from keras_rgan.data.stocks import load_stocks
from keras_rgan.data.windowing import make_windows

DATASET_KINDS = ("sines", "stocks", "csv:PATH", "npy:PATH", "npz:PATH")


@dataclasses.dataclass
class SequenceData:
    """Sequences in original units, with the names of their features and,
    for labelled data, one integer label per sequence."""

    sequences: np.ndarray  # float32 (n, seq_len, num_features)
    feature_names: list
    labels: np.ndarray | None = None  # int (n,)


def check_spec(spec):
    """Raises a `ValueError` naming the problem if `spec` is not a known kind."""
    if spec in ("sines", "stocks"):
        return
    kind, _, path = spec.partition(":")
    if kind in ("csv", "npy", "npz") and path:
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
):
    """Loads the sequences a dataset spec names, in original units.

    Args:
        spec: str. `"sines"` (TimeGAN Sines), `"stocks"` (the shipped GOOG
            prices), `"csv:PATH"` (rows are time steps, cut into windows) or
            `"npy:PATH"` (an array `(n, seq_len, features)`) or `"npz:PATH"`
            (labelled: arrays `x` `(n, seq_len, features)` and `labels`
            `(n,)`).
        seq_len: int. Steps per sequence (window length for CSV and stocks).
        stride: int. Steps between window starts (CSV and stocks).
        columns: list of str or None. CSV columns to use; None uses all.
        num_sequences: int. Number of sine sequences.
        num_features: int. Number of sine features.
        seed: int. Seed of the sine generator.

    Returns:
        A `SequenceData`.

    Example:

    >>> data = load_sequences("stocks", seq_len=24)
    >>> data.sequences.shape
    (3662, 24, 6)
    """
    check_spec(spec)
    labels = None
    if seq_len < 2:
        raise ValueError(f"seq_len must be at least 2, got {seq_len}.")
    if spec == "sines":
        x = sine_waves(num_sequences, seq_len, num_features, seed)
        names = [f"sine_{k}" for k in range(num_features)]
    elif spec == "stocks":
        values, names = load_stocks()
        x = make_windows(values, seq_len, stride)
    else:
        kind, _, path = spec.partition(":")
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
            else:
                x = read_npy(path)
            x = check_sequences(x, name=path)
            if x.shape[1] != seq_len:
                raise ValueError(
                    f"{path} holds sequences of {x.shape[1]} steps but "
                    f"seq_len={seq_len}."
                )
            names = [f"feature_{k}" for k in range(x.shape[2])]
    return SequenceData(check_sequences(x, name=spec), names, labels)
