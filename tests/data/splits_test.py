import numpy as np
import pytest

from keras_rgan.data.prepared import load_split
from keras_rgan.data.spec import DataSpec
from keras_rgan.data.splits import holdout_split


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
