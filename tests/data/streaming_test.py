"""Windows streamed from a CSV or Parquet file equal the windows of the
loaded series; bad files are refused by name."""

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from keras_rgan import train_lib
from keras_rgan.data import make_windows
from keras_rgan.data import streaming
from keras_rgan.data.prepared import prepare
from keras_rgan.data.spec import DataSpec
from keras_rgan.data.splits import holdout_split


def write_series(folder, rows, file_format, columns=("a", "b", "c"), seed=0):
    """A series of `rows` rows as `folder/series.{csv,parquet}` and its
    values (float32, as the stream reads them)."""
    values = (
        np.random.default_rng(seed)
        .normal(size=(rows, len(columns)))
        .round(4)
        .astype(np.float32)
    )
    path = str(folder / f"series.{file_format}")
    if file_format == "csv":
        with open(path, "w") as f:
            f.write(",".join(columns) + "\n")
            for row in values:
                f.write(",".join(str(v) for v in row) + "\n")
    else:
        table = pa.table({c: values[:, j] for j, c in enumerate(columns)})
        pq.write_table(table, path, row_group_size=128)
    return path, values


def small_chunks(monkeypatch):
    """Many chunk and window-slice boundaries in a small file."""
    monkeypatch.setattr(streaming, "CHUNK_ROWS", 100)
    monkeypatch.setattr(streaming, "SLICE_BYTES", 24 * 2 * 4 * 37)


