import numpy as np
import pytest

from keras_rgan import losses


def bce(label, logit):
    p = 1.0 / (1.0 + np.exp(-logit))
    return -(label * np.log(p) + (1 - label) * np.log(1 - p))


def test_non_saturating_losses_match_the_formulas():
    real = np.array([[2.0], [-1.0], [0.5]], "float32")
    fake = np.array([[-3.0], [0.2], [1.0]], "float32")
    d_loss, g_loss, penalty = losses.get("non_saturating")
    assert penalty == 0
    expected_d = bce(1, real).mean() + bce(0, fake).mean()
    expected_g = bce(1, fake).mean()
    np.testing.assert_allclose(float(d_loss(real, fake)), expected_d, rtol=1e-5)
    np.testing.assert_allclose(float(g_loss(fake)), expected_g, rtol=1e-5)


def test_per_step_logits_are_averaged_over_time():
    logits = np.random.default_rng(0).normal(size=(4, 7, 1)).astype("float32")
    _, g_loss, _ = losses.get("non_saturating")
    np.testing.assert_allclose(
        float(g_loss(logits)), bce(1, logits).mean(), rtol=1e-5
    )


def test_unknown_loss_is_named():
    with pytest.raises(ValueError, match="Unknown GAN loss 'hinge'"):
        losses.get("hinge")


def test_gradient_penalty_is_zero_for_a_unit_gradient_critic():
    import tensorflow as tf

    # D(x) = sum(w * x) with |w| = 1 has gradient norm 1 everywhere.
    w = np.random.default_rng(0).normal(size=(1, 4, 3)).astype("float32")
    w /= np.sqrt((w**2).sum())
    critic = lambda x, training=False: tf.reduce_sum(x * w, axis=[1, 2])  # noqa: E731
    real = tf.random.normal((5, 4, 3))
    fake = tf.random.normal((5, 4, 3))
    eps = tf.random.uniform((5, 1, 1))
    assert float(losses.gradient_penalty(critic, real, fake, eps)) < 1e-8
    steep = lambda x, training=False: 3.0 * critic(x)  # noqa: E731
    np.testing.assert_allclose(
        float(losses.gradient_penalty(steep, real, fake, eps)), 4.0, rtol=1e-4
    )
