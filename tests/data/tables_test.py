"""Tables (CSV, Parquet, DataFrames) to sequences: `keras_rgan.data.tables`
and how `load_sequences`, `from_dataframe` and `prepare` use it."""

import collections
import json
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from keras_rgan import data
from keras_rgan.data import tables
from keras_rgan.data.spec import DataSpec

DAY_NS = 86400e9


def write_csv(frame, path):
    """`frame` as a CSV file (empty cells where missing); its spec."""
    frame.to_csv(path, index=False)
    return f"csv:{path}"


def write_parquet(frame, path):
    frame.to_parquet(path, index=False)
    return f"parquet:{path}"


def shuffled(frame, seed=0):
    """The rows of `frame` in random order (a fresh 0..n-1 index)."""
    order = np.random.default_rng(seed).permutation(len(frame))
    return frame.iloc[order].reset_index(drop=True)


def windows(values, seq_len, stride=1):
    """Every window of `values` (rows first), stacked."""
    starts = range(0, len(values) - seq_len + 1, stride)
    return np.stack([values[s : s + seq_len] for s in starts])


# === 1. A timestamped single series ===

TIME_KINDS = {
    "dates": lambda n: pd.date_range("2024-01-01", periods=n).strftime(
        "%Y-%m-%d"
    ),
    "datetimes": lambda n: pd.date_range(
        "2024-01-01 09:30:00", periods=n, freq="min"
    ).strftime("%Y-%m-%d %H:%M:%S"),
    "numbers": lambda n: 1000 + 3 * np.arange(n),
}


@pytest.mark.parametrize("kind", sorted(TIME_KINDS))
def test_shuffled_rows_of_one_series_are_ordered_by_time(tmp_path, kind):
    n = 30
    frame = pd.DataFrame(
        {
            "v": np.arange(n, dtype=float),
            "when": TIME_KINDS[kind](n),
            "w": 100.0 + 2 * np.arange(n),
        }
    )
    spec = write_csv(shuffled(frame), tmp_path / "series.csv")
    loaded = data.load_sequences(spec, seq_len=4, time_column="when")
    assert loaded.feature_names == ["v", "w"]  # never the time column
    assert loaded.sequences.shape == (n - 3, 4, 2)
    expected = windows(frame[["v", "w"]].to_numpy(np.float32), 4)
    np.testing.assert_array_equal(loaded.sequences, expected)
    assert loaded.lengths is None and loaded.observed is None
    time = loaded.schema.time
    assert time["column"] == "when"
    assert time["kind"] == ("number" if kind == "numbers" else "datetime")
    step = {"dates": DAY_NS, "datetimes": 60e9, "numbers": 3.0}[kind]
    assert time["step"] == step


def test_default_features_are_numeric_columns_but_id_and_time():
    frame = pd.DataFrame(
        {
            "a": [1.0, 2.0, 3.0, 4.0],
            "day": ["2024-01-01", "2024-01-02", "2024-01-01", "2024-01-02"],
            "count": [1, 2, 3, 4],
            "who": [7, 7, 8, 8],  # a numeric id is no feature either
            "b": np.float32([0.5, 0.25, 0.0, 1.0]),
        }
    )
    loaded = data.load_sequences(
        "dataframe", frame=frame, seq_len=2, id_column="who", time_column="day"
    )
    assert loaded.feature_names == ["a", "count", "b"]
    assert loaded.schema.id_column == "who"
    np.testing.assert_array_equal(
        loaded.sequences[:, :, 1], [[1.0, 2.0], [3.0, 4.0]]
    )
    chosen = data.load_sequences(
        "dataframe",
        frame=frame,
        seq_len=2,
        id_column="who",
        time_column="day",
        columns=["b"],
    )
    assert chosen.feature_names == ["b"]


