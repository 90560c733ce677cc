"""Generating sequences from an exported SavedModel into a file."""

import os
import tempfile

import numpy as np
import tensorflow as tf

from keras_rgan.data.table_output import outputs_to_frame
from keras_rgan.export import read_metadata

OUTPUT_SUFFIXES = (".npy", ".csv", ".parquet")
# Sequences per serving call when writing a table: memory stays flat
# however many are asked for.
CHUNK_SEQUENCES = 10_000
# Chunk k > 0 is generated with seed + k * CHUNK_SEED_STEP.
CHUNK_SEED_STEP = 1_000_003


def check_request(saved_model_dir, num_samples, output):
    """Raises a `ValueError` naming the problem with a generate request."""
    if not os.path.isfile(os.path.join(saved_model_dir, "saved_model.pb")):
        raise FileNotFoundError(f"No SavedModel at {saved_model_dir}")
    if num_samples < 1:
        raise ValueError(f"num_samples must be positive, got {num_samples}.")
    if not output.endswith(OUTPUT_SUFFIXES):
        raise ValueError(
            f"--output must end in {', '.join(OUTPUT_SUFFIXES)}, got {output}."
        )
    if os.path.exists(output):
        raise ValueError(f"{output} exists already; it was left untouched.")


def _served(loaded, num_samples, seed):
    outputs = loaded.signatures["serving_default"](
        num_samples=tf.constant(num_samples, tf.int32),
        seed=tf.constant(seed, tf.int64),
    )
    outputs = {name: value.numpy() for name, value in outputs.items()}
    if "lengths" not in outputs:  # Exports older than the lengths output.
        sequences = outputs["sequences"]
        outputs["lengths"] = np.full(
            len(sequences), sequences.shape[1], np.int32
        )
    return outputs


def generate(saved_model_dir, num_samples, seed):
    """Calls the export's `serving_default` signature.

    Needs only TensorFlow: the export is loaded with `tf.saved_model.load`.

    Returns:
        `(sequences, lengths)`: float32 `(num_samples, seq_len,
        num_features)` in the data's original units (zero past each
        sequence's length) and int32 `(num_samples,)`.
    """
    outputs = _served(tf.saved_model.load(saved_model_dir), num_samples, seed)
    return outputs["sequences"], outputs["lengths"]


class _TableWriter:
    """Appends DataFrames to a CSV file or as Parquet row groups."""

    def __init__(self, path):
        self.path = path
        self.parquet = None
        self.started = False

    def write(self, frame):
        if self.path.endswith(".csv"):
            frame.to_csv(
                self.path,
                mode="a" if self.started else "w",
                header=not self.started,
                index=False,
                float_format="%.6g",
            )
        else:
            import pyarrow
            import pyarrow.parquet as pq

            table = pyarrow.Table.from_pandas(frame, preserve_index=False)
            if self.parquet is None:
                self.parquet = pq.ParquetWriter(self.path, table.schema)
            self.parquet.write_table(table)
        self.started = True

    def close(self):
        if self.parquet is not None:
            self.parquet.close()


def generate_to_file(saved_model_dir, num_samples, seed, output):
    """Generates from an export and writes the sequences to `output`.

    `.npy` holds the padded array of numeric features. `.csv` and
    `.parquet` hold the user's table in long format (`outputs_to_frame`):
    an id column, the time column continuing the data's timestamps, the
    original column names, categories as text and empty cells where a
    value was not observed; they are written in chunks of
    `CHUNK_SEQUENCES` sequences (chunk k with seed
    `seed + k * CHUNK_SEED_STEP`), so memory does not grow with
    `num_samples`. The file appears only when complete.

    Example:

    >>> # keras-rgan generate --saved_model=saved_models/sines/1 \\
    >>> #     --num_samples=10 --output=samples.csv
    """
    check_request(saved_model_dir, num_samples, output)
    metadata = read_metadata(saved_model_dir) or {}
    directory = os.path.dirname(os.path.abspath(output))
    os.makedirs(directory, exist_ok=True)
    loaded = tf.saved_model.load(saved_model_dir)
    suffix = os.path.splitext(output)[1]
    handle, staging = tempfile.mkstemp(suffix=suffix, dir=directory)
    os.close(handle)
    try:
        if output.endswith(".npy"):
            np.save(staging, _served(loaded, num_samples, seed)["sequences"])
        else:
            _write_table(loaded, metadata, num_samples, seed, staging)
        os.rename(staging, output)
    finally:
        if os.path.exists(staging):
            os.remove(staging)
    return output


def _write_table(loaded, metadata, num_samples, seed, path):
    schema = metadata.get("schema")
    names = metadata.get("feature_names")
    limit = metadata.get("max_num_samples") or CHUNK_SEQUENCES
    chunk = min(CHUNK_SEQUENCES, limit)
    writer = _TableWriter(path)
    try:
        for k, start in enumerate(range(0, num_samples, chunk)):
            count = min(chunk, num_samples - start)
            outputs = _served(loaded, count, seed + k * CHUNK_SEED_STEP)
            if names is None:
                names = [
                    f"feature_{j}"
                    for j in range(outputs["sequences"].shape[-1])
                ]
            writer.write(outputs_to_frame(outputs, schema, names, start, seed))
    finally:
        writer.close()
