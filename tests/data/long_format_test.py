"""Long-format CSVs (one row per step, an id column) to padded sequences."""

import csv

import numpy as np
import pytest

from keras_rgan import data
from keras_rgan.data.windowing import pad_or_window


def write_long_csv(path, lengths, seed=0, shuffle_rows=True):
    """Sequences `s0, s1, ...` of the given lengths; rows in random order."""
    rng = np.random.default_rng(seed)
    rows = [
        [f"s{i}", t, float(i), float(t) + 0.5]
        for i, length in enumerate(lengths)
        for t in range(length)
    ]
    if shuffle_rows:
        rows = [rows[k] for k in rng.permutation(len(rows))]
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["patient", "time", "a", "b"])
        writer.writerows(rows)
    return str(path)


def test_rows_are_grouped_by_id_and_ordered_by_time(tmp_path):
    path = write_long_csv(tmp_path / "long.csv", [3, 1, 4])
    loaded = data.load_sequences(
        f"csv:{path}", seq_len=4, id_column="patient", time_column="time"
    )
    assert loaded.feature_names == ["a", "b"]
    assert sorted(loaded.lengths.tolist()) == [1, 3, 4]
    for sequence, length in zip(loaded.sequences, loaded.lengths):
        np.testing.assert_array_equal(
            sequence[:length, 1], np.arange(length) + 0.5
        )
        assert len(set(sequence[:length, 0])) == 1  # one id per sequence


def test_text_times_sort_as_dates_and_columns_can_be_chosen(tmp_path):
    path = tmp_path / "dates.csv"
    path.write_text(
        "id,date,v,w\nx,2024-01-03,3,0\nx,2024-01-01,1,0\ny,2024-02-01,7,0\n"
        "x,2024-01-02,2,0\ny,2024-02-02,8,0\n"
    )
    loaded = data.load_sequences(
        f"csv:{path}",
        seq_len=3,
        id_column="id",
        time_column="date",
        columns=["v"],
    )
    assert loaded.feature_names == ["v"]
    assert loaded.sequences[..., 0].tolist() == [[1.0, 2.0, 3.0], [7.0, 8.0, 0]]


@pytest.mark.parametrize(
    "id_column, time_column, columns, message",
    [
        ("nope", None, None, "The id column 'nope' is not in"),
        ("patient", "when", None, "The time column 'when' is not in"),
        ("patient", None, ["patient"], "No feature columns left"),
        ("patient", None, ["zzz"], r"Column\(s\) \['zzz'\] not found"),
    ],
)
def test_bad_long_format_requests_are_named(
    tmp_path, id_column, time_column, columns, message
):
    path = write_long_csv(tmp_path / "long.csv", [3, 2])
    with pytest.raises(ValueError, match=message):
        data.load_sequences(
            f"csv:{path}",
            seq_len=3,
            id_column=id_column,
            time_column=time_column,
            columns=columns,
        )


def test_short_sequences_are_padded_and_long_ones_windowed():
    x, lengths = pad_or_window(
        [np.ones((2, 1)), np.arange(5.0)[:, None], np.ones((4, 1))], seq_len=4
    )
    assert x.shape == (4, 4, 1)
    assert lengths.tolist() == [2, 4, 4, 4]
    np.testing.assert_array_equal(x[0, :, 0], [1, 1, 0, 0])
    np.testing.assert_array_equal(x[1, :, 0], [0, 1, 2, 3])
    np.testing.assert_array_equal(x[2, :, 0], [1, 2, 3, 4])
    with pytest.raises(ValueError, match="Sequence 1 has shape"):
        pad_or_window([np.ones((2, 1)), np.ones((0, 1))], 4)
    with pytest.raises(ValueError, match="No sequences"):
        pad_or_window([], 4)


def test_load_sequences_gives_lengths_and_the_pipeline_masks(tmp_path):
    path = write_long_csv(tmp_path / "long.csv", [3, 6, 2, 6, 5, 9])
    loaded = data.load_sequences(
        f"csv:{path}", seq_len=6, id_column="patient", time_column="time"
    )
    assert loaded.sequences.shape == (9, 6, 2)  # 9 steps give 4 windows of 6
    assert sorted(loaded.lengths.tolist()) == [2, 3, 5] + [6] * 6
    steps = loaded.valid_steps()
    assert len(steps) == int(loaded.lengths.sum())
    scaled = loaded.sequences + 100.0  # padded steps now non-zero
    dataset = data.make_dataset(
        scaled, 9, shuffle=False, lengths=loaded.lengths
    )
    batch = next(iter(dataset))
    lengths = batch["lengths"].numpy()
    past_end = np.arange(6)[None, :] >= lengths[:, None]
    assert np.all(batch["sequences"].numpy()[past_end] == 0)
    assert np.all(batch["sequences"].numpy()[~past_end] >= 100)
    with pytest.raises(ValueError, match=r"lengths must lie in \[1, 6\]"):
        data.make_dataset(scaled, 9, lengths=np.zeros(9, int))


def test_equal_lengths_give_fixed_length_data_and_bad_specs_are_named(tmp_path):
    path = write_long_csv(tmp_path / "long.csv", [6, 7])
    loaded = data.load_sequences(
        f"csv:{path}", seq_len=6, id_column="patient", time_column="time"
    )
    assert loaded.lengths is None and loaded.sequences.shape == (3, 6, 2)
    with pytest.raises(ValueError, match="apply to tables"):
        data.load_sequences("sines", id_column="patient")
