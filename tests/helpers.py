"""Small builders and round-trip helpers shared by the tests."""

import os
import subprocess
import sys

import keras
import numpy as np

import keras_rgan

SEQ_LEN = 8
NUM_FEATURES = 3
LATENT_DIM = 2


def tiny_rgan(seed=0, scaler=None, num_features=NUM_FEATURES, **compile_kwargs):
    """A compiled RGAN small enough to train in milliseconds."""
    gan = keras_rgan.RGAN(
        generator=keras_rgan.LSTMGenerator(num_features, units=8),
        discriminator=keras_rgan.LSTMDiscriminator(units=8),
        seq_len=SEQ_LEN,
        latent_dim=LATENT_DIM,
        scaler=scaler,
        seed=seed,
    )
    gan.compile(**compile_kwargs)
    return gan


def tiny_data(n=32, seed=0):
    return keras_rgan.data.sine_waves(n, SEQ_LEN, NUM_FEATURES, seed=seed)


def max_weight_change(before, after):
    return max(float(np.abs(a - b).max()) for a, b in zip(before, after))


def keras_round_trip(model, tmp_path):
    path = os.path.join(str(tmp_path), "model.keras")
    model.save(path)
    return keras.saving.load_model(path)


def run_python(code, timeout=300):
    """Runs `code` in a fresh Python process; returns the CompletedProcess."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
