import numpy as np
import pytest
import tensorflow as tf

import keras_rgan
from tests import helpers

SEQ_LEN, FEATURES = 8, 2


def data(n=32):
    return keras_rgan.data.sine_waves(n, SEQ_LEN, FEATURES, seed=0)


def tiny_timegan(embedding_epochs=1, supervised_epochs=1, **kwargs):
    gan = keras_rgan.TimeGAN(
        seq_len=SEQ_LEN,
        num_features=FEATURES,
        hidden_dim=4,
        num_layers=2,
        embedding_epochs=embedding_epochs,
        supervised_epochs=supervised_epochs,
        seed=0,
        **kwargs,
    )
    gan.compile()
    return gan


def weights(model):
    return [w.numpy() for w in model.trainable_weights]


def test_three_phases_train_the_right_networks():
    gan = tiny_timegan()
    nets = {
        "embedding": gan.embedder,
        "recovery": gan.recovery,
        "generator": gan.generator,
        "supervisor": gan.supervisor,
        "discriminator": gan.discriminator,
    }
    expected = {
        "embedding": {"embedding", "recovery"},
        "supervised": {"supervisor"},
        "joint": set(nets),
    }
    for phase in ("embedding", "supervised", "joint"):
        before = {name: weights(net) for name, net in nets.items()}
        history = gan.fit(data(), batch_size=16, epochs=1, verbose=0)
        assert gan.phase == phase
        changed = {
            name
            for name, net in nets.items()
            if helpers.max_weight_change(before[name], weights(net)) > 0
        }
        assert changed == expected[phase], phase
        assert all(np.isfinite(v[-1]) for v in history.history.values())
    assert int(gan.completed_epochs.numpy()) == 3


def test_keras_round_trip_keeps_phase_progress(tmp_path):
    gan = tiny_timegan(embedding_epochs=1, supervised_epochs=0)
    gan.fit(data(), batch_size=16, epochs=2, verbose=0)
    restored = helpers.keras_round_trip(gan, tmp_path)
    assert isinstance(restored, keras_rgan.TimeGAN) and restored.compiled
    assert int(restored.completed_epochs.numpy()) == 2
    assert restored.current_phase() == "joint"
    np.testing.assert_allclose(
        restored.generate(3, seed=1), gan.generate(3, seed=1), rtol=1e-5
    )


def test_trains_under_two_replicas_and_exports(mirrored_strategy, tmp_path):
    with mirrored_strategy.scope():
        gan = tiny_timegan(embedding_epochs=1, supervised_epochs=1)
    history = gan.fit(
        keras_rgan.data.make_dataset(data(), 16, seed=0), epochs=3, verbose=0
    )
    assert np.isfinite(history.history["d_loss"][-1])
    path = keras_rgan.export_saved_model(gan, str(tmp_path / "timegan"))
    loaded = tf.saved_model.load(path)
    served = loaded.signatures["serving_default"](
        num_samples=tf.constant(3), seed=tf.constant(2, tf.int64)
    )["sequences"]
    np.testing.assert_allclose(
        served.numpy(), gan.generate(3, seed=2), rtol=1e-5
    )
    logits = loaded.signatures["discriminate"](sequences=tf.constant(data(4)))[
        "logits"
    ]
    assert logits.shape == (4,)


def test_bad_phase_lengths():
    with pytest.raises(ValueError, match="must be >= 0"):
        tiny_timegan(embedding_epochs=-1)


def test_joint_step_updates_generator_twice_per_discriminator_update():
    gan = tiny_timegan(embedding_epochs=0, supervised_epochs=0)
    gan.fit(data(32), batch_size=16, epochs=1, verbose=0)  # 2 joint steps
    assert int(gan.g_optimizer.iterations.numpy()) == 4
    assert int(gan.e_optimizer.iterations.numpy()) == 4
    assert int(gan.d_optimizer.iterations.numpy()) == 2


def test_discriminator_rests_while_its_loss_is_below_the_threshold(
    monkeypatch,
):
    from keras_rgan.models import timegan

    monkeypatch.setattr(timegan, "D_LOSS_THRESHOLD", 1e9)
    gan = tiny_timegan(embedding_epochs=0, supervised_epochs=0)
    before = weights(gan.discriminator)
    history = gan.fit(data(32), batch_size=16, epochs=1, verbose=0)
    assert int(gan.d_optimizer.iterations.numpy()) == 0
    assert helpers.max_weight_change(before, weights(gan.discriminator)) == 0
    assert history.history["d_loss"][-1] > 0  # Still measured and logged.


def test_supervised_phase_leaves_the_generator_optimizer_fresh():
    gan = tiny_timegan(embedding_epochs=0, supervised_epochs=1)
    gan.fit(data(32), batch_size=16, epochs=1, verbose=0)
    assert int(gan.s_optimizer.iterations.numpy()) == 2
    assert int(gan.g_optimizer.iterations.numpy()) == 0


def test_generator_reads_uniform_noise():
    from keras_rgan.models import timegan

    uniform = timegan._uniform(tf.random.normal([20000], seed=1)).numpy()
    assert uniform.min() >= 0 and uniform.max() <= 1
    np.testing.assert_allclose(np.mean(uniform), 0.5, atol=0.01)
    np.testing.assert_allclose(np.var(uniform), 1 / 12, atol=0.003)


def test_config_saved_before_uniform_noise_keeps_normal_noise():
    config = tiny_timegan().get_config()
    assert keras_rgan.TimeGAN.from_config(config).uniform_noise is True
    del config["uniform_noise"]
    old = keras_rgan.TimeGAN.from_config(config)
    assert old.uniform_noise is False
    noise = tf.random.normal([2, SEQ_LEN, FEATURES], seed=0)
    np.testing.assert_array_equal(
        old._embed_noise(noise, training=False),
        old.generator(noise, training=False),
    )
