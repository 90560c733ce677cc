"""Same seed + --deterministic -> bit-identical weights and served samples;
concurrent serving; interrupted exports."""

import os
import subprocess
import sys
import threading

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_rgan
from keras_rgan import export as export_lib
from tests import helpers


def _train(tmp_path, name):
    command = [
        sys.executable,
        "-m",
        "keras_rgan.cli",
        "train",
        "--deterministic",
        "--num_sequences=200",
        "--seq_len=8",
        "--batch_size=32",
        "--units=8",
        "--epochs=2",
        "--seed=11",
        f"--model_dir={tmp_path / name}",
        f"--export_dir={tmp_path / name / 'export'}",
    ]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    result = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip().splitlines()[-1]


def test_two_seeded_deterministic_trainings_are_bit_identical(tmp_path):
    exports = [_train(tmp_path, "a"), _train(tmp_path, "b")]
    models = [
        keras.saving.load_model(str(tmp_path / n / "model.keras")) for n in "ab"
    ]
    for wa, wb in zip(models[0].get_weights(), models[1].get_weights()):
        np.testing.assert_array_equal(wa, wb)
    served = [
        tf.saved_model.load(path)
        .signatures["serving_default"](
            num_samples=tf.constant(16), seed=tf.constant(3, tf.int64)
        )["sequences"]
        .numpy()
        for path in exports
    ]
    np.testing.assert_array_equal(served[0], served[1])


def test_one_loaded_model_serves_many_threads(tmp_path):
    gan = helpers.tiny_rgan()
    path = keras_rgan.export_saved_model(gan, str(tmp_path / "m"))
    serve = tf.saved_model.load(path).signatures["serving_default"]
    expected = {
        seed: serve(
            num_samples=tf.constant(4), seed=tf.constant(seed, tf.int64)
        )["sequences"].numpy()
        for seed in range(8)
    }
    errors = []

    def worker(seed):
        try:
            for _ in range(100):
                out = serve(
                    num_samples=tf.constant(4), seed=tf.constant(seed, tf.int64)
                )
                np.testing.assert_array_equal(
                    out["sequences"].numpy(), expected[seed]
                )
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [
        threading.Thread(target=worker, args=(seed,)) for seed in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors[0]


def test_an_interrupted_export_leaves_no_version_behind(tmp_path, monkeypatch):
    gan = helpers.tiny_rgan()
    base = tmp_path / "model"
    first = keras_rgan.export_saved_model(gan, str(base))
    before = sorted(os.listdir(first))

    def write_half_then_die(self, filepath, *args, **kwargs):
        os.makedirs(os.path.join(filepath, "variables"), exist_ok=True)
        with open(os.path.join(filepath, "saved_model.pb"), "wb") as f:
            f.write(b"partial")
        raise KeyboardInterrupt("killed during the export")

    archive_type = type(export_lib.ExportArchive())
    monkeypatch.setattr(archive_type, "write_out", write_half_then_die)
    with pytest.raises(KeyboardInterrupt):
        keras_rgan.export_saved_model(gan, str(base))
    monkeypatch.undo()
    # No version 2, no staging folder, version 1 untouched.
    assert sorted(os.listdir(base)) == ["1"]
    assert sorted(os.listdir(first)) == before

    # A staging folder left by a process killed outright (SIGKILL) is hidden
    # from TF Serving (not a number) and does not block the next export.
    (base / ".export-2-leftover").mkdir()
    second = keras_rgan.export_saved_model(gan, str(base))
    assert os.path.basename(second) == "2"
    assert export_lib.existing_versions(str(base)) == [1, 2]