@pytest.mark.parametrize("file_format", ["csv", "parquet"])
@pytest.mark.parametrize("stride", [1, 3])
def test_streamed_windows_equal_the_loaded_training_windows(
    tmp_path, monkeypatch, file_format, stride
):
    small_chunks(monkeypatch)
    path, values = write_series(tmp_path, 1000, file_format)
    chosen = values[:, [2, 0]]  # columns c, a in that order
    plan = streaming.plan_split(path, 24, stride, 0.1, file_format)
    train, _ = holdout_split(
        make_windows(chosen, 24, stride), 0.1, overlap=-(-23 // stride)
    )
    assert plan.num_rows == 1000 and plan.train_windows == len(train)

    def stream(shuffle_buffer):
        ds = streaming.stream_windows(
            path,
            24,
            batch_size=1,
            scaler=None,
            columns=["c", "a"],
            stride=stride,
            num_rows=plan.train_rows,
            shuffle_buffer=shuffle_buffer,
            seed=0,
            file_format=file_format,
        )
        return np.concatenate([batch.numpy() for batch in ds])

    np.testing.assert_array_equal(stream(1), train)  # in file order
    shuffled = stream(50)
    assert not np.array_equal(shuffled, train)
    order = lambda w: np.lexsort(w.reshape(len(w), -1).T)  # noqa: E731
    np.testing.assert_array_equal(
        shuffled[order(shuffled)], train[order(train)]
    )


@pytest.mark.parametrize("file_format", ["csv", "parquet"])
def test_statistics_and_row_count(tmp_path, file_format):
    path, values = write_series(tmp_path, 300, file_format)
    assert streaming.count_rows(path, file_format) == 300
    stats = streaming.series_statistics(
        path, ["c", "a"], num_rows=200, file_format=file_format
    )
    assert stats.num_rows == 200 and stats.feature_names == ["c", "a"]
    np.testing.assert_array_equal(stats.data_min, values[:200, [2, 0]].min(0))
    np.testing.assert_array_equal(stats.data_max, values[:200, [2, 0]].max(0))
    every = streaming.series_statistics(path, file_format=file_format)
    assert every.num_rows == 300 and every.feature_names == ["a", "b", "c"]


def test_a_csv_row_count_skips_blank_lines_and_header_spaces(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(" a , b\n1,2\n\n3,4\n5,6")  # no final newline
    assert streaming.count_rows(str(path)) == 3
    stats = streaming.series_statistics(str(path), ["b"])
    assert stats.feature_names == ["b"] and stats.data_max.tolist() == [6.0]


def test_batches_are_full_and_shuffled_by_seed_each_epoch(tmp_path):
    path, _ = write_series(tmp_path, 500, "csv")

    def epochs(seed, count=2):
        ds = streaming.stream_windows(
            path, 8, batch_size=32, scaler=None, shuffle_buffer=100, seed=seed
        )
        return [np.stack([b.numpy() for b in ds]) for _ in range(count)]

    first, second = epochs(seed=1)
    assert first.shape == (493 // 32, 32, 8, 3)
    np.testing.assert_array_equal(first, epochs(seed=1, count=1)[0])
    assert not np.array_equal(first, second)  # reshuffled every epoch
    np.testing.assert_array_equal(second, epochs(seed=1)[1])
    assert not np.array_equal(first, epochs(seed=2, count=1)[0])


def _csv(content):
    def write(path):
        path = path.with_suffix(".csv")
        path.write_text(content)
        return str(path)

    return write


def _parquet(**columns):
    def write(path):
        path = str(path.with_suffix(".parquet"))
        pq.write_table(pa.table(columns), path)
        return path

    return write


MISSING = "without --stream to learn missing values"


@pytest.mark.parametrize(
    "write, columns, error, message",
    [
        (_csv("a,b\n1,2\n3,\n"), None, ValueError, f"'b' .* row 2.*{MISSING}"),
        (_csv("a,b\n1,NaN\n"), None, ValueError, f"'b' .*missing.*{MISSING}"),
        (_csv("a,b\n1,x\n"), None, ValueError, "'b' .* not a number: 'x'"),
        (_csv("a,b\n1,inf\n"), None, ValueError, "'b' .* infinite value"),
        (_csv("a,b\n1,2\n3\n"), None, ValueError, "could not be read as CSV"),
        (_csv("a,b\n"), None, ValueError, "no data rows"),
        (
            _csv("a,b\n1,2\n"),
            ["a", "z"],
            ValueError,
            r"\['z'\] not found .*its columns are \['a', 'b'\]",
        ),
        (_parquet(a=[1.0, np.nan]), None, ValueError, f"'a' .*NaN.*{MISSING}"),
        (
            _parquet(a=[1.0, None]),
            None,
            ValueError,
            f"'a' .*missing.*{MISSING}",
        ),
        (_parquet(a=[1.0], s=[{"x": 1}]), None, ValueError, "'s' .* nested"),
        (_parquet(a=[1.0], l=[[1.0]]), None, ValueError, "'l' .* nested"),
        (_parquet(a=[1.0], t=["x"]), None, ValueError, "'t' .* not numeric"),
        (lambda path: str(path), None, FileNotFoundError, "bad"),
    ],
)
def test_bad_streamed_files_are_named(tmp_path, write, columns, error, message):
    path = write(tmp_path / "bad")
    file_format = "parquet" if path.endswith(".parquet") else "csv"
    with pytest.raises(error, match=f"(?s){message}") as raised:
        streaming.series_statistics(path, columns, file_format=file_format)
    assert path in str(raised.value)


def test_a_table_with_nested_columns_streams_its_flat_ones(tmp_path):
    path = _parquet(a=[1.0, 2.0], s=[{"x": 1}, {"x": 2}])(tmp_path / "t")
    stats = streaming.series_statistics(path, ["a"], file_format="parquet")
    assert stats.data_max.tolist() == [2.0]


@pytest.mark.parametrize("file_format", ["csv", "parquet"])
def test_streamed_training_matches_the_in_memory_split_and_scaler(
    tmp_path, file_format
):
    path, values = write_series(tmp_path, 600, file_format)
    common = dict(dataset=f"{file_format}:{path}", seq_len=8, batch_size=32)
    streamed = prepare(DataSpec(stream=True, **common))
    assert not streamed.train_in_memory
    windows = make_windows(values, 8)
    train, _ = holdout_split(windows, 0.1, overlap=7)
    assert streamed.num_sequences == len(train)
    assert streamed.steps_per_epoch == len(train) // 32
    np.testing.assert_array_equal(
        streamed.scaler.data_min, train.min(axis=(0, 1))
    )
    np.testing.assert_array_equal(
        streamed.scaler.data_max, train.max(axis=(0, 1))
    )
    np.testing.assert_array_equal(streamed.train.sequences, train[:256])
    dataset = streamed.dataset()  # fit iterates one dataset every epoch
    epochs = [np.concatenate(list(dataset)) for _ in range(2)]
    assert len(epochs[0]) == len(epochs[1]) == streamed.steps_per_epoch * 32
    assert not np.array_equal(epochs[0], epochs[1])  # reshuffled
    if file_format == "parquet":
        return
    loaded = prepare(DataSpec(**common))
    assert streamed.steps_per_epoch == loaded.steps_per_epoch
    np.testing.assert_allclose(
        streamed.scaler.data_min, loaded.scaler.data_min, rtol=1e-6
    )
    result = train_lib.train(
        train_lib.TrainConfig.from_options(
            stream=True,
            model="rgan",
            export_dir=str(tmp_path / "e"),
            units=4,
            epochs=2,
            verbose=0,
            **common,
        )
    )
    assert len(result.history.history["d_loss"]) == 2
    assert int(result.model.g_optimizer.iterations) == 2 * (len(train) // 32)
    assert result.model.generate(3, seed=0).shape == (3, 8, 3)


@pytest.mark.parametrize(
    "options, message",
    [
        ({}, "stream reads one long csv:PATH or parquet:PATH"),
        ({"dataset": "npy:x.npy"}, "stream reads one long csv:PATH"),
        (
            {"dataset": "csv:x.csv", "id_column": "id"},
            "stream reads one long csv:PATH",
        ),
        ({"dataset": "csv:x.csv", "time_column": "t"}, "no time_column"),
    ],
)
def test_stream_flags_are_checked(options, message):
    with pytest.raises(ValueError, match=message):
        prepare(DataSpec(stream=True, **options))
