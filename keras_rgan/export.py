"""Versioned SavedModel export for TF Serving, in the data's original units."""

import json
import os
import re
import shutil
import tempfile

from keras.export import ExportArchive

from keras_rgan import serving
from keras_rgan.model_card import model_card
from keras_rgan.version import __version__

DEFAULT_MAX_NUM_SAMPLES = 100_000
DEFAULT_MAX_LENGTH = 100_000
METADATA_FILE = os.path.join("assets.extra", "keras_rgan.json")
MODEL_CARD_FILE = os.path.join("assets.extra", "MODEL_CARD.md")


def check_export_options(
    export_dir,
    max_num_samples=DEFAULT_MAX_NUM_SAMPLES,
    max_length=DEFAULT_MAX_LENGTH,
):
    """Raises a `ValueError` if `export_dir` cannot hold versions or a
    request limit is not positive.

    >>> check_export_options(tempfile.mkdtemp(), max_num_samples=10)
    """
    if max_num_samples < 1 or max_length < 1:
        raise ValueError(
            "max_num_samples and max_length must be positive, got "
            f"{max_num_samples} and {max_length}."
        )
    if os.path.exists(export_dir) and not os.path.isdir(export_dir):
        raise ValueError(
            f"The export path {export_dir} is a file, not a folder."
        )


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


def _metadata(model, feature_names, extra, max_num_samples):
    return {
        **(extra or {}),
        "max_num_samples": max_num_samples,
        "keras_rgan_version": __version__,
        "model": type(model).__name__,
        "seq_len": model.seq_len,
        "num_features": model.num_features,
        "latent_dim": model.latent_dim,
        "noise_dim": model.drawn_noise_dim,
        "condition_steps": getattr(model, "condition_steps", 0),
        "num_classes": model.num_classes,
        "variable_length": model.variable_length,
        "feature_names": list(feature_names)
        if feature_names
        else [f"feature_{k}" for k in range(model.num_features)],
        "scaler": None if model.scaler is None else model.scaler.get_config(),
        "schema": None if model.schema is None else model.schema.get_config(),
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
      (`drawn_noise_dim` for tables: the heads sample with the extra)
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

    `assets.extra/keras_rgan.json` records the shapes and feature names
    (and a private training's `privacy` record); `assets.extra/MODEL_CARD.md`
    says the same for people (`keras_rgan.model_card`).
    `assets.extra/tf_serving_warmup_requests` holds one small request per
    signature, which TF Serving replays when it loads the version, so the
    first real request does not pay for tracing (needs the
    `tensorflow-serving-api` package, which `pip install '.[serving]'`
    brings from a clone of keras_rgan).

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
    check_export_options(export_dir, max_num_samples, max_length)
    if warmup is None:
        warmup = serving.serving_api_available()
    elif warmup and not serving.serving_api_available():
        raise ImportError(
            "warmup=True needs the tensorflow-serving-api package: "
            "pip install tensorflow-serving-api, or pip install '.[serving]' "
            "from a clone of keras_rgan."
        )
    os.makedirs(export_dir, exist_ok=True)
    versions = existing_versions(export_dir)
    version = (versions[-1] + 1) if versions else 1
    target = os.path.join(export_dir, str(version))

    archive = ExportArchive()
    archive.track(model.generator)
    staging = tempfile.mkdtemp(prefix=f".export-{version}-", dir=export_dir)
    try:
        with model.portable_graphs():
            signatures = model.serving_signatures(max_num_samples, max_length)
            for name, (fn, signature) in signatures.items():
                archive.add_endpoint(name, fn, input_signature=signature)
            with model.averaged_generator():
                archive.write_out(staging, verbose=False)
        metadata_path = os.path.join(staging, METADATA_FILE)
        os.makedirs(os.path.dirname(metadata_path), exist_ok=True)
        recorded = {
            **_metadata(model, feature_names, metadata, max_num_samples),
            "warmup": warmup,
        }
        with open(metadata_path, "w") as f:
            json.dump(recorded, f, indent=2)
        with open(os.path.join(staging, MODEL_CARD_FILE), "w") as f:
            f.write(model_card(recorded))
        if warmup:
            serving.write_warmup_requests(
                staging,
                {
                    name: {spec.name: spec for spec in signature}
                    for name, (_, signature) in signatures.items()
                },
                model.seq_len,
                model_name=os.path.basename(os.path.abspath(export_dir)),
                fills=model.schema and model.schema.example_fills(),
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
