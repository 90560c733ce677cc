import json

import numpy as np
import pandas as pd
import pytest

from keras_rgan.data.prepared import load_split
from keras_rgan.data.spec import DataSpec
from keras_rgan.data.splits import holdout_index
from keras_rgan.data.splits import holdout_split
from keras_rgan.data.windowing import make_windows


def test_holdout_keeps_order_and_drops_overlapping_windows():
    x = np.arange(100).reshape(100, 1, 1)
    train, held_out = holdout_split(x, 0.1, overlap=5)
    assert len(held_out) == 10 and len(train) == 85
    np.testing.assert_array_equal(held_out[:, 0, 0], np.arange(90, 100))
    assert train[-1, 0, 0] == 84
    train, held_out = holdout_split(x, 0.0)
    assert len(train) == 100 and len(held_out) == 0
    with pytest.raises(ValueError, match="must be in"):
        holdout_split(x, 1.0)


def test_stock_windows_held_out_share_no_step_with_training():
    train, held_out = load_split(
        DataSpec(dataset="stocks", seq_len=24, holdout_fraction=0.1)
    )
    # Each window's first row is a distinct day: compare by the Open price path.
    last_train_start = len(train.sequences) - 1
    first_held_out_start = 3662 - len(held_out.sequences)
    assert first_held_out_start - last_train_start >= 24
    assert len(held_out.sequences) == 366


def steps_of(windows):
    """The series steps each window holds (windows cut from `arange`)."""
    return set(windows[..., 0].astype(int).ravel().tolist())


@pytest.mark.parametrize("seq_len, stride", [(24, 1), (8, 3), (5, 5)])
@pytest.mark.parametrize("blocks", [1, 2, 5])
def test_no_held_out_step_is_trained_on(seq_len, stride, blocks):
    windows = make_windows(np.arange(600.0)[:, None], seq_len, stride)
    overlap = -(-(seq_len - 1) // stride)  # As load_split drops.
    train, held_out = holdout_split(windows, 0.2, overlap, blocks)
    assert len(held_out) == round(0.2 * len(windows))
    assert not steps_of(train) & steps_of(held_out)
    # Only the windows next to a block are dropped: 2 gaps per interior
    # block, one before the last.
    assert (
        len(train) == len(windows) - len(held_out) - (2 * blocks - 1) * overlap
    )


def test_blocks_are_spread_through_the_data():
    train, held_out = holdout_index(1000, 0.1, overlap=3, blocks=4)
    starts = np.flatnonzero(np.diff(held_out) > 1) + 1
    runs = np.split(held_out, starts)
    # Four blocks of 25, each closing a quarter of the data.
    assert [len(run) for run in runs] == [25] * 4
    assert [int(run[-1]) + 1 for run in runs] == [250, 500, 750, 1000]
    dropped = set(range(1000)) - set(train) - set(held_out)
    assert len(dropped) == 3 * 7
    assert {222, 250, 252, 472, 500, 502, 722, 724} <= dropped


@pytest.mark.parametrize("count", [20, 97, 3662])
@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.33])
@pytest.mark.parametrize("overlap", [0, 1, 23])
def test_one_block_is_the_last_share_as_before(count, fraction, overlap):
    num_held_out = int(round(fraction * count))
    end_of_train = count - num_held_out - (overlap if num_held_out else 0)
    if end_of_train < 1:
        with pytest.raises(ValueError, match="Too few sequences"):
            holdout_index(count, fraction, overlap)
        return
    train, held_out = holdout_index(count, fraction, overlap)
    np.testing.assert_array_equal(train, np.arange(end_of_train))
    np.testing.assert_array_equal(
        held_out, np.arange(count - num_held_out, count)
    )
    x = np.arange(count).reshape(count, 1, 1)
    # One block is still two views of the sequences, no copies.
    for part in holdout_split(x, fraction, overlap):
        assert np.shares_memory(part, x) or len(part) == 0


def test_load_split_holds_out_blocks_of_a_table_series(tmp_path):
    path = tmp_path / "series.csv"
    pd.DataFrame({"step": np.arange(500.0)}).to_csv(path, index=False)
    spec = DataSpec(
        dataset=f"csv:{path}",
        seq_len=8,
        stride=2,
        holdout_fraction=0.2,
        holdout_blocks=3,
    )
    train, held_out = load_split(spec)
    assert len(held_out.sequences) == round(0.2 * 247)
    assert not steps_of(train.sequences) & steps_of(held_out.sequences)
    # Held-out steps lie in each third of the series, not only the last.
    thirds = set(np.asarray(sorted(steps_of(held_out.sequences))) * 3 // 500)
    assert thirds == {0, 1, 2}


def test_bad_holdout_blocks_are_named():
    with pytest.raises(ValueError, match="holdout_blocks must be a positive"):
        DataSpec(holdout_blocks=0)
    with pytest.raises(ValueError, match="--stream holds out the last rows"):
        DataSpec(dataset="csv:x.csv", stream=True, holdout_blocks=2)
    with pytest.raises(ValueError, match=r"between 1 and .* 2 \(10% of 20\)"):
        holdout_index(20, 0.1, blocks=3)
    with pytest.raises(ValueError, match=r"between 1 and .* 0 \(0% of 20\)"):
        holdout_index(20, 0.0, blocks=2)
    with pytest.raises(ValueError, match="Too few sequences"):
        holdout_index(20, 0.5, overlap=5, blocks=2)
    with pytest.raises(ValueError, match=r"between 1 and .* 10 \(10% of 100"):
        load_split(DataSpec(num_sequences=100, holdout_blocks=11), seed=0)


def test_holdout_blocks_round_trip_through_the_export_record():
    spec = DataSpec(dataset="stocks", holdout_blocks=4)
    record = json.loads(json.dumps(spec.to_record(seed=3)))
    assert record["holdout_blocks"] == 4
    assert DataSpec.from_record(record) == spec
    # Records written before the option existed: the last share, as then.
    del record["holdout_blocks"]
    assert DataSpec.from_record(record).holdout_blocks == 1
