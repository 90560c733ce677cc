"""Versioned SavedModel export for TF Serving, in the data's original units."""

import json
import os
import re
import shutil
import tempfile

import tensorflow as tf
from keras.export import ExportArchive

from keras_rgan.version import __version__

DEFAULT_MAX_NUM_SAMPLES = 100_000
DEFAULT_MAX_LENGTH = 100_000
METADATA_FILE = os.path.join("assets.extra", "keras_rgan.json")


def existing_versions(export_dir):
    """The integer version folders under `export_dir`, sorted."""
    if not os.path.isdir(export_dir):
        return []
    return sorted(
        int(name)
        for name in os.listdir(export_dir)
        if re.fullmatch(r"[0-9]+", name)
        and os.path.isdir(os.path.join(export_dir, name))
    )


def _checked(value, low, high, name):
    """`value`, after graph checks that `low <= value <= high`."""
    checks = [
        tf.debugging.assert_greater_equal(
            value, tf.cast(low, value.dtype), message=f"{name} must be >= {low}"
        ),
        tf.debugging.assert_less_equal(
            value, tf.cast(high, value.dtype), message=f"{name} must be <= {high}"
        ),
    ]
    with tf.control_dependencies(checks):
        return tf.identity(value)


def _checked_shape(tensor, expected_tail, name):
    """`tensor`, after a graph check that its shape is `(batch, *tail)`."""
    tail = tf.constant(expected_tail, tf.int32)
    shape_text = ", ".join(["None"] + [str(d) for d in expected_tail])
    check = tf.debugging.assert_equal(
        tf.shape(tensor)[1:],
        tail,
        message=f"{name} must have shape ({shape_text})",
    )
    with tf.control_dependencies([check]):
        return tf.identity(tensor)


def _serving_functions(model, max_num_samples, max_length):
    """The signatures the model can serve, as `{name: (fn, input_signature)}`."""
    seed_spec = tf.TensorSpec((), tf.int64, name="seed")

    def serving_default(num_samples, seed):
        num_samples = _checked(num_samples, 1, max_num_samples, "num_samples")
        return {"sequences": model.generate_from_seed(num_samples, seed)}

    noise_spec = tf.TensorSpec(
        (None, model.seq_len, model.noise_dim), tf.float32, name="noise"
    )
    sequences_spec = tf.TensorSpec(
        (None, model.seq_len, model.num_features), tf.float32, name="sequences"
    )
    labels_spec = tf.TensorSpec((None,), tf.int32, name="labels")

    def checked_labels(labels, batch_size=None):
        labels = _checked(labels, 0, model.num_classes - 1, "labels")
        if batch_size is not None:
            check = tf.debugging.assert_equal(
                tf.shape(labels)[0],
                batch_size,
                message="labels must have one entry per sequence",
            )
            with tf.control_dependencies([check]):
                labels = tf.identity(labels)
        return labels

    functions = {
        # The first endpoint is the one TF Serving calls by default.
        "serving_default": (
            serving_default,
            [tf.TensorSpec((), tf.int32, name="num_samples"), seed_spec],
        ),
    }
    if model.num_classes:

        def generate_with_labels(labels, seed):
            count = _checked(tf.shape(labels)[0], 1, max_num_samples, "the labels count")
            labels = checked_labels(labels, count)
            return {"sequences": model.generate_from_seed(count, seed, labels)}

        def generate_from_noise(noise, labels):
            noise = _checked_shape(noise, [model.seq_len, model.noise_dim], "noise")
            labels = checked_labels(labels, tf.shape(noise)[0])
            return {"sequences": model.sequences_from_noise(noise, labels)}

        def discriminate(sequences, labels):
            sequences = _checked_shape(
                sequences, [model.seq_len, model.num_features], "sequences"
            )
            labels = checked_labels(labels, tf.shape(sequences)[0])
            return {"logits": model.discriminate(sequences, labels)}

        functions["generate_with_labels"] = (generate_with_labels, [labels_spec, seed_spec])
        functions["generate_from_noise"] = (generate_from_noise, [noise_spec, labels_spec])
        functions["discriminate"] = (discriminate, [sequences_spec, labels_spec])
    else:

        def generate_from_noise(noise):
            noise = _checked_shape(noise, [model.seq_len, model.noise_dim], "noise")
            return {"sequences": model.sequences_from_noise(noise)}

        def discriminate(sequences):
            sequences = _checked_shape(
                sequences, [model.seq_len, model.num_features], "sequences"
            )
            return {"logits": model.discriminate(sequences)}

        functions["generate_from_noise"] = (generate_from_noise, [noise_spec])
        functions["discriminate"] = (discriminate, [sequences_spec])
    condition_steps = getattr(model, "condition_steps", 0)
    if condition_steps:

        def continue_sequences(prefix, seed):
            prefix = _checked_shape(
                prefix, [condition_steps, model.num_features], "prefix"
            )
            batch_size = _checked(
                tf.shape(prefix)[0], 1, max_num_samples, "the prefix batch size"
            )
            with tf.control_dependencies([batch_size]):
                prefix = tf.identity(prefix)
            return {"sequences": model.continue_from_seed(prefix, seed)}

        def generate_long(length, seed):
            length = _checked(length, 1, max_length, "length")
            return {"sequences": model.generate_long_from_seed(length, seed)}

        functions["continue_sequences"] = (
            continue_sequences,
            [
                tf.TensorSpec(
                    (None, condition_steps, model.num_features),
                    tf.float32,
                    name="prefix",
                ),
                seed_spec,
            ],
        )
        functions["generate_long"] = (
            generate_long,
            [tf.TensorSpec((), tf.int32, name="length"), seed_spec],
        )
    return functions


