import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_rgan.data import MinMaxScaler


def test_fit_transform_inverse_round_trip():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 6, 3)) * [1.0, 100.0, 1e7] + [0.0, 500.0, 3e7]
    scaler = MinMaxScaler().fit(x)
    scaled = scaler.transform(x)
    assert scaled.min() >= 0.0 and scaled.max() <= 1.0
    feature_range = x.max(axis=(0, 1)) - x.min(axis=(0, 1))
    error = np.abs(scaler.inverse_transform(scaled) - x) / feature_range
    assert error.max() < 1e-6  # float32 precision, relative to each range


def test_tensors_give_the_numpy_result():
    x = np.array([[[1.0, -2.0]], [[3.0, 4.0]]])
    scaler = MinMaxScaler().fit(x)
    scaled = np.array([[[0.25, 0.75]]], dtype=np.float32)
    np.testing.assert_allclose(
        scaler.inverse_transform(tf.constant(scaled)).numpy(),
        scaler.inverse_transform(scaled),
        rtol=1e-6,
    )


def test_constant_feature_maps_back_to_its_value():
    x = np.stack([np.linspace(0, 1, 8), np.full(8, 5.0)], axis=-1)[None]
    scaler = MinMaxScaler().fit(x)
    assert np.all(scaler.transform(x)[..., 1] == 0.0)
    np.testing.assert_allclose(
        scaler.inverse_transform(np.full((1, 1, 2), 0.7))[..., 1], 5.0
    )


def test_config_round_trip_through_keras_serialization():
    scaler = MinMaxScaler().fit(np.array([[[0.0, 1.0]], [[2.0, 9.0]]]))
    restored = keras.saving.deserialize_keras_object(
        keras.saving.serialize_keras_object(scaler)
    )
    np.testing.assert_array_equal(restored.data_min, scaler.data_min)
    np.testing.assert_array_equal(restored.data_max, scaler.data_max)


def test_errors():
    with pytest.raises(ValueError, match="not fitted"):
        MinMaxScaler().transform(np.zeros((1, 1, 1)))
    with pytest.raises(ValueError, match="empty"):
        MinMaxScaler().fit(np.zeros((0, 3, 2)))
