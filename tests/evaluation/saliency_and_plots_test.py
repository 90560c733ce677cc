import numpy as np
import tensorflow as tf

from keras_rgan import evaluation
from keras_rgan.data import sine_waves

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_integrated_gradients_of_a_linear_logit_are_exact():
    weights = np.random.default_rng(0).normal(size=(1, 5, 2)).astype("float32")
    fn = lambda x: tf.reduce_sum(x * weights, axis=[1, 2])  # noqa: E731
    x = np.random.default_rng(1).normal(size=(3, 5, 2)).astype("float32")
    baseline = np.full((1, 5, 2), 0.5, "float32")
    attributions = evaluation.integrated_gradients(fn, x, baseline, steps=4)
    np.testing.assert_allclose(
        attributions, (x - baseline) * weights, rtol=1e-5
    )


def test_integrated_gradients_are_complete_for_a_nonlinear_logit():
    fn = lambda x: tf.reduce_sum(tf.tanh(3.0 * x) ** 2, axis=[1, 2])  # noqa: E731
    x = np.random.default_rng(2).uniform(size=(4, 6, 2)).astype("float32")
    attributions = evaluation.integrated_gradients(fn, x, steps=64)
    np.testing.assert_allclose(
        attributions.sum(axis=(1, 2)),
        fn(x).numpy() - fn(np.zeros_like(x)).numpy(),
        rtol=2e-2,
    )


def test_plots_write_png_files(tmp_path):
    real = sine_waves(80, 10, 2, seed=0)
    fake = sine_waves(80, 10, 2, seed=1)
    paths = [
        evaluation.plot_embeddings(real, fake, str(tmp_path / "e.png")),
        evaluation.plot_sequences(
            real, fake, str(tmp_path / "s.png"), ["a", "b"]
        ),
        evaluation.plot_history(
            {"d_loss": [1.0, 0.9], "g_loss": [0.7, 0.8]},
            str(tmp_path / "h.png"),
        ),
        evaluation.plot_saliency(
            np.ones((4, 10, 2)), np.zeros((4, 10, 2)), str(tmp_path / "sal.png")
        ),
    ]
    for path in paths:
        with open(path, "rb") as f:
            header = f.read(8)
        assert header == PNG_MAGIC
        assert (tmp_path / path.split("/")[-1]).stat().st_size > 5000
