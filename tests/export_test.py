import json
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

import keras_rgan
from keras_rgan.export import existing_versions
from keras_rgan.export import read_metadata
from tests import helpers


@pytest.fixture(scope="module")
def trained():
    """A tiny RGAN trained on data in original units far from [0, 1]."""
    x = helpers.tiny_data(32) * 1000.0 + 250.0
    scaler = keras_rgan.MinMaxScaler().fit(x)
    gan = helpers.tiny_rgan(scaler=scaler)
    gan.fit(scaler.transform(x), batch_size=8, epochs=1, verbose=0)
    return gan, x


@pytest.fixture(scope="module")
def exported(trained, tmp_path_factory):
    gan, _ = trained
    base = str(tmp_path_factory.mktemp("exports") / "sines")
    path = keras_rgan.export_saved_model(
        gan, base, feature_names=["a", "b", "c"]
    )
    return path, tf.saved_model.load(path)


def serve(loaded, num_samples, seed):
    outputs = loaded.signatures["serving_default"](
        num_samples=tf.constant(num_samples, tf.int32),
        seed=tf.constant(seed, tf.int64),
    )
    return outputs["sequences"].numpy()


def test_signatures_names_shapes_and_dtypes(exported):
    path, loaded = exported
    assert os.path.basename(path) == "1"
    assert set(loaded.signatures) == {
        "serving_default",
        "generate_from_noise",
        "discriminate",
    }
    inputs = loaded.signatures["serving_default"].structured_input_signature[1]
    assert (
        inputs["num_samples"].dtype == tf.int32
        and inputs["num_samples"].shape == ()
    )
    assert inputs["seed"].dtype == tf.int64 and inputs["seed"].shape == ()
    out = serve(loaded, 6, 1)
    assert out.shape == (6, helpers.SEQ_LEN, helpers.NUM_FEATURES)
    assert out.dtype == np.float32
    noise = np.zeros((2, helpers.SEQ_LEN, helpers.LATENT_DIM), "float32")
    from_noise = loaded.signatures["generate_from_noise"](
        noise=tf.constant(noise)
    )
    assert from_noise["sequences"].shape == (
        2,
        helpers.SEQ_LEN,
        helpers.NUM_FEATURES,
    )


def test_served_sequences_are_deterministic_per_seed_and_match_generate(
    trained, exported
):
    gan, _ = trained
    _, loaded = exported
    np.testing.assert_array_equal(serve(loaded, 4, 7), serve(loaded, 4, 7))
    assert not np.allclose(serve(loaded, 4, 7), serve(loaded, 4, 8))
    np.testing.assert_allclose(
        serve(loaded, 4, 7), gan.generate(4, seed=7), rtol=1e-5
    )


def test_served_values_are_in_original_units(trained, exported):
    _, x = trained
    _, loaded = exported
    out = serve(loaded, 200, 3)
    margin = 1e-3 * (x.max() - x.min())
    assert out.min() >= x.min() - margin and out.max() <= x.max() + margin
    assert out.max() > 1.5  # not left in the scaled [0, 1] space


@pytest.mark.parametrize("num_samples", [0, -3, 100_001])
def test_out_of_range_num_samples_is_rejected_in_the_graph(
    exported, num_samples
):
    _, loaded = exported
    with pytest.raises(tf.errors.InvalidArgumentError, match="num_samples"):
        serve(loaded, num_samples, 1)


def test_metadata_beside_the_export(exported):
    path, _ = exported
    metadata = read_metadata(path)
    assert metadata["feature_names"] == ["a", "b", "c"]
    assert metadata["seq_len"] == helpers.SEQ_LEN
    assert metadata["model"] == "RGAN"


def test_new_exports_take_the_next_version_and_never_touch_old_ones(
    trained, tmp_path
):
    gan, _ = trained
    base = tmp_path / "model"
    (base / "3").mkdir(parents=True)
    (base / "3" / "keep.txt").write_text("user data")
    (base / "notes").mkdir()
    path = keras_rgan.export_saved_model(gan, str(base))
    assert os.path.basename(path) == "4"
    assert (base / "3" / "keep.txt").read_text() == "user data"
    assert os.listdir(base / "3") == ["keep.txt"]
    path = keras_rgan.export_saved_model(gan, str(base))
    assert os.path.basename(path) == "5"
    assert existing_versions(str(base)) == [3, 4, 5]
    # No staging folder is left behind.
    assert sorted(os.listdir(base)) == ["3", "4", "5", "notes"]


def test_export_path_that_is_a_file(trained, tmp_path):
    gan, _ = trained
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(ValueError, match="is a file"):
        keras_rgan.export_saved_model(gan, str(target))


def test_loads_in_a_process_that_never_imports_keras_rgan(exported):
    path, loaded = exported
    code = f"""
import json, sys
import numpy as np
import tensorflow as tf
served = tf.saved_model.load({path!r})
out = served.signatures["serving_default"](
    num_samples=tf.constant(3), seed=tf.constant(7, tf.int64))["sequences"]
assert "keras_rgan" not in sys.modules
print(json.dumps(out.numpy().tolist()))
"""
    result = helpers.run_python(code)
    assert result.returncode == 0, result.stderr[-2000:]
    served = np.array(json.loads(result.stdout.strip().splitlines()[-1]))
    np.testing.assert_allclose(served, serve(loaded, 3, 7), rtol=1e-5)


def test_saved_model_cli_lists_both_signatures(exported):
    path, _ = exported
    cli = os.path.join(os.path.dirname(sys.executable), "saved_model_cli")
    result = subprocess.run(
        [cli, "show", "--all", "--dir", path],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "signature_def['serving_default']" in result.stdout
    assert "signature_def['generate_from_noise']" in result.stdout
    assert "inputs['num_samples']" in result.stdout
    assert "outputs['sequences']" in result.stdout
