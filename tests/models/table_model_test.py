"""GANs of users' tables: categories, whole numbers, missing cells, time."""

import json
import os

import keras
import numpy as np
import pandas as pd
import pytest
import tensorflow as tf

import keras_rgan
from keras_rgan import config as config_lib
from keras_rgan import train_lib
from tests import helpers

SEQ_LEN = 8


def long_table(num_sequences=50, seed=0):
    """Sequences of 6 to 14 daily steps: a number with 5% of its cells
    missing in blocks, a whole-number count, and a text category."""
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(num_sequences):
        length = int(rng.integers(6, 15))
        x = np.cumsum(rng.normal(size=length)) + i % 5
        start = int(rng.integers(0, length))
        if rng.random() < 0.3:
            x[start : start + 3] = np.nan
        frames.append(
            pd.DataFrame(
                {
                    "patient": f"p{i}",
                    "day": pd.date_range("2024-03-01", periods=length)
                    + pd.Timedelta(days=int(rng.integers(0, 30))),
                    "x": x,
                    "count": rng.poisson(3, length),
                    "state": rng.choice(["rest", "walk", "run"], length),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def prepared(frame=None, batch_size=16):
    return keras_rgan.data.from_dataframe(
        long_table() if frame is None else frame,
        seq_len=SEQ_LEN,
        id_column="patient",
        time_column="day",
        categorical=["state"],
        batch_size=batch_size,
    )


def table_gan(data, seed=0):
    keras.utils.set_random_seed(seed)
    return keras_rgan.RGAN.for_data(
        data, units=4, num_layers=1, d_steps=1, seed=seed, train_steps=20
    )


def test_the_table_is_encoded_as_the_schema_says():
    data = prepared()
    schema = data.schema
    assert data.feature_names == ["x", "count", "state"]
    assert schema.blocks() == [
        ("numeric", 2),
        ("categorical", 3),
        ("observed", 3),
    ]
    assert schema.categorical == [["state", ["rest", "run", "walk"]]]
    assert schema.integer_grids == {"count": [0, 1]}
    assert schema.time["kind"] == "datetime"
    assert schema.time["step"] == 86400e9
    batch = next(iter(data.dataset()))
    assert batch["sequences"].shape == (16, SEQ_LEN, schema.encoded_dim)


def test_the_heads_start_at_the_datas_category_and_missing_shares():
    frame = long_table(200)
    frame.loc[frame.index % 4 == 0, "x"] = np.nan  # About a quarter.
    data = prepared(frame)
    frequencies = np.asarray(data.step_frequencies())
    # The mean encoded step of the valid (unpadded) training steps.
    observed = data.train.observed[
        np.arange(SEQ_LEN) < data.train.lengths[:, None]
    ]
    np.testing.assert_allclose(frequencies[-3:], observed.mean(0), atol=1e-6)
    assert 0.6 < frequencies[-3] < 0.75  # x: a quarter gone, and gaps.
    assert frequencies[2:5].sum() == pytest.approx(1.0, abs=1e-6)
    gan = table_gan(data)
    heads = gan.generator.output_heads
    np.testing.assert_allclose(
        gan.generator.output_dense.bias.numpy(),
        heads.initial_logits(frequencies),
        rtol=1e-6,
    )
    # Sampled at those logits, the heads reproduce the shares.
    logits = tf.constant([heads.initial_logits(frequencies)] * 100_000)
    noise = tf.random.stateless_uniform(
        (100_000, heads.sampling_width), seed=(1, 2)
    )
    sampled = heads(logits, sampling_noise=noise).numpy().mean(0)
    np.testing.assert_allclose(sampled[2:], frequencies[2:], atol=0.01)
    with pytest.raises(ValueError, match="needs 8 values"):
        heads.initial_logits([0.5] * 7)
    # Arrays and plain tables have none.
    assert (
        keras_rgan.data.prepare(
            keras_rgan.data.DataSpec(num_sequences=32, seq_len=8, batch_size=16)
        ).step_frequencies()
        is None
    )


def test_trains_round_trips_and_serves_categories_as_text(tmp_path):
    data = prepared()
    gan = table_gan(data)
    history = gan.fit(data.dataset(), epochs=2, verbose=0)
    assert np.isfinite(history.history["d_loss"]).all()
    outputs = gan.outputs_from_seed(5, 7)
    assert outputs["state"].dtype == tf.string
    assert set(outputs["state"].numpy().ravel()) <= {b"rest", b"run", b"walk"}
    assert outputs["count"].dtype == tf.int64
    np.testing.assert_array_equal(
        outputs["sequences"][..., 1].numpy(), outputs["count"].numpy()
    )
    assert outputs["observed"].dtype == tf.bool
    assert outputs["observed"].shape == (5, SEQ_LEN, 3)
    assert np.isfinite(outputs["sequences"].numpy()).all()

    restored = helpers.keras_round_trip(gan, tmp_path)
    again = restored.outputs_from_seed(5, 7)
    for key in outputs:
        np.testing.assert_array_equal(outputs[key].numpy(), again[key].numpy())

    path = keras_rgan.export_saved_model(
        gan, str(tmp_path / "export"), feature_names=data.feature_names
    )
    code = f"""
import json, tensorflow as tf, sys
model = tf.saved_model.load({path!r})
out = model.signatures["serving_default"](
    num_samples=tf.constant(5), seed=tf.constant(7, tf.int64))
logits = model.signatures["discriminate"](
    sequences=out["sequences"], state=out["state"], observed=out["observed"],
    lengths=out["lengths"])
print(json.dumps({{
    "state": [s.decode() for s in out["state"].numpy().ravel()],
    "count_dtype": out["count"].dtype.name,
    "observed": out["observed"].numpy().tolist(),
    "logits": logits["logits"].numpy().tolist(),
    "sequences": out["sequences"].numpy().tolist(),
    "imported": "keras_rgan" in sys.modules,
}}))
"""
    result = helpers.run_python(code)
    assert result.returncode == 0, result.stderr[-3000:]
    served = json.loads(result.stdout.strip().splitlines()[-1])
    assert not served["imported"]
    assert served["state"] == [
        s.decode() for s in outputs["state"].numpy().ravel()
    ]
    assert served["count_dtype"] == "int64"
    assert served["observed"] == outputs["observed"].numpy().tolist()
    columns = {"state": outputs["state"], "observed": outputs["observed"]}
    np.testing.assert_allclose(
        served["logits"],
        gan.discriminate(
            np.array(served["sequences"], "float32"),
            lengths=outputs["lengths"],
            columns=columns,
        ).numpy(),
        rtol=1e-4,
        atol=1e-5,
    )


def series_with_gaps(steps=400, seed=0):
    """A business-day series with a block of empty cells and a count."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "Date": pd.bdate_range("2020-01-01", periods=steps).strftime(
                "%Y-%m-%d"
            ),
            "Open": 100 + np.cumsum(rng.normal(size=steps)),
            "Volume": rng.integers(1000, 5000, steps),
        }
    )
    frame.loc[50:60, "Open"] = np.nan
    return frame


@pytest.mark.parametrize("table", ["long", "attributes", "series"])
def test_trains_on_two_replicas(mirrored_strategy, table, tmp_path):
    if table == "long":
        data = prepared()
    elif table == "attributes":
        data = keras_rgan.data.from_dataframe(
            attribute_table(), **ATTRIBUTE_ROLES
        )
    else:
        data = keras_rgan.data.from_dataframe(
            series_with_gaps(),
            seq_len=SEQ_LEN,
            time_column="Date",
            batch_size=32,
        )
    with mirrored_strategy.scope():
        gan = table_gan(data)
    before = [v.numpy() for v in gan.generator_variables()]
    history = gan.fit(data.dataset(), epochs=1, verbose=0)
    assert np.isfinite(history.history["g_loss"]).all()
    assert (
        helpers.max_weight_change(
            before, [v.numpy() for v in gan.generator_variables()]
        )
        > 0
    )
    restored = helpers.keras_round_trip(gan, tmp_path)
    expected, actual = (
        gan.outputs_from_seed(3, 1),
        restored.outputs_from_seed(3, 1),
    )
    for key in expected:
        np.testing.assert_array_equal(expected[key], actual[key])


def test_missing_cells_padding_and_encodings_never_leak():
    """What is stored under a missing cell, a padded step or the category
    of a missing cell leaves the discriminator's logits and both losses
    bit-identical."""
    data = prepared()
    batch = next(iter(data.dataset()))
    encoded = batch["sequences"].numpy()
    lengths = batch["lengths"].numpy()
    schema = data.schema
    observed = encoded[..., -3:] > 0.5
    assert not observed.all(), "the test table must have missing cells"
    padded = np.arange(SEQ_LEN)[None, :] >= lengths[:, None]
    assert padded.any(), "the test table must have padded steps"
    changed = encoded.copy()
    rng = np.random.default_rng(1)
    noise = rng.uniform(size=changed.shape).astype("float32")
    value_flags = schema.value_flags(tf.constant(encoded)).numpy()
    hidden = (value_flags == 0) | padded[..., None]
    changed[hidden] = noise[hidden]
    assert (changed != encoded).any()

    gan = table_gan(data)
    condition = {"lengths": batch["lengths"]}
    np.testing.assert_array_equal(
        gan.judge(tf.constant(encoded), condition).numpy(),
        gan.judge(tf.constant(changed), condition).numpy(),
    )
    logs = []
    for sequences in (encoded, changed):
        gan = table_gan(data)
        logs.append(
            gan.train_on_batch(
                {"sequences": sequences, "lengths": lengths}, return_dict=True
            )
        )
    assert logs[0] == logs[1]


@pytest.mark.parametrize("model", ["crgan", "timegan"])
def test_models_of_numbers_refuse_categories_and_missing_cells(model):
    frame = long_table().drop(columns=["patient", "day"])
    data = keras_rgan.data.from_dataframe(
        frame, seq_len=SEQ_LEN, categorical=["state"], batch_size=16
    )
    cls = {"crgan": keras_rgan.CRGAN, "timegan": keras_rgan.TimeGAN}[model]
    with pytest.raises(ValueError, match="--model=rgan"):
        cls.for_data(data, train_steps=10)


def test_a_series_with_gaps_trains_from_a_csv(tmp_path):
    """A timestamped single series with empty cells, read from CSV."""
    frame = series_with_gaps()
    path = tmp_path / "prices.csv"
    frame.sample(frac=1.0, random_state=0).to_csv(path, index=False)
    config = config_lib.TrainConfig.from_options(
        dataset=f"csv:{path}",
        time_column="Date",
        seq_len=SEQ_LEN,
        batch_size=32,
        units=4,
        num_layers=1,
        epochs=1,
        verbose=0,
        export_dir=str(tmp_path / "export"),
    )
    result = train_lib.train(config)
    assert result.feature_names == ["Open", "Volume"]
    assert result.model.schema.time["frequency"] == "B"
    outputs = result.model.outputs_from_seed(3, 0)
    assert outputs["Volume"].dtype == tf.int64
    assert outputs["observed"].shape == (3, SEQ_LEN, 2)
    assert os.path.isdir(result.export_path)


def attribute_table(num_sequences=60, seed=0):
    """Sequences with a categorical and a whole-number static attribute and
    a label; the feature's level depends on the age group."""
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(num_sequences):
        length = int(rng.integers(6, 15))
        group = rng.choice(["young", "old"])
        frames.append(
            pd.DataFrame(
                {
                    "machine": f"m{i}",
                    "t": np.arange(length),
                    "x": (10.0 if group == "old" else 0.0)
                    + rng.normal(size=length),
                    "state": rng.choice(["on", "off"], length),
                    "age": group,
                    "weight": float(rng.integers(50, 90)),
                    "model": rng.choice(["A", "B", "C"]),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


ATTRIBUTE_ROLES = dict(
    seq_len=SEQ_LEN,
    id_column="machine",
    time_column="t",
    categorical=["state"],
    static_columns=["age", "weight"],
    label_column="model",
    batch_size=16,
)


def test_static_attributes_and_labels_train_serve_and_round_trip(tmp_path):
    data = keras_rgan.data.from_dataframe(attribute_table(), **ATTRIBUTE_ROLES)
    assert data.schema.static["categorical"] == [["age", ["old", "young"]]]
    assert data.schema.label == ["model", ["A", "B", "C"]]
    assert data.label_frequencies()[0] == 3
    gan = table_gan(data)
    gan.fit(data.dataset(), epochs=2, verbose=0)
    outputs = gan.outputs_from_seed(6, 2)
    assert outputs["age"].shape == (6,) and outputs["age"].dtype == tf.string
    assert outputs["weight"].dtype == tf.int64
    assert set(outputs["model"].numpy()) <= {b"A", b"B", b"C"}

    restored = helpers.keras_round_trip(gan, tmp_path)
    again = restored.outputs_from_seed(6, 2)
    for key in outputs:
        np.testing.assert_array_equal(outputs[key].numpy(), again[key].numpy())

    path = keras_rgan.export_saved_model(
        gan, str(tmp_path / "export"), feature_names=data.feature_names
    )
    served = tf.saved_model.load(path).signatures["generate_with_attributes"](
        age=tf.constant(["old", "young", "old"]),
        weight=tf.constant([61.0, 70.0, 88.0]),
        seed=tf.constant(4, tf.int64),
    )
    assert served["age"].numpy().tolist() == [b"old", b"young", b"old"]
    assert served["weight"].numpy().tolist() == [61, 70, 88]
    assert served["sequences"].shape == (3, SEQ_LEN, 1)
    with pytest.raises(tf.errors.InvalidArgumentError, match="age holds"):
        tf.saved_model.load(path).signatures["generate_with_attributes"](
            age=tf.constant(["middle"]),
            weight=tf.constant([61.0]),
            seed=tf.constant(4, tf.int64),
        )


def test_generated_tables_look_like_the_users_and_read_back(tmp_path):
    data = keras_rgan.data.from_dataframe(attribute_table(), **ATTRIBUTE_ROLES)
    gan = table_gan(data)
    gan.fit(data.dataset(), epochs=1, verbose=0)
    frame = gan.generate_dataframe(12, seed=5)
    assert list(frame.columns) == [
        "machine",
        "t",
        "weight",
        "age",
        "model",
        "x",
        "state",
    ]
    assert frame["machine"].nunique() == 12
    assert set(frame["state"].dropna()) <= {"on", "off"}
    steps = frame.groupby("machine")["t"].diff().dropna()
    assert (steps == 1).all()  # the data's own regular spacing
    assert frame.groupby("machine")["age"].nunique().max() == 1
    pd.testing.assert_frame_equal(frame, gan.generate_dataframe(12, seed=5))
    back = keras_rgan.data.from_dataframe(
        frame, **{**ATTRIBUTE_ROLES, "batch_size": 4}
    )
    assert back.schema.blocks() == data.schema.blocks()

    path = keras_rgan.export_saved_model(
        gan, str(tmp_path / "export"), feature_names=data.feature_names
    )
    from keras_rgan import generate_lib

    generate_lib.CHUNK_SEQUENCES, chunk = 7, generate_lib.CHUNK_SEQUENCES
    try:
        for name in ("a.csv", "a.parquet", "b.parquet"):
            generate_lib.generate_to_file(path, 20, 3, str(tmp_path / name))
    finally:
        generate_lib.CHUNK_SEQUENCES = chunk
    csv = pd.read_csv(tmp_path / "a.csv")
    parquet = pd.read_parquet(tmp_path / "a.parquet")
    assert parquet["machine"].nunique() == 20  # ids run on across chunks
    assert list(csv.columns) == list(frame.columns)
    assert parquet["weight"].dtype == np.int64
    np.testing.assert_allclose(csv["x"], parquet["x"], rtol=1e-5)
    pd.testing.assert_frame_equal(
        parquet, pd.read_parquet(tmp_path / "b.parquet")
    )
    with pytest.raises(ValueError, match="exists already"):
        generate_lib.generate_to_file(path, 5, 3, str(tmp_path / "a.csv"))
