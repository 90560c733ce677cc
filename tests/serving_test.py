"""The shipped exports load and serve: in a fresh process, with
saved_model_cli, as gRPC requests and from their warmup records."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from keras_rgan import serving
from tests import helpers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHIPPED = {
    # name: (shape of one sequence, value range of the data)
    "sines": ((24, 5), (0.0, 1.0)),
    "stocks": ((24, 6), None),
}


def export_path(name):
    return os.path.join(ROOT, "saved_models", name, "1")


def metadata(name):
    with open(
        os.path.join(export_path(name), "assets.extra", "keras_rgan.json")
    ) as f:
        return json.load(f)


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_export_is_small_documented_and_generates_in_a_fresh_process(
    name,
):
    path = export_path(name)
    size = sum(
        os.path.getsize(os.path.join(folder, f))
        for folder, _, files in os.walk(path)
        for f in files
    )
    assert size < 5 * 2**20
    card = open(os.path.join(ROOT, "saved_models", name, "README.md")).read()
    for needle in ("keras-rgan train", "Discriminative", "Date"):
        assert needle in card
    shape, value_range = SHIPPED[name]
    if value_range is None:  # The data's own range, from the export's scaler.
        scaler = metadata(name)["scaler"]
        value_range = (min(scaler["data_min"]), max(scaler["data_max"]))
    code = f"""
import sys, numpy as np, tensorflow as tf
served = tf.saved_model.load({path!r})
out = served.signatures["serving_default"](
    num_samples=tf.constant(50), seed=tf.constant(3, tf.int64)
)
x = out["sequences"].numpy()
assert "keras_rgan" not in sys.modules
lengths = out["lengths"].numpy().tolist()[:3]
print(x.shape, float(x.min()), float(x.max()), lengths)
"""
    result = helpers.run_python(code)
    assert result.returncode == 0, result.stderr[-3000:]
    printed = result.stdout.strip().splitlines()[-1]
    assert printed.startswith(str((50,) + shape))
    low, high = (float(v) for v in printed.split(")")[1].split()[:2])
    span = value_range[1] - value_range[0]
    assert (
        value_range[0] - 0.05 * span
        <= low
        <= high
        <= value_range[1] + 0.05 * span
    )
    assert high - low > 0.1 * span  # not collapsed to a constant


def test_saved_model_cli_shows_and_runs_a_shipped_export():
    cli = os.path.join(os.path.dirname(sys.executable), "saved_model_cli")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    show = subprocess.run(
        [cli, "show", "--all", "--dir", export_path("sines")],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert show.returncode == 0, show.stderr[-2000:]
    for signature in ("serving_default", "generate_from_noise", "discriminate"):
        assert f"signature_def['{signature}']" in show.stdout
    run = subprocess.run(
        [
            cli,
            "run",
            "--dir",
            export_path("sines"),
            "--tag_set",
            "serve",
            "--signature_def",
            "serving_default",
            "--input_exprs",
            "num_samples=3;seed=7",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Result for output key sequences" in run.stdout
    assert "Result for output key lengths" in run.stdout


def test_readme_grpc_request_matches_the_signature():
    loaded = tf.saved_model.load(export_path("sines"))
    request = serving.predict_request(
        "sines",
        "serving_default",
        {"num_samples": np.int32(4), "seed": np.int64(7)},
    )
    _, specs = loaded.signatures["serving_default"].structured_input_signature
    assert request.model_spec.name == "sines"
    assert set(request.inputs) == set(specs)
    for name, spec in specs.items():
        proto = request.inputs[name]
        assert proto.dtype == spec.dtype.as_datatype_enum
        assert len(proto.tensor_shape.dim) == spec.shape.rank
    readme = open(os.path.join(ROOT, "README.md")).read()
    assert (
        'predict_request("sines", "serving_default", '
        '{"num_samples": np.int32(4), "seed": np.int64(7)})' in readme
    )


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_warmup_records_replay_through_the_loaded_model(name):
    loaded = tf.saved_model.load(export_path(name))
    requests = serving.read_warmup_requests(export_path(name))
    assert {signature for signature, _ in requests} == set(loaded.signatures)
    for signature, inputs in requests:
        outputs = loaded.signatures[signature](
            **{key: tf.constant(value) for key, value in inputs.items()}
        )
        for value in outputs.values():
            assert np.isfinite(value.numpy()).all()


def test_models_config_serves_every_shipped_model():
    from google.protobuf import text_format
    from tensorflow_serving.config import model_server_config_pb2

    with open(os.path.join(ROOT, "saved_models", "models.config")) as f:
        config = text_format.Parse(
            f.read(), model_server_config_pb2.ModelServerConfig()
        )
    models = {c.name: c.base_path for c in config.model_config_list.config}
    assert models == {name: f"/models/{name}" for name in SHIPPED}
    for name in models:
        assert os.path.isdir(export_path(name))