def _metadata(model, feature_names, extra):
    return {
        **(extra or {}),
        "keras_rgan_version": __version__,
        "model": type(model).__name__,
        "seq_len": model.seq_len,
        "num_features": model.num_features,
        "latent_dim": model.latent_dim,
        "noise_dim": model.noise_dim,
        "condition_steps": getattr(model, "condition_steps", 0),
        "num_classes": model.num_classes,
        "feature_names": list(feature_names)
        if feature_names
        else [f"feature_{k}" for k in range(model.num_features)],
        "scaler": None if model.scaler is None else model.scaler.get_config(),
    }


def export_saved_model(
    model,
    export_dir,
    feature_names=None,
    max_num_samples=DEFAULT_MAX_NUM_SAMPLES,
    max_length=DEFAULT_MAX_LENGTH,
    metadata=None,
):
    """Exports a trained GAN as the next version of a TF Serving model.

    Writes `export_dir/<version>/`, where `version` is one more than the
    highest integer version already there (1 for a new folder); existing
    versions are never touched. If the generator's optimizer keeps a moving
    average of its weights, the export holds the averaged generator. The
    SavedModel is written to a hidden
    temporary folder beside the target and renamed into place, so TF Serving
    never sees a partial version. It needs neither Keras nor keras_rgan to
    load, and its signatures return sequences in the data's original units:

    - `serving_default`: `num_samples` int32 scalar (1..max_num_samples),
      `seed` int64 scalar -> `sequences` float32
      `(num_samples, seq_len, num_features)`; the same seed gives the same
      sequences, as `model.generate(num_samples, seed)` does.
    - `generate_from_noise`: `noise` float32 `(None, seq_len, noise_dim)`
      -> `sequences`.

    - `discriminate`: `sequences` float32 `(None, seq_len, num_features)` in
      original units -> `logits` `(None,)`: the discriminator's real-vs-fake
      logit (averaged over time for per-step logits); for saliency maps or
      as an anomaly score.

    Label-conditional models (`num_classes > 0`) also serve
    `generate_with_labels`: `labels` int32 `(None,)` in `[0, num_classes)`,
    `seed` int64 -> one sequence per label; their `generate_from_noise` and
    `discriminate` take `labels` too, and `serving_default` draws labels from
    the training frequencies.

    Models with `condition_steps = k > 0` (`CRGAN`) also serve:

    - `continue_sequences`: `prefix` float32 `(None, k, num_features)` in
      original units, `seed` int64 -> `sequences` `(None, seq_len,
      num_features)` whose first `k` steps are the prefix.
    - `generate_long`: `length` int32 (1..max_length), `seed` int64 ->
      `sequences` `(1, length, num_features)`, windows chained on their last
      `k` steps.

    `assets.extra/keras_rgan.json` records the shapes and feature names.

    Args:
        model: a `keras_rgan.SequenceGAN` (e.g. `RGAN`).
        export_dir: str. The model's base folder (TF Serving's
            `--model_base_path`).
        feature_names: list of str or None. Names of the features.
        max_num_samples: int. Largest `num_samples` (or prefix batch) the
            server accepts.
        max_length: int. Largest `length` of `generate_long`.
        metadata: dict or None. More JSON-serialisable facts to record in
            `assets.extra/keras_rgan.json` (e.g. the training data's spec).

    Returns:
        The path of the new version folder.

    Example:

    >>> import tempfile, keras_rgan
    >>> gan = keras_rgan.RGAN(keras_rgan.LSTMGenerator(2, units=4),
    ...                       keras_rgan.LSTMDiscriminator(units=4),
    ...                       seq_len=8, latent_dim=2)
    >>> base = tempfile.mkdtemp()
    >>> path = keras_rgan.export_saved_model(gan, base)
    >>> os.path.basename(path)
    '1'
    """
    if max_num_samples < 1 or max_length < 1:
        raise ValueError(
            "max_num_samples and max_length must be positive, got "
            f"{max_num_samples} and {max_length}."
        )
    if os.path.exists(export_dir) and not os.path.isdir(export_dir):
        raise ValueError(f"The export path {export_dir} is a file, not a folder.")
    os.makedirs(export_dir, exist_ok=True)
    versions = existing_versions(export_dir)
    version = (versions[-1] + 1) if versions else 1
    target = os.path.join(export_dir, str(version))

    archive = ExportArchive()
    archive.track(model.generator)
    for name, (fn, signature) in _serving_functions(
        model, max_num_samples, max_length
    ).items():
        archive.add_endpoint(name, fn, input_signature=signature)

    staging = tempfile.mkdtemp(prefix=f".export-{version}-", dir=export_dir)
    try:
        with model.averaged_generator():
            archive.write_out(staging, verbose=False)
        metadata_path = os.path.join(staging, METADATA_FILE)
        os.makedirs(os.path.dirname(metadata_path), exist_ok=True)
        with open(metadata_path, "w") as f:
            json.dump(_metadata(model, feature_names, metadata), f, indent=2)
        if os.path.exists(target):
            raise FileExistsError(
                f"{target} appeared during the export; it was left untouched."
            )
        os.rename(staging, target)
    finally:
        if os.path.exists(staging):
            shutil.rmtree(staging, ignore_errors=True)
    return target


def read_metadata(saved_model_dir):
    """Reads the `keras_rgan.json` metadata written beside an export."""
    path = os.path.join(saved_model_dir, METADATA_FILE)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)
