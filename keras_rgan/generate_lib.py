"""Generating sequences from an exported SavedModel into a file."""

import csv
import os

import numpy as np
import tensorflow as tf

from keras_rgan.export import read_metadata

OUTPUT_SUFFIXES = (".npy", ".csv")


def check_request(saved_model_dir, num_samples, output):
    """Raises a `ValueError` naming the problem with a generate request."""
    if not os.path.isfile(os.path.join(saved_model_dir, "saved_model.pb")):
        raise FileNotFoundError(f"No SavedModel at {saved_model_dir}")
    if num_samples < 1:
        raise ValueError(f"num_samples must be positive, got {num_samples}.")
    if not output.endswith(OUTPUT_SUFFIXES):
        raise ValueError(f"--output must end in .npy or .csv, got {output}.")
    if os.path.exists(output):
        raise ValueError(f"{output} exists already; it was left untouched.")


def generate(saved_model_dir, num_samples, seed):
    """Calls the export's `serving_default` signature.

    Needs only TensorFlow: the export is loaded with `tf.saved_model.load`.

    Returns:
        `(sequences, lengths)`: float32 `(num_samples, seq_len,
        num_features)` in the data's original units (zero past each
        sequence's length) and int32 `(num_samples,)`.
    """
    loaded = tf.saved_model.load(saved_model_dir)
    outputs = loaded.signatures["serving_default"](
        num_samples=tf.constant(num_samples, tf.int32),
        seed=tf.constant(seed, tf.int64),
    )
    sequences = outputs["sequences"].numpy()
    if "lengths" in outputs:
        return sequences, outputs["lengths"].numpy()
    # Exports written before the lengths output existed.
    return sequences, np.full(len(sequences), sequences.shape[1], np.int32)


def write_sequences(sequences, path, feature_names, lengths=None):
    """Writes `(n, seq_len, features)` as `.npy`, or as a long-format CSV.

    The `.npy` holds the padded array (zero past each length). The CSV has
    one row per time step, `sequence, step, <feature names>`, and only the
    steps within each sequence's length (read it back with
    `--id_column=sequence --time_column=step`).
    """
    if path.endswith(".npy"):
        np.save(path, sequences)
        return path
    n, seq_len, _ = sequences.shape
    if lengths is None:
        lengths = np.full(n, seq_len)
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["sequence", "step", *feature_names])
        for i in range(n):
            for t in range(int(lengths[i])):
                writer.writerow([i, t, *(f"{v:.6g}" for v in sequences[i, t])])
    return path


def generate_to_file(saved_model_dir, num_samples, seed, output):
    """Generates from an export and writes the sequences to `output`.

    Example:

    >>> # keras-rgan generate --saved_model=saved_models/sines/1 \\
    >>> #     --num_samples=10 --output=samples.csv
    """
    check_request(saved_model_dir, num_samples, output)
    sequences, lengths = generate(saved_model_dir, num_samples, seed)
    metadata = read_metadata(saved_model_dir) or {}
    names = metadata.get("feature_names") or [
        f"feature_{k}" for k in range(sequences.shape[-1])
    ]
    directory = os.path.dirname(os.path.abspath(output))
    os.makedirs(directory, exist_ok=True)
    return write_sequences(sequences, output, names, lengths)
