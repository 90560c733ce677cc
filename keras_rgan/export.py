"""Versioned SavedModel export for TF Serving, in the data's original units."""

import json
import os
import re
import shutil
import tempfile

import tensorflow as tf
from keras.export import ExportArchive

from keras_rgan import serving
from keras_rgan.layers.fused_lstm import standard_kernels
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
            value,
            tf.cast(high, value.dtype),
            message=f"{name} must be <= {high}",
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


def _endpoint(fn, specs):
    """`(function, input_signature)`: `fn` takes a dict of named inputs."""
    names = [spec.name for spec in specs]

    def endpoint(*args):
        return fn(dict(zip(names, args)))

    return endpoint, specs


def _serving_functions(model, max_num_samples, max_length):
    """The signatures the model can serve, as `{name: (fn, input_signature)}`.

    Inputs are assembled by what the model can do: labels for
    label-conditional models, lengths for variable-length ones. Every
    signature that returns `sequences` also returns their `lengths`.
    """
    seed_spec = tf.TensorSpec((), tf.int64, name="seed")
    noise_spec = tf.TensorSpec(
        (None, model.seq_len, model.noise_dim), tf.float32, name="noise"
    )
    sequences_spec = tf.TensorSpec(
        (None, model.seq_len, model.num_features), tf.float32, name="sequences"
    )
    labels_spec = tf.TensorSpec((None,), tf.int32, name="labels")
    lengths_spec = tf.TensorSpec((None,), tf.int32, name="lengths")
    conditions = ([labels_spec] if model.num_classes else []) + (
        [lengths_spec] if model.variable_length else []
    )

    def checked_batch(values, low, high, name, batch_size):
        values = _checked(values, low, high, name)
        check = tf.debugging.assert_equal(
            tf.shape(values)[0],
            batch_size,
            message=f"{name} must have one entry per sequence",
        )
        with tf.control_dependencies([check]):
            return tf.identity(values)

    def checked_conditions(inputs, batch_size):
        """`(labels, lengths)` from `inputs`, checked (None where absent)."""
        labels = lengths = None
        if model.num_classes:
            labels = checked_batch(
                inputs["labels"], 0, model.num_classes - 1, "labels", batch_size
            )
        if model.variable_length:
            lengths = checked_batch(
                inputs["lengths"], 1, model.seq_len, "lengths", batch_size
            )
        return labels, lengths

    def full_lengths(batch_size, length=model.seq_len):
        return tf.fill([batch_size], tf.cast(length, tf.int32))

    def serving_default(inputs):
        num_samples = _checked(
            inputs["num_samples"], 1, max_num_samples, "num_samples"
        )
        sequences, lengths = model.generate_from_seed(
            num_samples, inputs["seed"]
        )
        return {"sequences": sequences, "lengths": lengths}

    def generate_from_noise(inputs):
        noise = _checked_shape(
            inputs["noise"], [model.seq_len, model.noise_dim], "noise"
        )
        batch_size = tf.shape(noise)[0]
        labels, lengths = checked_conditions(inputs, batch_size)
        return {
            "sequences": model.sequences_from_noise(noise, labels, lengths),
            "lengths": full_lengths(batch_size) if lengths is None else lengths,
        }

    def discriminate(inputs):
        sequences = _checked_shape(
            inputs["sequences"],
            [model.seq_len, model.num_features],
            "sequences",
        )
        labels, lengths = checked_conditions(inputs, tf.shape(sequences)[0])
        return {"logits": model.discriminate(sequences, labels, lengths)}

    functions = {
        # The first endpoint is the one TF Serving calls by default.
        "serving_default": _endpoint(
            serving_default,
            [tf.TensorSpec((), tf.int32, name="num_samples"), seed_spec],
        ),
    }
    if model.num_classes:

        def generate_with_labels(inputs):
            labels = inputs["labels"]
            count = _checked(
                tf.shape(labels)[0], 1, max_num_samples, "the labels count"
            )
            labels = checked_batch(
                labels, 0, model.num_classes - 1, "labels", count
            )
            sequences, lengths = model.generate_from_seed(
                count, inputs["seed"], labels
            )
            return {"sequences": sequences, "lengths": lengths}

        functions["generate_with_labels"] = _endpoint(
            generate_with_labels, [labels_spec, seed_spec]
        )
    functions["generate_from_noise"] = _endpoint(
        generate_from_noise, [noise_spec] + conditions
    )
    functions["discriminate"] = _endpoint(
        discriminate, [sequences_spec] + conditions
    )
    condition_steps = getattr(model, "condition_steps", 0)
    if condition_steps:

        def continue_sequences(inputs):
            prefix = _checked_shape(
                inputs["prefix"],
                [condition_steps, model.num_features],
                "prefix",
            )
            batch_size = _checked(
                tf.shape(prefix)[0], 1, max_num_samples, "the prefix batch size"
            )
            with tf.control_dependencies([batch_size]):
                prefix = tf.identity(prefix)
            return {
                "sequences": model.continue_from_seed(prefix, inputs["seed"]),
                "lengths": full_lengths(batch_size),
            }

        def generate_long(inputs):
            length = _checked(inputs["length"], 1, max_length, "length")
            return {
                "sequences": model.generate_long_from_seed(
                    length, inputs["seed"]
                ),
                "lengths": full_lengths(1, length),
            }

        prefix_spec = tf.TensorSpec(
            (None, condition_steps, model.num_features),
            tf.float32,
            name="prefix",
        )
        functions["continue_sequences"] = _endpoint(
            continue_sequences, [prefix_spec, seed_spec]
        )
        functions["generate_long"] = _endpoint(
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
        "variable_length": model.variable_length,
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
    warmup=None,
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
      `(num_samples, seq_len, num_features)` and `lengths` int32
      `(num_samples,)`; the same seed gives the same sequences, as
      `model.generate(num_samples, seed)` does.
    - `generate_from_noise`: `noise` float32 `(None, seq_len, noise_dim)`
      -> `sequences`, `lengths`.

    - `discriminate`: `sequences` float32 `(None, seq_len, num_features)` in
      original units -> `logits` `(None,)`: the discriminator's real-vs-fake
      logit (averaged over time for per-step logits); for saliency maps or
      as an anomaly score.

    Label-conditional models (`num_classes > 0`) also serve
    `generate_with_labels`: `labels` int32 `(None,)` in `[0, num_classes)`,
    `seed` int64 -> one sequence per label; their `generate_from_noise` and
    `discriminate` take `labels` too, and `serving_default` draws labels from
    the training frequencies.

    Every signature returning `sequences` also returns `lengths`: where
    each sequence ends (all `seq_len`, or `length` for `generate_long`,
    unless the model learned variable lengths; steps past a sequence's
    length are zero). Variable-length models draw lengths from the training
    length frequencies; their `generate_from_noise` and `discriminate` take
    `lengths` int32 `(None,)` in `[1, seq_len]` too.

    Models with `condition_steps = k > 0` (`CRGAN`) also serve:

    - `continue_sequences`: `prefix` float32 `(None, k, num_features)` in
      original units, `seed` int64 -> `sequences` `(None, seq_len,
      num_features)` whose first `k` steps are the prefix.
    - `generate_long`: `length` int32 (1..max_length), `seed` int64 ->
      `sequences` `(1, length, num_features)`, windows chained on their last
      `k` steps.

    `assets.extra/keras_rgan.json` records the shapes and feature names.
    `assets.extra/tf_serving_warmup_requests` holds one small request per
    signature, which TF Serving replays when it loads the version, so the
    first real request does not pay for tracing (needs the
    `tensorflow-serving-api` package: `pip install 'keras-rgan[serving]'`).

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
        warmup: bool or None. Write the TF Serving warmup file: None writes
            it when `tensorflow-serving-api` is installed, True requires it.

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
    if warmup is None:
        warmup = serving.serving_api_available()
    elif warmup and not serving.serving_api_available():
        raise ImportError(
            "warmup=True needs the tensorflow-serving-api package: "
            "pip install 'keras-rgan[serving]'."
        )
    if os.path.exists(export_dir) and not os.path.isdir(export_dir):
        raise ValueError(
            f"The export path {export_dir} is a file, not a folder."
        )
    os.makedirs(export_dir, exist_ok=True)
    versions = existing_versions(export_dir)
    version = (versions[-1] + 1) if versions else 1
    target = os.path.join(export_dir, str(version))

    archive = ExportArchive()
    archive.track(model.generator)
    functions = _serving_functions(model, max_num_samples, max_length)
    # Portable graphs: Keras's standard LSTM ops, not the fused CPU kernel.
    with standard_kernels():
        for name, (fn, signature) in functions.items():
            archive.add_endpoint(name, fn, input_signature=signature)

    staging = tempfile.mkdtemp(prefix=f".export-{version}-", dir=export_dir)
    try:
        with model.averaged_generator(), standard_kernels():
            archive.write_out(staging, verbose=False)
        metadata_path = os.path.join(staging, METADATA_FILE)
        os.makedirs(os.path.dirname(metadata_path), exist_ok=True)
        with open(metadata_path, "w") as f:
            json.dump(
                {**_metadata(model, feature_names, metadata), "warmup": warmup},
                f,
                indent=2,
            )
        if warmup:
            serving.write_warmup_requests(
                staging,
                {
                    name: {spec.name: spec for spec in signature}
                    for name, (_, signature) in functions.items()
                },
                model.seq_len,
                model_name=os.path.basename(os.path.abspath(export_dir)),
            )
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
