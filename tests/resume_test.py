"""Resume after a crash, and divergence, with a real model_dir."""

import json
import os
import re
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest

import keras_rgan  # noqa: F401  (registers the classes load_model needs)
from keras_rgan import train_lib

TINY = dict(num_sequences=64, seq_len=8, batch_size=16, units=4, verbose=0)


def test_nan_loss_stops_training_naming_the_step_and_keeps_good_weights(
    tmp_path,
):
    class Poison(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 2:  # After two good epochs, break the discriminator.
                for weight in self.model.discriminator.trainable_weights:
                    weight.assign(np.full(weight.shape, np.nan, "float32"))

    config = train_lib.TrainConfig.from_options(
        model="rgan",
        model_dir=str(tmp_path / "run"),
        export_dir=str(tmp_path / "exp"),
        epochs=5,
        **TINY,
    )
    with pytest.raises(train_lib.TrainingDiverged) as error:
        train_lib.train(config, callbacks=[Poison()])
    message = str(error.value)
    # 3 steps an epoch (64 sequences, 10% held out, batch 16 -> 3 full
    # batches), one execution of them (steps_per_execution 32).
    assert "became nan in steps 7 to 9 (epoch 3, batches 1 to 3)" in message, (
        message
    )
    backup = tmp_path / "run" / "backup"
    assert str(backup) in message
    metadata = json.loads((backup / "training_metadata.json").read_text())
    assert metadata["epoch"] == 2
    restored = train_lib.prepare(config).model
    restored.load_weights(str(backup / "latest.weights.h5"))
    assert all(np.isfinite(w).all() for w in restored.get_weights())
    last = keras.saving.load_model(str(tmp_path / "run" / "last.keras"))
    assert int(last.g_optimizer.iterations) == 2 * 3
    assert all(np.isfinite(w).all() for w in last.get_weights())
    assert not (tmp_path / "exp").exists()  # nothing exported
    # Resuming that run with other data is refused before any training.
    other = train_lib.TrainConfig.from_options(
        model="rgan",
        model_dir=str(tmp_path / "run"),
        epochs=8,
        **{**TINY, "num_sequences": 80},
    )
    with pytest.raises(ValueError, match="num_sequences was 64, now 80"):
        train_lib.prepare(other)
    longer = train_lib.TrainConfig.from_options(
        model="rgan", model_dir=str(tmp_path / "run"), epochs=8, **TINY
    )
    train_lib.prepare(longer)  # more epochs is fine


def _train_command(tmp_path, epochs):
    return [
        sys.executable,
        "-m",
        "keras_rgan.cli",
        "train",
        "--num_sequences=3000",
        "--seq_len=8",
        "--batch_size=16",
        "--units=8",
        f"--epochs={epochs}",
        "--seed=1",
        f"--model_dir={tmp_path / 'run'}",
        f"--export_dir={tmp_path / 'exp'}",
    ]


def test_sigkill_mid_epoch_then_the_same_command_resumes(tmp_path):
    command = _train_command(tmp_path, epochs=6)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    metadata_path = tmp_path / "run" / "backup" / "training_metadata.json"
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    deadline = time.time() + 300
    completed = 0
    while time.time() < deadline and process.poll() is None:
        if metadata_path.exists():
            try:
                completed = json.loads(metadata_path.read_text())["epoch"]
            except (ValueError, KeyError):
                completed = 0
            if completed >= 2:
                time.sleep(0.3)  # well inside the next epoch
                break
        time.sleep(0.05)
    assert process.poll() is None, "training ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    assert not (tmp_path / "exp").exists()
    killed_at = json.loads(metadata_path.read_text())["epoch"]
    assert 2 <= killed_at < 6

    result = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    epochs_run = [int(n) for n in re.findall(r"Epoch (\d+)/6", result.stdout)]
    assert epochs_run and epochs_run[0] == killed_at + 1, epochs_run
    assert epochs_run[-1] == 6
    assert result.stdout.strip().splitlines()[-1] == str(tmp_path / "exp" / "1")
    assert (tmp_path / "run" / "model.keras").exists()
    assert not (tmp_path / "run" / "backup").exists()  # removed after success