def test_time_column_is_never_a_feature():
    frame = pd.DataFrame({"t": [1, 2, 3], "v": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="No feature columns left"):
        data.load_sequences(
            "dataframe",
            frame=frame,
            seq_len=2,
            time_column="t",
            columns=["t", "v"],
        )


def test_daily_data_records_a_regular_step(tmp_path):
    days = pd.date_range("2024-03-01", periods=20)
    frame = pd.DataFrame({"day": days.strftime("%Y-%m-%d"), "v": range(20)})
    spec = write_csv(shuffled(frame, seed=3), tmp_path / "daily.csv")
    loaded = data.load_sequences(spec, seq_len=5, time_column="day")
    time = loaded.schema.time
    assert set(time) == {
        "column",
        "kind",
        "step",
        "frequency",
        "starts",
        "gaps",
    }
    assert time["kind"] == "datetime" and time["step"] == DAY_NS
    assert time["gaps"] == [DAY_NS] * 19
    # Each window's start, in ns since the epoch.
    starts = days[:16].to_numpy("datetime64[ns]").astype(np.int64)
    np.testing.assert_array_equal(time["starts"], starts.astype(float))


def business_days(n=40):
    days = pd.bdate_range("2024-01-01", periods=n)
    return shuffled(pd.DataFrame({"day": days, "v": np.arange(float(n))}))


def test_business_days_record_their_frequency():
    loaded = data.load_sequences(
        "dataframe", frame=business_days(), seq_len=5, time_column="day"
    )
    time = loaded.schema.time
    assert time["step"] is None  # Fridays to Mondays are 3 days
    assert time["frequency"] == "B"
    assert isinstance(time["frequency"], str)  # an offset equals "B" too
    json.dumps(loaded.schema.get_config())  # an export records it
    assert sorted(set(time["gaps"])) == [DAY_NS, 3 * DAY_NS]
    np.testing.assert_array_equal(loaded.sequences[:, 0, 0], np.arange(36.0))


def test_business_days_load_without_a_warning():
    # pd.infer_freq warns (Pandas4Warning) that it will return an offset.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loaded = data.load_sequences(
            "dataframe", frame=business_days(), seq_len=5, time_column="day"
        )
    assert [str(w.message) for w in caught] == []
    assert loaded.schema.time["frequency"] == "B"


@pytest.mark.parametrize("n", [50, 1500])
def test_irregular_numeric_times_record_their_real_gaps(tmp_path, n):
    rng = np.random.default_rng(n)
    gaps = rng.choice([1, 2, 7], size=n - 1)
    times = np.concatenate([[5], 5 + np.cumsum(gaps)])
    frame = pd.DataFrame({"t": times, "v": np.arange(n, dtype=float)})
    spec = write_csv(shuffled(frame), tmp_path / "irregular.csv")
    loaded = data.load_sequences(spec, seq_len=6, time_column="t")
    np.testing.assert_array_equal(loaded.sequences[:, 0, 0], np.arange(n - 5))
    time = loaded.schema.time
    assert time["kind"] == "number"
    assert time["step"] is None and time["frequency"] is None
    recorded = collections.Counter(time["gaps"])
    assert len(time["gaps"]) == min(n - 1, 1000)
    assert not recorded - collections.Counter(gaps.astype(float).tolist())
    if n - 1 <= 1000:
        assert sorted(time["gaps"]) == sorted(gaps.astype(float).tolist())
    assert set(time["starts"]) <= set(times[: n - 5].astype(float).tolist())


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_fractional_unix_times_in_files_keep_their_order(tmp_path, fmt):
    times = 1704067200.25 + 60.0 * np.arange(30)
    frame = pd.DataFrame({"t": times, "v": np.arange(30.0)})
    writer = write_csv if fmt == "csv" else write_parquet
    spec = writer(shuffled(frame), tmp_path / f"unix.{fmt}")
    loaded = data.load_sequences(spec, seq_len=5, time_column="t")
    np.testing.assert_array_equal(loaded.sequences[:, 0, 0], np.arange(26.0))
    assert loaded.schema.time["step"] == 60.0


def paris_days():
    """Four days across the spring DST change, midnight in Paris."""
    days = pd.date_range("2024-03-30", periods=4, tz="Europe/Paris")
    return pd.DataFrame({"t": days, "v": [1.0, 2.0, 3.0, 4.0]})


PARIS_GAPS = [DAY_NS, DAY_NS - 3600e9, DAY_NS]  # in UTC


