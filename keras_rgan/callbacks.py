"""Keras callbacks the package adds to training."""

import math

import keras


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite during training."""


class DivergenceGuard(keras.callbacks.Callback):
    """Stops training with `TrainingDiverged` when a logged loss is NaN or inf.

    It raises at the end of the batch where it sees the bad value, before the
    epoch ends, so checkpoints written at epoch ends (`BackupAndRestore`)
    keep the last good weights.

    Example:

    >>> guard = DivergenceGuard()
    >>> guard.set_params({"steps": 10})
    >>> guard.on_train_batch_end(3, {"d_loss": float("nan")})
    Traceback (most recent call last):
    ...
    keras_rgan.callbacks.TrainingDiverged: d_loss became nan at step 4 (epoch 1, batch 4).
    """

    def __init__(self):
        super().__init__()
        self.epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        for name, value in (logs or {}).items():
            value = float(value)
            if not math.isfinite(value):
                steps = self.params.get("steps") or 0
                step = self.epoch * steps + batch + 1
                raise TrainingDiverged(
                    f"{name} became {value} at step {step} "
                    f"(epoch {self.epoch + 1}, batch {batch + 1})."
                )
