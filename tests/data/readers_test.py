import numpy as np
import pytest

from keras_rgan.data import load_sequences
from keras_rgan.data import load_stocks
from keras_rgan.data import make_windows
from keras_rgan.data import read_csv
from keras_rgan.data import read_npy


def write(path, text):
    path.write_text(text)
    return str(path)


def test_csv_reads_all_or_chosen_columns(tmp_path):
    path = write(tmp_path / "a.csv", "t,x,y\n0,1.5,2\n1,2.5,3\n")
    values, names = read_csv(path)
    assert names == ["t", "x", "y"]
    np.testing.assert_array_equal(values, [[0, 1.5, 2], [1, 2.5, 3]])
    values, names = read_csv(path, columns=["y", "x"])
    assert names == ["y", "x"]
    np.testing.assert_array_equal(values, [[2, 1.5], [3, 2.5]])


@pytest.mark.parametrize(
    "text, columns, message",
    [
        ("a,b\n1,x\n", None, "Column 'b' .* is not numeric"),
        ("a,b\n1,2\n", ["c"], r"Column\(s\) \['c'\] not found"),
        ("a,b\n", None, "no data rows"),
        ("", None, "is empty"),
        ("a,b\n1,2,3\n", None, "more fields than its header"),
        ("a,b\n1,\n", None, "Column 'b' .* has an empty cell at row 2"),
    ],
)
def test_csv_errors_name_the_problem(tmp_path, text, columns, message):
    path = write(tmp_path / "bad.csv", text)
    with pytest.raises(ValueError, match=message):
        read_csv(path, columns)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        read_csv(str(tmp_path / "nope.csv"))


def test_npy_round_trip_and_errors(tmp_path):
    good = str(tmp_path / "good.npy")
    np.save(good, np.ones((4, 5, 2)))
    assert read_npy(good).shape == (4, 5, 2)
    text = str(tmp_path / "text.npy")
    np.save(text, np.array([["a", "b"]]))
    with pytest.raises(ValueError, match="expected numbers"):
        read_npy(text)
    junk = tmp_path / "junk.npy"
    junk.write_bytes(b"not an array at all")
    with pytest.raises(ValueError, match="not a numeric .npy array"):
        read_npy(str(junk))


def test_windowing_counts_and_contents():
    values = np.arange(20.0).reshape(10, 2)
    windows = make_windows(values, seq_len=4)
    assert windows.shape == (7, 4, 2)
    np.testing.assert_array_equal(windows[3], values[3:7])
    assert make_windows(values, seq_len=4, stride=3).shape == (3, 4, 2)
    with pytest.raises(ValueError, match="fewer than seq_len"):
        make_windows(values, seq_len=11)


def test_stocks_file_gives_every_window_of_24():
    values, names = load_stocks()
    assert names == ["Open", "High", "Low", "Close", "Adj_Close", "Volume"]
    assert values.shape == (3685, 6)
    data = load_sequences("stocks", seq_len=24)
    # Every window of 24 consecutive rows, stride 1: 3685 - 24 + 1. (TimeGAN's
    # loop `range(len - seq_len)` drops the last one and reports 3,661.)
    assert data.sequences.shape == (3662, 24, 6)
    np.testing.assert_allclose(data.sequences[-1], values[-24:], rtol=1e-6)


def test_stocks_columns_choose_features_and_other_sets_refuse_them():
    values, _ = load_stocks()
    data = load_sequences("stocks", seq_len=125, columns=["Close"], stride=5)
    assert data.feature_names == ["Close"]
    assert data.sequences.shape == ((3685 - 125) // 5 + 1, 125, 1)
    np.testing.assert_allclose(data.sequences[1, :, 0], values[5:130, 3])
    with pytest.raises(ValueError, match=r"\['close'\] are not in stocks"):
        load_sequences("stocks", columns=["close"])
    with pytest.raises(ValueError, match="columns applies to tables"):
        load_sequences("sines", columns=["sine_0"])


def test_sources_load_csv_and_npy(tmp_path):
    rows = "\n".join(f"{i},{i * 2}" for i in range(30))
    path = write(tmp_path / "s.csv", "a,b\n" + rows + "\n")
    data = load_sequences(f"csv:{path}", seq_len=10, stride=5)
    assert data.sequences.shape == (5, 10, 2)
    assert data.feature_names == ["a", "b"]
    npy = str(tmp_path / "x.npy")
    np.save(npy, np.zeros((6, 10, 3)))
    assert load_sequences(f"npy:{npy}", seq_len=10).sequences.shape == (
        6,
        10,
        3,
    )
    with pytest.raises(ValueError, match="12 steps"):
        np.save(npy, np.zeros((6, 12, 3)))
        load_sequences(f"npy:{npy}", seq_len=10)


@pytest.mark.parametrize(
    "array, message",
    [
        (np.zeros((4, 10)), "rank 2"),
        (np.full((2, 10, 1), np.nan), "NaN or inf"),
        (np.zeros((0, 10, 1)), "is empty"),
    ],
)
def test_npy_content_errors(tmp_path, array, message):
    path = str(tmp_path / "x.npy")
    np.save(path, array)
    with pytest.raises(ValueError, match=message):
        load_sequences(f"npy:{path}", seq_len=10)


def test_unknown_spec_is_named():
    with pytest.raises(ValueError, match="Unknown dataset 'hdf5:x'"):
        load_sequences("hdf5:x")
