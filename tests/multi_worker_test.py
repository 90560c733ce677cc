"""Two worker processes on localhost train one model with
MultiWorkerMirroredStrategy; only the chief exports."""

import json
import os
import socket
import subprocess
import sys

import keras
import numpy as np
import tensorflow as tf

import keras_rgan  # noqa: F401  (registers the classes load_model needs)


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("localhost", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def test_two_workers_train_the_same_weights_and_the_chief_exports(tmp_path):
    workers = [f"localhost:{port}" for port in free_ports(2)]
    command = [
        sys.executable,
        "-m",
        "keras_rgan.cli",
        "train",
        "--strategy=multi_worker",
        "--num_sequences=256",
        "--seq_len=8",
        "--batch_size=32",
        "--units=4",
        "--epochs=2",
        "--seed=4",
        "--verbosity=0",
        f"--model_dir={tmp_path / 'run'}",
        f"--export_dir={tmp_path / 'export'}",
    ]
    processes = []
    for index in range(2):
        tf_config = {
            "cluster": {"worker": workers},
            "task": {"type": "worker", "index": index},
        }
        env = dict(
            os.environ,
            TF_CONFIG=json.dumps(tf_config),
            TF_CPP_MIN_LOG_LEVEL="2",
            CUDA_VISIBLE_DEVICES="",
        )
        processes.append(
            subprocess.Popen(
                command,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
        )
    outputs = [p.communicate(timeout=600) for p in processes]
    for process, (_, err) in zip(processes, outputs):
        assert process.returncode == 0, err[-3000:]

    chief_out = outputs[0][0].strip().splitlines()
    assert chief_out[-1] == str(tmp_path / "export" / "1")
    assert sorted(os.listdir(tmp_path / "export")) == [
        "1"
    ]  # worker 1 exported nothing
    assert str(tmp_path / "export") not in outputs[1][0]

    chief = keras.saving.load_model(str(tmp_path / "run" / "model.keras"))
    worker = keras.saving.load_model(
        str(tmp_path / "run" / "worker_1" / "model.keras")
    )
    assert int(chief.g_optimizer.iterations) > 0
    for a, b in zip(chief.get_weights(), worker.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-6)
    served = tf.saved_model.load(str(tmp_path / "export" / "1")).signatures[
        "serving_default"
    ](num_samples=tf.constant(2), seed=tf.constant(0, tf.int64))
    assert served["sequences"].shape == (2, 8, 5)
