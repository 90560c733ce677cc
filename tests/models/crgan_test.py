import json

import numpy as np
import pytest
import tensorflow as tf

import keras_rgan
from tests import helpers

SEQ_LEN, FEATURES, K = 10, 2, 4


def data(n=32):
    return (
        keras_rgan.data.sine_waves(n, SEQ_LEN, FEATURES, seed=0) * 50.0 + 10.0
    )


def tiny_crgan(
    cell="tanh", condition_steps=K, scaler=None, seed=0, **compile_kwargs
):
    gan = keras_rgan.CRGAN(
        seq_len=SEQ_LEN,
        num_features=FEATURES,
        latent_dim=3,
        cell=cell,
        units=8,
        dense_units=[6],
        condition_steps=condition_steps,
        scaler=scaler,
        seed=seed,
    )
    gan.compile(**compile_kwargs)
    return gan


@pytest.fixture(scope="module")
def trained():
    x = data()
    scaler = keras_rgan.MinMaxScaler().fit(x)
    gan = tiny_crgan(scaler=scaler)
    gan.fit(scaler.transform(x), batch_size=8, epochs=2, verbose=0)
    return gan, x


def test_players_built_from_one_backbone_definition_with_own_weights():
    gan = tiny_crgan(cell="lstm")
    g, d = gan.generator.backbone, gan.discriminator.backbone
    for key in ("cell", "units", "num_layers", "dense_units"):
        assert g.get_config()[key] == d.get_config()[key]
    assert g.cell == "lstm" and g.dense_units == [6]
    g_ids = {id(v) for v in gan.generator.weights}
    assert not g_ids & {id(v) for v in gan.discriminator.weights}


@pytest.mark.parametrize("cell", ["tanh", "lstm"])
@pytest.mark.parametrize("condition_steps", [0, K])
def test_one_step_trains_both_players(cell, condition_steps):
    gan = tiny_crgan(cell=cell, condition_steps=condition_steps)
    before = gan.get_weights()
    g_before = [w.numpy() for w in gan.generator.trainable_weights]
    logs = gan.train_on_batch(
        keras_rgan.data.sine_waves(8, SEQ_LEN, FEATURES), return_dict=True
    )
    assert all(np.isfinite(v) for v in logs.values())
    g_after = [w.numpy() for w in gan.generator.trainable_weights]
    assert helpers.max_weight_change(g_before, g_after) > 0
    assert helpers.max_weight_change(before, gan.get_weights()) > 0


def test_split_batch_gives_generator_one_half_and_discriminator_the_other():
    gan = tiny_crgan()
    gan.unconditional_fraction = 0.0
    real = tf.constant(
        np.arange(8 * SEQ_LEN * FEATURES, dtype="float32").reshape(
            8, SEQ_LEN, FEATURES
        )
    )
    labels = tf.constant([0, 1, 2, 3, 4, 5, 6, 7])
    discriminator_real, d_condition, condition = gan.split_batch(
        real, {"labels": labels, "lengths": None}
    )
    values, mask = condition["prefix"]
    np.testing.assert_array_equal(discriminator_real, real[4:])
    np.testing.assert_array_equal(d_condition["labels"], [4, 5, 6, 7])
    np.testing.assert_array_equal(condition["labels"], [0, 1, 2, 3])
    np.testing.assert_array_equal(values[:, :K], real[:4, :K])
    assert np.all(values[:, K:] == 0)
    np.testing.assert_array_equal(mask[0, :, 0], [1] * K + [0] * (SEQ_LEN - K))
    fake = gan.fake_from_noise(gan.training_noise(4), condition)
    np.testing.assert_array_equal(fake[:, :K], real[:4, :K])


def test_two_replicas_train(mirrored_strategy):
    x = keras_rgan.data.sine_waves(32, SEQ_LEN, FEATURES)
    strategy = mirrored_strategy
    with strategy.scope():
        gan = tiny_crgan()
    before = gan.get_weights()
    history = gan.fit(
        keras_rgan.data.make_dataset(x, 16, seed=0), epochs=1, verbose=0
    )
    assert np.isfinite(history.history["d_loss"]).all()
    assert helpers.max_weight_change(before, gan.get_weights()) > 0


def test_continuations_begin_with_the_prefix_exactly(trained):
    gan, x = trained
    prefix = x[:5, :K]
    out = gan.continue_sequences(prefix, seed=3)
    assert out.shape == (5, SEQ_LEN, FEATURES)
    np.testing.assert_array_equal(out[:, :K], prefix.astype("float32"))
    np.testing.assert_array_equal(out, gan.continue_sequences(prefix, seed=3))
    assert not np.allclose(out, gan.continue_sequences(prefix, seed=4))
    margin = 0.01 * (x.max() - x.min())
    assert out.min() >= x.min() - margin and out.max() <= x.max() + margin


def test_generate_long_chains_windows_on_their_tails(trained):
    gan, _ = trained
    length = 31
    series = gan.generate_long(length, seed=5)
    assert series.shape == (1, length, FEATURES)
    # Rebuild the chain window by window: window i continues the last K
    # steps of the series so far, with noise stream i.
    chain = gan.fake_from_noise(gan.noise_from_seed(1, 5, 0)).numpy()
    windows = [chain]
    stream = 1
    while chain.shape[1] < length:
        window = gan.continue_scaled(
            chain[:, -K:], gan.noise_from_seed(1, 5, stream)
        )
        window = window.numpy()
        np.testing.assert_array_equal(window[:, :K], chain[:, -K:])  # the join
        chain = np.concatenate([chain, window[:, K:]], axis=1)
        windows.append(window)
        stream += 1
    assert len(windows) == 1 + int(np.ceil((length - SEQ_LEN) / (SEQ_LEN - K)))
    expected = gan.to_original_units(chain[:, :length])
    np.testing.assert_allclose(series, expected, rtol=1e-5)


