"""A training's folder (`--model_dir`): the recorded options, the backup a
rerun resumes from, the model of the last completed epoch, TensorBoard logs
and, at the end, the trained `model.keras`."""

import json
import os

import keras

from keras_rgan.callbacks import SampleImages

MODEL_FILE = "model.keras"
LAST_FILE = "last.keras"
BACKUP_DIR = "backup"
LOG_DIR = "logs"
CONFIG_FILE = "train_config.json"
# Options a resumed run may change: everything else must match the run it
# resumes.
RESUMABLE_CHANGES = ("epochs", "export_dir")


def check(model_dir, options):
    """Refuses a `model_dir` that holds a trained model, or a backup of a
    training with other `options` (a JSON-ready dict of groups).

    Example:

    >>> import tempfile
    >>> check(tempfile.mkdtemp(), {"run": {"epochs": 1}})
    """
    if os.path.isfile(model_dir):
        raise ValueError(f"The model_dir {model_dir} is a file, not a folder.")
    if os.path.exists(os.path.join(model_dir, MODEL_FILE)):
        raise ValueError(
            f"{model_dir} already holds a trained {MODEL_FILE}; choose "
            "another model_dir or move it away."
        )
    if not os.path.exists(backup_dir(model_dir)):
        return
    path = os.path.join(model_dir, CONFIG_FILE)
    if not os.path.exists(path):
        raise ValueError(
            f"{model_dir} holds a backup but no {CONFIG_FILE}; it was not "
            "written by keras-rgan train."
        )
    with open(path) as f:
        earlier = _flat(json.load(f))
    changed = [
        f"{name} was {earlier.get(name)!r}, now {value!r}"
        for name, value in _flat(options).items()
        if name not in RESUMABLE_CHANGES and earlier.get(name) != value
    ]
    if changed:
        raise ValueError(
            f"{model_dir} holds a training to resume with another "
            f"configuration: {'; '.join(changed)}. Use the same flags or "
            "another model_dir."
        )


def _flat(groups):
    return {
        name: value
        for group in groups.values()
        if isinstance(group, dict)
        for name, value in group.items()
    }


def callbacks(model_dir, options, real, write_logs=True):
    """Writes `options` into `model_dir` and returns the callbacks that keep
    the training there: a backup of the last completed epoch (which the same
    call after a crash resumes from), that epoch's whole model, and, if
    `write_logs`, TensorBoard scalars and images of generated beside `real`
    sequences."""
    os.makedirs(model_dir, exist_ok=True)
    with open(os.path.join(model_dir, CONFIG_FILE), "w") as f:
        json.dump(options, f, indent=2)
    kept = []
    if write_logs:
        log_dir = os.path.join(model_dir, LOG_DIR)
        kept += [
            keras.callbacks.TensorBoard(log_dir=log_dir),
            SampleImages(log_dir, real=real),
        ]
    return kept + [
        keras.callbacks.BackupAndRestore(
            backup_dir(model_dir), double_checkpoint=True
        ),
        keras.callbacks.ModelCheckpoint(os.path.join(model_dir, LAST_FILE)),
    ]


def save(model, model_dir):
    """Saves the trained model as `model_dir/model.keras`; returns its path."""
    os.makedirs(model_dir, exist_ok=True)
    path = os.path.join(model_dir, MODEL_FILE)
    model.save(path)
    return path


def backup_dir(model_dir):
    """Where the backup of the last completed epoch is kept."""
    return os.path.join(model_dir, BACKUP_DIR)