def test_time_zones_of_frames_and_parquet_become_utc(tmp_path):
    spec = write_parquet(shuffled(paris_days()), tmp_path / "paris.parquet")
    for loaded in (
        data.load_sequences(spec, seq_len=2, time_column="t"),
        data.load_sequences(
            "dataframe", frame=paris_days(), seq_len=2, time_column="t"
        ),
    ):
        assert loaded.schema.time["gaps"] == PARIS_GAPS
        assert loaded.schema.time["starts"][0] == float(
            pd.Timestamp("2024-03-29 23:00", tz="UTC").value
        )


def test_csv_times_with_changing_utc_offsets_load(tmp_path):
    spec = write_csv(paris_days(), tmp_path / "paris.csv")
    assert "+01:00" in open(spec[4:]).read()
    loaded = data.load_sequences(spec, seq_len=2, time_column="t")
    assert loaded.schema.time["gaps"] == PARIS_GAPS


# === 2. Missing values ===

SEQ_LEN = 10


def series_with_missing_blocks(n=400, seed=0):
    """A daily series of two positive columns with 5% of its cells missing
    in blocks of 5, in time order."""
    rng = np.random.default_rng(seed)
    values = 10.0 + rng.uniform(0, 90, size=(n, 2)).round(2)
    missing = np.zeros((n, 2), bool)
    blocks = 0
    while missing.sum() < 0.05 * values.size:
        start, column = rng.integers(0, n - 5), rng.integers(0, 2)
        if not missing[max(start - 1, 0) : start + 6, column].any():
            missing[start : start + 5, column] = True
            blocks += 1
    assert missing.sum() == 0.05 * values.size and blocks == 8
    values[missing] = np.nan
    days = pd.date_range("2023-01-01", periods=n).strftime("%Y-%m-%d")
    return pd.DataFrame({"day": days, "a": values[:, 0], "b": values[:, 1]})


@pytest.fixture
def missing_csv(tmp_path):
    """`(spec, in_order, file_rows)`: the series of
    `series_with_missing_blocks` shuffled into a CSV."""
    in_order = series_with_missing_blocks()
    file_rows = shuffled(in_order, seed=1)
    return write_csv(file_rows, tmp_path / "gaps.csv"), in_order, file_rows


def test_missing_learn_masks_exactly_the_missing_cells(missing_csv):
    spec, in_order, _ = missing_csv
    loaded = data.load_sequences(spec, seq_len=SEQ_LEN, time_column="day")
    source = windows(in_order[["a", "b"]].to_numpy(np.float32), SEQ_LEN)
    assert loaded.observed.shape == source.shape
    np.testing.assert_array_equal(loaded.observed, ~np.isnan(source))
    assert np.isfinite(loaded.sequences).all()
    np.testing.assert_array_equal(loaded.sequences, np.nan_to_num(source))
    assert loaded.schema.missing
    assert loaded.schema.blocks()[-1] == ("observed", 2)


def test_scaler_is_fitted_on_observed_training_values(missing_csv):
    spec, in_order, _ = missing_csv
    prepared = data.prepare(
        DataSpec(
            dataset=spec, seq_len=SEQ_LEN, time_column="day", batch_size=16
        )
    )
    # The training windows start at rows 0..len(train)-1.
    rows = len(prepared.train.sequences) + SEQ_LEN - 1
    assert rows < len(in_order)
    train = in_order[["a", "b"]].to_numpy(np.float32)[:rows]
    np.testing.assert_allclose(
        prepared.scaler.data_min, np.nanmin(train, axis=0), rtol=1e-6
    )
    np.testing.assert_allclose(
        prepared.scaler.data_max, np.nanmax(train, axis=0), rtol=1e-6
    )
    assert prepared.num_features == 4  # a, b, and their observed flags