def test_unconditional_model_refuses_to_continue():
    gan = tiny_crgan(condition_steps=0)
    with pytest.raises(ValueError, match="condition_steps=0"):
        gan.continue_sequences(np.zeros((1, K, FEATURES)))
    with pytest.raises(ValueError, match="condition_steps=0"):
        gan.generate_long(20)


def test_numpy_api_errors(trained):
    gan, _ = trained
    with pytest.raises(
        ValueError, match=r"prefix must have shape \(batch, 4, 2\)"
    ):
        gan.continue_sequences(np.zeros((2, K + 1, FEATURES)))
    with pytest.raises(ValueError, match="length must be positive"):
        gan.generate_long(0)
    with pytest.raises(ValueError, match="condition_steps must be in"):
        tiny_crgan(condition_steps=SEQ_LEN)


def test_keras_file_round_trip(trained, tmp_path):
    gan, _ = trained
    restored = helpers.keras_round_trip(gan, tmp_path)
    assert isinstance(restored, keras_rgan.CRGAN) and restored.compiled
    assert restored.condition_steps == K
    np.testing.assert_allclose(
        restored.generate(3, seed=1), gan.generate(3, seed=1), rtol=1e-6
    )
    np.testing.assert_allclose(
        restored.generate_long(25, seed=1),
        gan.generate_long(25, seed=1),
        rtol=1e-6,
    )


@pytest.fixture(scope="module")
def exported(trained, tmp_path_factory):
    gan, _ = trained
    path = keras_rgan.export_saved_model(
        gan, str(tmp_path_factory.mktemp("crgan")), max_length=500
    )
    return path, tf.saved_model.load(path)


def test_saved_model_signatures_in_a_fresh_process(trained, exported):
    gan, x = trained
    path, _ = exported
    prefix = x[:3, :K].astype("float32")
    code = f"""
import json, sys
import numpy as np
import tensorflow as tf
served = tf.saved_model.load({path!r})
prefix = tf.constant(np.array({prefix.tolist()!r}, "float32"))
seed = tf.constant(2, tf.int64)
out = {{
    "signatures": sorted(served.signatures),
    "continued": served.signatures["continue_sequences"](
        prefix=prefix, seed=seed)["sequences"].numpy().tolist(),
    "long": served.signatures["generate_long"](
        length=tf.constant(40), seed=seed)["sequences"].numpy().tolist(),
    "plain": served.signatures["serving_default"](
        num_samples=tf.constant(2), seed=seed)["sequences"].numpy().tolist(),
}}
assert "keras_rgan" not in sys.modules
print(json.dumps(out))
"""
    result = helpers.run_python(code)
    assert result.returncode == 0, result.stderr[-2000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["signatures"] == [
        "continue_sequences",
        "discriminate",
        "generate_from_noise",
        "generate_long",
        "serving_default",
    ]
    continued = np.array(out["continued"], "float32")
    np.testing.assert_array_equal(continued[:, :K], prefix)
    np.testing.assert_allclose(
        continued, gan.continue_sequences(prefix, seed=2), rtol=1e-5
    )
    np.testing.assert_allclose(
        np.array(out["long"]), gan.generate_long(40, seed=2), rtol=1e-5
    )
    assert np.array(out["plain"]).shape == (2, SEQ_LEN, FEATURES)


@pytest.mark.parametrize(
    "signature, inputs, message",
    [
        (
            "continue_sequences",
            {"prefix": np.zeros((2, K + 1, FEATURES))},
            r"prefix must have shape \(None, 4, 2\)",
        ),
        (
            "continue_sequences",
            {"prefix": np.zeros((2, K, FEATURES + 1))},
            r"prefix must have shape \(None, 4, 2\)",
        ),
        (
            "continue_sequences",
            {"prefix": np.zeros((0, K, FEATURES))},
            "prefix batch size must be >= 1",
        ),
        ("generate_long", {"length": 0}, "length must be >= 1"),
        ("generate_long", {"length": -5}, "length must be >= 1"),
        ("generate_long", {"length": 501}, "length must be <= 500"),
        (
            "generate_from_noise",
            {"noise": np.zeros((2, SEQ_LEN, 2))},
            r"noise must have shape \(None, 10, 3\)",
        ),
    ],
)
def test_serving_inputs_are_validated_in_the_graph(
    exported, signature, inputs, message
):
    _, loaded = exported
    tensors = {
        name: tf.constant(value, tf.float32 if name != "length" else tf.int32)
        for name, value in inputs.items()
    }
    if signature != "generate_from_noise":
        tensors["seed"] = tf.constant(1, tf.int64)
    with pytest.raises(tf.errors.InvalidArgumentError, match=message):
        loaded.signatures[signature](**tensors)


def test_without_a_prefix_it_trains_with_differential_privacy():
    # The refusal for condition_steps > 0 names condition_steps=0 as the way.
    gan = keras_rgan.CRGAN(
        seq_len=SEQ_LEN,
        num_features=FEATURES,
        latent_dim=3,
        units=8,
        condition_steps=0,
        unroll=True,  # DP-SGD vectorises unrolled recurrences only
        seed=0,
    )
    gan.compile(loss="wgan_gp", dp_l2_norm_clip=1.0, dp_noise_multiplier=1.0)
    logs = gan.train_on_batch(data(16), return_dict=True)
    assert 0.0 <= logs["dp_clipped_share"] <= 1.0
    assert np.isfinite(logs["d_loss"])
