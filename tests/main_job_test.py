"""The README's main job at its full default budget (about 10 minutes)."""

import numpy as np
import pytest
import tensorflow as tf

import keras_rgan
from keras_rgan import train_lib


@pytest.mark.large
def test_default_sines_training_exports_a_useful_model(tmp_path):
    result = train_lib.train(
        train_lib.TrainConfig.from_options(
            export_dir=str(tmp_path / "sines"), verbose=0
        )
    )
    served = tf.saved_model.load(result.export_path)
    samples = served.signatures["serving_default"](
        num_samples=tf.constant(2000), seed=tf.constant(0, tf.int64)
    )["sequences"].numpy()
    assert samples.shape == (2000, 24, 5)
    real = keras_rgan.data.sine_waves(2000, 24, 5, seed=1)
    # Per-feature, per-step means and spreads close to the real data's.
    np.testing.assert_allclose(
        samples.mean(axis=0), real.mean(axis=0), atol=0.08
    )
    np.testing.assert_allclose(samples.std(axis=0), real.std(axis=0), atol=0.08)
    # Sine-like smoothness: steps change little, as in the real data.
    real_step = np.abs(np.diff(real, axis=1)).mean()
    fake_step = np.abs(np.diff(samples, axis=1)).mean()
    assert fake_step < 3 * real_step + 0.01