def test_missing_drop_sequences_drops_exactly_windows_with_a_gap(
    missing_csv,
):
    spec, in_order, _ = missing_csv
    loaded = data.load_sequences(
        spec, seq_len=SEQ_LEN, time_column="day", missing="drop_sequences"
    )
    source = windows(in_order[["a", "b"]].to_numpy(np.float32), SEQ_LEN)
    complete = ~np.isnan(source).any(axis=(1, 2))
    assert 0 < complete.sum() < len(source)
    np.testing.assert_array_equal(loaded.sequences, source[complete])
    assert loaded.observed is None and not loaded.schema.missing
    days = pd.to_datetime(in_order["day"]).to_numpy("datetime64[ns]")
    starts = days[: len(source)][complete].astype(np.int64).astype(float)
    np.testing.assert_array_equal(loaded.schema.time["starts"], starts)


def test_missing_error_names_the_column_and_the_row(missing_csv):
    spec, _, file_rows = missing_csv
    empty = file_rows["a"].isna().to_numpy()
    row = int(np.flatnonzero(empty)[0]) + 2  # the header is row 1
    with pytest.raises(ValueError, match=rf"'a' .* at row {row} "):
        data.load_sequences(
            spec, seq_len=SEQ_LEN, time_column="day", missing="error"
        )


def test_missing_error_accepts_a_complete_table():
    frame = pd.DataFrame({"v": np.arange(5.0)})
    loaded = data.load_sequences(
        "dataframe", frame=frame, seq_len=3, missing="error"
    )
    assert loaded.sequences.shape == (3, 3, 1) and loaded.observed is None


# === 3. Categorical columns ===


def categorical_frame(n=60, seed=0):
    rng = np.random.default_rng(seed)
    colour = rng.choice(["red", "green", "blue", "Amber"], size=n).astype(
        object
    )
    colour[[3, 4, 17]] = None
    grade = rng.integers(1, 4, size=n)
    grade_float = grade.astype(float)
    grade_float[[8, 30]] = np.nan
    return pd.DataFrame(
        {
            "t": np.arange(n),
            "colour": colour,
            "v": rng.normal(size=n),
            "grade": grade,
            "grade_float": grade_float,
        }
    )


def test_categories_get_sorted_vocabularies_and_right_codes():
    frame = categorical_frame()
    loaded = data.load_sequences(
        "dataframe",
        frame=shuffled(frame),
        seq_len=4,
        time_column="t",
        categorical_columns=["grade_float", "colour", "grade"],
    )
    # Numeric first, then the categorical ones in table order.
    assert loaded.feature_names == ["v", "colour", "grade", "grade_float"]
    assert loaded.schema.categorical == [
        ["colour", ["Amber", "blue", "green", "red"]],
        ["grade", ["1", "2", "3"]],
        ["grade_float", ["1", "2", "3"]],
    ]
    vocab = ["Amber", "blue", "green", "red"]
    colour = np.array(
        [-1 if pd.isna(c) else vocab.index(c) for c in frame["colour"]]
    )
    grade = frame["grade"].to_numpy() - 1
    grade_float = np.nan_to_num(frame["grade_float"].to_numpy() - 1, nan=-1)
    expected = np.stack([colour, grade, grade_float], axis=1)
    assert loaded.codes.dtype == np.int32
    np.testing.assert_array_equal(loaded.codes, windows(expected, 4))
    observed = np.stack([np.ones(len(frame), bool), *(expected >= 0).T], 1)
    assert not observed.all()
    np.testing.assert_array_equal(loaded.observed, windows(observed, 4))
    # Integer codes and the same codes as floats are the same categories.
    both = loaded.codes[..., 2] >= 0
    np.testing.assert_array_equal(
        loaded.codes[..., 1][both], loaded.codes[..., 2][both]
    )


def test_whole_floats_and_integers_in_a_file_are_one_category(tmp_path):
    path = tmp_path / "codes.csv"
    path.write_text("t,code,v\n1,1,0.5\n2,1.0,0.25\n3,2,1\n4,,2\n5,2.0,3\n")
    loaded = data.load_sequences(
        f"csv:{path}", seq_len=5, time_column="t", categorical_columns=["code"]
    )
    assert loaded.schema.categorical == [["code", ["1", "2"]]]
    assert loaded.codes[0, :, 0].tolist() == [0, 0, 1, -1, 1]
    assert loaded.observed[0, :, 1].tolist() == [True] * 3 + [False, True]


