"""Windows streamed from a CSV equal the windows of the loaded file."""

import numpy as np
import pytest

from keras_rgan import train_lib
from keras_rgan.data import make_windows
from keras_rgan.data import streaming
from keras_rgan.data.prepared import prepare
from keras_rgan.data.spec import DataSpec


def write_series(path, rows, columns=("a", "b", "c"), seed=0):
    values = (
        np.random.default_rng(seed).normal(size=(rows, len(columns))).round(4)
    )
    with open(path, "w") as f:
        f.write(",".join(columns) + "\n")
        for row in values:
            f.write(",".join(str(v) for v in row) + "\n")
    return str(path), values


@pytest.mark.parametrize("stride", [1, 3])
def test_streamed_windows_equal_the_loaded_windows_across_chunks(
    tmp_path, stride, monkeypatch
):
    monkeypatch.setattr(streaming, "CHUNK_ROWS", 100)  # many chunk boundaries
    path, values = write_series(tmp_path / "series.csv", 1000)
    chosen = values[:, [2, 0]]  # columns c, a in that order
    expected = make_windows(chosen, 24, stride)
    ds = streaming.stream_windows(
        path,
        24,
        batch_size=1,
        scaler=None,
        columns=["c", "a"],
        stride=stride,
        shuffle_buffer=1,
    )
    got = np.concatenate([batch.numpy() for batch in ds])
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert len(got) == streaming.num_windows(1000, 24, stride)
    stats = streaming.csv_statistics(path, ["c", "a"], num_rows=500)
    assert stats.num_rows == 500 and stats.feature_names == ["c", "a"]
    np.testing.assert_allclose(stats.data_min, chosen[:500].min(0), rtol=1e-6)
    np.testing.assert_allclose(stats.data_max, chosen[:500].max(0), rtol=1e-6)


def test_streamed_training_matches_the_in_memory_split_and_scaler(tmp_path):
    path, values = write_series(tmp_path / "series.csv", 600)
    common = dict(dataset=f"csv:{path}", seq_len=8, batch_size=32)
    streamed = prepare(DataSpec(stream=True, **common))
    loaded = prepare(DataSpec(**common))
    assert not streamed.train_in_memory and loaded.train_in_memory
    assert streamed.steps_per_epoch == loaded.steps_per_epoch
    assert len(streamed.dataset()) == len(loaded.dataset())
    np.testing.assert_allclose(
        streamed.scaler.data_min, loaded.scaler.data_min, rtol=1e-6
    )
    np.testing.assert_allclose(
        streamed.scaler.data_max, loaded.scaler.data_max, rtol=1e-6
    )
    np.testing.assert_allclose(
        streamed.train.sequences, loaded.train.sequences[:256], rtol=1e-6
    )
    # Two epochs of the stream: each a finite pass over the same windows.
    dataset = streamed.dataset()  # fit iterates one dataset every epoch
    epochs = [np.concatenate(list(dataset)) for _ in range(2)]
    assert len(epochs[0]) == len(epochs[1]) == streamed.steps_per_epoch * 32
    assert not np.array_equal(epochs[0], epochs[1])  # reshuffled
    result = train_lib.train(
        train_lib.TrainConfig.from_options(
            stream=True,
            export_dir=str(tmp_path / "e"),
            units=4,
            epochs=2,
            verbose=0,
            **common,
        )
    )
    assert len(result.history.history["d_loss"]) == 2
    assert int(result.model.g_optimizer.iterations) == 2 * (
        len(loaded.train.sequences) // 32
    )
    assert result.model.generate(3, seed=0).shape == (3, 8, 3)


@pytest.mark.parametrize(
    "content, message",
    [
        ("a,b\n1,x\n", "not a number"),
        ("a,b\n1,nan\n", "NaN or inf"),
        ("a,b\n", "no data rows"),
    ],
)
def test_bad_streamed_files_are_named(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(ValueError, match=message):
        streaming.csv_statistics(str(path))


def test_stream_flags_are_checked():
    with pytest.raises(ValueError, match="stream reads one long csv:PATH"):
        prepare(DataSpec(stream=True))
