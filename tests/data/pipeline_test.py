import numpy as np
import pytest

from keras_rgan.data import make_dataset


def first_batches(dataset, count):
    return [b.numpy() for b in dataset.take(count)]


def test_static_batches_cover_an_epoch_once():
    x = np.arange(10 * 3 * 2, dtype="float32").reshape(10, 3, 2)
    dataset = make_dataset(x, batch_size=4, seed=0)
    assert dataset.element_spec.shape.as_list() == [4, 3, 2]
    batches = first_batches(dataset, 10)
    assert len(batches) == 2  # 10 // 4, remainder dropped
    seen = np.concatenate(batches)[:, 0, 0]
    assert len(set(seen.tolist())) == 8


def test_shuffle_is_reproducible_by_seed():
    x = np.arange(64, dtype="float32").reshape(64, 1, 1)
    a = first_batches(make_dataset(x, 8, seed=1), 8)
    b = first_batches(make_dataset(x, 8, seed=1), 8)
    c = first_batches(make_dataset(x, 8, seed=2), 8)
    np.testing.assert_array_equal(np.concatenate(a), np.concatenate(b))
    assert not np.array_equal(np.concatenate(a), np.concatenate(c))


def test_too_little_data_for_one_batch():
    with pytest.raises(ValueError, match="fewer than batch_size=8"):
        make_dataset(np.zeros((5, 2, 1), "float32"), batch_size=8)
    with pytest.raises(ValueError, match="batch_size must be positive"):
        make_dataset(np.zeros((5, 2, 1), "float32"), batch_size=0)