def test_mixed_integers_and_floats_in_an_object_column_are_one_category():
    frame = pd.DataFrame(
        {
            "code": pd.Series([1, 1.0, 2, 2.0], dtype=object),
            "v": [1.0, 2.0, 3.0, 4.0],
        }
    )
    loaded = data.load_sequences(
        "dataframe", frame=frame, seq_len=4, categorical_columns=["code"]
    )
    assert loaded.schema.categorical == [["code", ["1", "2"]]]
    assert loaded.codes[0, :, 0].tolist() == [0, 0, 1, 1]


def test_encode_one_hot_blocks_match_the_codes():
    frame = categorical_frame()
    loaded = data.load_sequences(
        "dataframe",
        frame=frame,
        seq_len=4,
        time_column="t",
        categorical_columns=["colour", "grade_float"],
        columns=["v", "colour", "grade_float"],
    )
    schema = loaded.schema
    assert schema.blocks() == [
        ("numeric", 1),
        ("categorical", 4),
        ("categorical", 3),
        ("observed", 3),
    ]
    scaled = np.full(loaded.sequences.shape, 0.5, np.float32)
    encoded = schema.encode(scaled, loaded.codes, loaded.observed)
    assert encoded.shape == loaded.sequences.shape[:2] + (11,)
    start = 1
    for k, (_, categories) in enumerate(schema.categorical):
        block = encoded[..., start : start + len(categories)]
        codes = loaded.codes[..., k]
        one_hot = np.eye(len(categories))[np.maximum(codes, 0)]
        np.testing.assert_array_equal(block, one_hot * (codes >= 0)[..., None])
        assert (block.sum(axis=-1) == (codes >= 0)).all()
        start += len(categories)
    np.testing.assert_array_equal(encoded[..., start:], loaded.observed)
    np.testing.assert_array_equal(encoded[..., 0], 0.5)  # v never missing


# === 4. Integer columns ===


def test_whole_number_columns_get_integer_grids(tmp_path):
    n = 30
    rng = np.random.default_rng(0)
    fives = 10 + 5 * rng.integers(0, 20, size=n)
    fives[0], fives[1] = 10, 15  # offset 10, step 5
    counts = rng.integers(0, 9, size=n)
    counts[:2] = [0, 1]
    halves = np.arange(n) * 2.5  # 2.5 is not whole
    sparse = (100.0 * rng.integers(1, 4, size=n)).astype(float)
    sparse[:3] = [100.0, np.nan, 300.0]  # empty cells are skipped
    frame = pd.DataFrame(
        {
            "fives": fives,
            "counts": counts,
            "halves": halves,
            "sparse": sparse,
            "real": rng.normal(size=n),
        }
    )
    spec = write_csv(frame, tmp_path / "ints.csv")
    loaded = data.load_sequences(spec, seq_len=5)
    assert loaded.schema.integer_grids == {
        "fives": [10, 5],
        "counts": [0, 1],
        "sparse": [100, 100],
    }


def test_integer_grid_of_values():
    assert tables.integer_grid(np.array([10.0, 25.0, np.nan, 5.0])) == (5, 5)
    assert tables.integer_grid(np.array([-4.0, 2.0, 8.0])) == (-4, 6)
    assert tables.integer_grid(np.array([3.0, 3.0])) == (3, 1)
    assert tables.integer_grid(np.array([1.0, 2.5])) is None
    assert tables.integer_grid(np.array([np.nan])) is None


# === 5. Long format ===


def long_frame(seed=4):
    """Sequences of 3, 7 and 5 steps (ids "c", "a", "b" first appear in
    that order once shuffled), a category and a missing cell."""
    rows = []
    for who, length in (("a", 7), ("b", 5), ("c", 3)):
        for step in range(length):
            rows.append(
                {
                    "who": who,
                    "day": pd.Timestamp("2024-01-01")
                    + pd.Timedelta(days=2 * step + ord(who)),
                    "x": 10.0 * ord(who) + step,
                    "kind": "up" if step % 2 else "down",
                    "y": float(step),
                }
            )
    frame = pd.DataFrame(rows)
    frame.loc[9, "y"] = np.nan  # "b", step 2
    frame.loc[13, "kind"] = None  # "c", step 1
    frame = shuffled(frame, seed)
    first = pd.unique(frame["who"])
    assert first.tolist() == ["c", "a", "b"], first
    return frame


