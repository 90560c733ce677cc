"""Small builders and round-trip helpers shared by the tests."""

import json
import os
import subprocess
import sys

import keras
import numpy as np

import keras_rgan

SEQ_LEN = 8
NUM_FEATURES = 3
LATENT_DIM = 2


def tiny_rgan(
    seed=0,
    scaler=None,
    num_features=NUM_FEATURES,
    discriminator=None,
    **compile_kwargs,
):
    """A compiled RGAN small enough to train in milliseconds (with a
    two-layer `LSTMDiscriminator` of 8 units unless `discriminator` is
    given)."""
    gan = keras_rgan.RGAN(
        generator=keras_rgan.LSTMGenerator(num_features, units=8),
        discriminator=discriminator or keras_rgan.LSTMDiscriminator(units=8),
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


# === Registration and saving round trips (after keras-hub's TestCase) ===


def config_json(obj):
    """`obj.get_config()` as canonical JSON: what a `.keras` file would hold.

    Fails if the config is not JSON-serializable.
    """
    return json.dumps(obj.get_config(), sort_keys=True, indent=1)


def run_registration_test(cls, package="keras_rgan"):
    """`cls` is registered as `package>ClassName` and resolves back to
    itself."""
    name = keras.saving.get_registered_name(cls)
    assert name == f"{package}>{cls.__name__}", (
        f"{cls.__qualname__} is registered as {name!r}: is its "
        f"@keras.saving.register_keras_serializable(package={package!r}) "
        "right above the class?"
    )
    assert keras.saving.get_registered_object(name) is cls


def run_serialization_test(obj):
    """`from_config(get_config())` and `serialize_keras_object` ->
    JSON -> `deserialize_keras_object` both give an object of the same class
    with the same config. Faster than a saving test: no weights, no file.

    Returns the deserialized object.
    """
    cls = type(obj)
    config = config_json(obj)
    clone = cls.from_config(obj.get_config())
    assert type(clone) is cls
    assert config_json(clone) == config
    serialized = json.dumps(keras.saving.serialize_keras_object(obj))
    revived = keras.saving.deserialize_keras_object(json.loads(serialized))
    assert type(revived) is cls, f"{type(revived)} is not {cls}"
    assert config_json(revived) == config
    return revived


def run_saving_test(
    obj, tmp_path, outputs_fn, wrap=None, unwrap=None, rtol=1e-6, atol=1e-6
):
    """Saves `obj` to a `.keras` file, loads it without `custom_objects` and
    checks the restored object's class, config and outputs.

    Args:
        obj: the object under test.
        tmp_path: a directory for the file.
        outputs_fn: `obj -> array or structure of arrays`, compared before
            and after (e.g. a call on a fixed input, or `generate(n, seed)`).
        wrap: `obj -> keras.Model` to save, for objects that are not models
            themselves (a layer in a `Sequential`, a cell in an `RNN`, a
            scaler in a GAN); None saves `obj`.
        unwrap: `restored model -> restored object`, the inverse of `wrap`.

    Returns:
        The restored object.
    """
    expected = outputs_fn(obj)
    model = obj if wrap is None else wrap(obj)
    path = os.path.join(str(tmp_path), "saved.keras")
    model.save(path)
    restored_model = keras.saving.load_model(path)
    restored = restored_model if unwrap is None else unwrap(restored_model)
    assert type(restored) is type(obj), f"{type(restored)} is not {type(obj)}"
    assert config_json(restored) == config_json(obj)
    actual = outputs_fn(restored)
    expected, actual = keras.tree.flatten(expected), keras.tree.flatten(actual)
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(a),
            keras.ops.convert_to_numpy(e),
            rtol=rtol,
            atol=atol,
        )
    return restored