def check_long(loaded):
    """The sequences of `long_frame` cut to 5 steps."""
    x = loaded.sequences[..., loaded.feature_names.index("x")]
    assert loaded.lengths.tolist() == [3, 5, 5, 5, 5]
    c, a, b = 10.0 * ord("c"), 10.0 * ord("a"), 10.0 * ord("b")
    np.testing.assert_array_equal(
        x,
        [
            [c, c + 1, c + 2, 0, 0],  # shorter: padded
            [a, a + 1, a + 2, a + 3, a + 4],  # longer: windowed
            [a + 1, a + 2, a + 3, a + 4, a + 5],
            [a + 2, a + 3, a + 4, a + 5, a + 6],
            [b, b + 1, b + 2, b + 3, b + 4],
        ],
    )


def test_long_format_groups_by_first_appearance():
    loaded = data.load_sequences(
        "dataframe",
        frame=long_frame(),
        seq_len=5,
        id_column="who",
        time_column="day",
        categorical_columns=["kind"],
    )
    check_long(loaded)
    assert loaded.feature_names == ["x", "y", "kind"]
    # Padded steps are zero and count as observed.
    assert (loaded.sequences[0, 3:] == 0).all()
    assert loaded.observed[0, 3:].all()
    # The missing cells: "b" step 2 of y; "c" step 1 of kind.
    assert np.argwhere(~loaded.observed).tolist() == [[0, 1, 2], [4, 2, 1]]
    assert loaded.codes[0, :3, 0].tolist() == [0, -1, 0]  # down, -, down
    # Each sequence starts at its own first day.
    starts = [
        (pd.Timestamp("2024-01-01") + pd.Timedelta(days=d)).value
        for d in (ord("c"), ord("a"), ord("a") + 2, ord("a") + 4, ord("b"))
    ]
    assert loaded.schema.time["starts"] == [float(s) for s in starts]
    assert loaded.schema.time["step"] == 2 * DAY_NS


def test_long_format_windows_with_a_stride():
    loaded = data.load_sequences(
        "dataframe",
        frame=long_frame(),
        seq_len=5,
        stride=2,
        id_column="who",
        time_column="day",
        columns=["x"],
    )
    a = 10.0 * ord("a")
    assert loaded.lengths.tolist() == [3, 5, 5, 5]
    np.testing.assert_array_equal(
        loaded.sequences[1:3, :, 0], [a + np.arange(5), a + 2 + np.arange(5)]
    )


def test_parquet_and_dataframe_give_what_csv_gives(tmp_path):
    frame = long_frame()
    options = dict(
        seq_len=5,
        id_column="who",
        time_column="day",
        categorical_columns=["kind"],
    )
    csv_frame = frame.assign(day=frame["day"].dt.strftime("%Y-%m-%d"))
    loaded = {
        "csv": data.load_sequences(
            write_csv(csv_frame, tmp_path / "long.csv"), **options
        ),
        "parquet": data.load_sequences(
            write_parquet(frame, tmp_path / "long.parquet"), **options
        ),
        "dataframe": data.load_sequences(
            "dataframe", frame=frame.copy(), **options
        ),
    }
    check_long(loaded["csv"])
    for name in ("parquet", "dataframe"):
        other, csv = loaded[name], loaded["csv"]
        assert other.feature_names == csv.feature_names, name
        for field in ("sequences", "lengths", "codes", "observed"):
            np.testing.assert_array_equal(
                getattr(other, field), getattr(csv, field), err_msg=name
            )
        assert other.schema.get_config() == csv.schema.get_config(), name


def test_from_dataframe_prepares_what_a_csv_prepares(tmp_path):
    n = 200
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "day": pd.date_range("2024-01-01", periods=n),
            "v": rng.normal(size=n).round(3),
            "level": rng.choice(["low", "mid", "high"], size=n),
            "count": rng.integers(0, 50, size=n),
        }
    )
    frame.loc[[5, 6, 7, 50], "v"] = np.nan
    frame.loc[[20], "level"] = None
    frame = shuffled(frame)
    original = frame.copy()
    options = dict(
        seq_len=8, time_column="day", batch_size=16, holdout_fraction=0.2
    )
    prepared = data.from_dataframe(frame, categorical=["level"], **options)
    pd.testing.assert_frame_equal(frame, original)  # left untouched
    spec = write_csv(frame, tmp_path / "table.csv")
    from_csv = data.prepare(
        DataSpec(dataset=spec, categorical_columns=["level"], **options)
    )
    assert prepared.feature_names == from_csv.feature_names
    assert prepared.feature_names == ["v", "count", "level"]
    for part in ("train", "held_out"):
        ours, theirs = getattr(prepared, part), getattr(from_csv, part)
        for field in ("sequences", "codes", "observed"):
            np.testing.assert_array_equal(
                getattr(ours, field), getattr(theirs, field), err_msg=part
            )
    assert not prepared.train.observed.all()
    np.testing.assert_allclose(
        prepared.scaler.data_min, from_csv.scaler.data_min, rtol=1e-6
    )
    np.testing.assert_allclose(
        prepared.scaler.data_max, from_csv.scaler.data_max, rtol=1e-6
    )
    assert prepared.schema.get_config() == from_csv.schema.get_config()
    assert prepared.num_features == from_csv.num_features == 2 + 3 + 3


# === 6. Bad input ===


def csv_text(text):
    def make(tmp_path):
        path = tmp_path / "bad.csv"
        path.write_text(text)
        return {"spec": f"csv:{path}"}

    return make


def frame_of(**columns):
    def make(tmp_path):
        return {"spec": "dataframe", "frame": pd.DataFrame(columns)}

    return make


def parquet_of(table):
    def make(tmp_path):
        path = tmp_path / "bad.parquet"
        pq.write_table(table, path)
        return {"spec": f"parquet:{path}"}

    return make


def missing_file(tmp_path):
    return {"spec": f"csv:{tmp_path / 'nowhere.csv'}"}


MANY = [f"c{k}" for k in range(tables.MAX_CATEGORIES + 1)]

BAD_INPUT = {
    "unparseable time": (
        csv_text("t,v\n2024-01-01,1\n2024-01-02,2\nsoon,3\n"),
        dict(time_column="t"),
        ValueError,
        r"time column 't'.*'soon' at row 4",
    ),
    "duplicate time": (
        csv_text("t,v\n3,1\n1,2\n2,3\n1,4\n"),
        dict(time_column="t"),
        ValueError,
        r"Duplicate time 1 .* row 3 and row 5",
    ),
    "text not declared categorical": (
        csv_text("v,colour\n1,red\n2,blue\n3,red\n"),
        {},
        ValueError,
        r"'colour' .*not numeric.*row 2 holds 'red'.*--categorical_columns",
    ),
    "all-missing column": (
        csv_text("v,w\n1,\n2,\n3,\n"),
        {},
        ValueError,
        r"Column 'w' .*entirely missing",
    ),
    "one category": (
        frame_of(v=[1.0, 2.0, 3.0], c=["x", None, "x"]),
        dict(categorical_columns=["c"]),
        ValueError,
        r"Categorical column 'c' .*1 category",
    ),
    "too many categories": (
        frame_of(v=np.arange(len(MANY), dtype=float), c=MANY),
        dict(categorical_columns=["c"]),
        ValueError,
        r"'c' .*1001 categories.*MAX_CATEGORIES",
    ),
    "nested list column": (
        parquet_of(pa.table({"v": [1.0, 2.0, 3.0], "l": [[1], [2, 3], []]})),
        {},
        ValueError,
        r"nested column\(s\) \['l'\]",
    ),
    "nested struct column": (
        parquet_of(
            pa.table({"v": [1.0, 2.0, 3.0], "s": [{"a": 1}, {"a": 2}, None]})
        ),
        {},
        ValueError,
        r"nested column\(s\) \['s'\]",
    ),
    "missing file": (
        missing_file,
        {},
        FileNotFoundError,
        r"No such file: .*nowhere\.csv",
    ),
    "empty time cell": (
        csv_text("t,v\n2024-01-01,1\n,2\n2024-01-03,3\n"),
        dict(time_column="t"),
        ValueError,
        r"time column 't' .*empty cell at row 3",
    ),
    "empty id cell": (
        csv_text("id,v\na,1\na,2\nb,3\n,4\n"),
        dict(id_column="id"),
        ValueError,
        r"id column 'id' .*empty cell at row 5",
    ),
    "impossible missing policy": (
        frame_of(v=[1.0, 2.0, 3.0]),
        dict(missing="zero"),
        ValueError,
        r"missing must be one of learn, drop_sequences, error, got 'zero'",
    ),
    "reserved column name": (
        frame_of(v=[1.0, 2.0, 3.0], sequences=[1.0, 2.0, 4.0]),
        {},
        ValueError,
        r"\['sequences'\] are the names of served outputs",
    ),
    "static column varies within a sequence": (
        csv_text("id,v,age\na,1,old\na,2,old\nb,3,young\nb,4,old\n"),
        dict(id_column="id", static_columns=["age"]),
        ValueError,
        r"static column 'age' .*varies within sequence 'b': 'young' and "
        r"'old' \(row 5\)",
    ),
    "static column with an empty cell": (
        csv_text("id,v,age\na,1,old\na,2,\nb,3,young\nb,4,young\n"),
        dict(id_column="id", static_columns=["age"]),
        ValueError,
        r"static column 'age' .*empty cell at row 3 \(sequence 'a'\)",
    ),
    "label column with missing values": (
        csv_text("id,v,kind\na,1,x\na,2,x\nb,3,\nb,4,\n"),
        dict(id_column="id", label_column="kind"),
        ValueError,
        r"label column 'kind' .*empty cell at row 4 \(sequence 'b'\)",
    ),
    "static column without an id column": (
        frame_of(v=[1.0, 2.0, 3.0], age=["old", "old", "old"]),
        dict(static_columns=["age"]),
        ValueError,
        r"static_columns and label_column hold one value per sequence: "
        r"they need --id_column",
    ),
    "reserved categorical name": (
        frame_of(v=[1.0, 2.0, 3.0], observed=["y", "n", "y"]),
        dict(categorical_columns=["observed"]),
        ValueError,
        r"\['observed'\] are the names of served outputs",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_is_refused_by_name(tmp_path, case):
    make, options, error, message = BAD_INPUT[case]
    with pytest.raises(error, match=message):
        data.load_sequences(seq_len=2, **make(tmp_path), **options)


@pytest.mark.parametrize("index", ["dates", "text"])
@pytest.mark.parametrize("problem", ["text column", "empty cell"])
def test_errors_in_an_indexed_dataframe_name_the_column(index, problem):
    labels = {
        "dates": pd.date_range("2024-01-01", periods=3),
        "text": ["r1", "r2", "r3"],
    }[index]
    frame = pd.DataFrame(
        {"v": [1.0, np.nan, 3.0], "c": ["x", "y", "x"]}, index=labels
    )
    if problem == "text column":
        options, message = {}, r"'c' .*not numeric.*--categorical_columns"
    else:
        options, message = dict(missing="error", columns=["v"]), "'v' .*empty"
    with pytest.raises(ValueError, match=message):
        data.load_sequences("dataframe", frame=frame, seq_len=2, **options)


def test_duplicate_times_in_different_sequences_are_fine():
    frame = pd.DataFrame(
        {"id": ["a", "a", "b", "b"], "t": [1, 2, 1, 2], "v": [1.0, 2, 3, 4]}
    )
    loaded = data.load_sequences(
        "dataframe", frame=frame, seq_len=2, id_column="id", time_column="t"
    )
    assert loaded.sequences[..., 0].tolist() == [[1.0, 2.0], [3.0, 4.0]]
