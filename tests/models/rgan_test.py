import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_rgan
from tests import helpers


def test_one_train_step_changes_both_players_and_losses_are_finite():
    gan = helpers.tiny_rgan()
    g_before = [w.numpy() for w in gan.generator.trainable_weights]
    d_before = [w.numpy() for w in gan.discriminator.trainable_weights]
    logs = gan.train_on_batch(helpers.tiny_data(16), return_dict=True)
    assert set(logs) == {
        "d_loss",
        "g_loss",
        "d_real_accuracy",
        "d_fake_accuracy",
    }
    assert all(np.isfinite(v) for v in logs.values())
    g_after = [w.numpy() for w in gan.generator.trainable_weights]
    d_after = [w.numpy() for w in gan.discriminator.trainable_weights]
    assert helpers.max_weight_change(g_before, g_after) > 0
    assert helpers.max_weight_change(d_before, d_after) > 0
    assert int(gan.g_optimizer.iterations) == 1
    assert int(gan.d_optimizer.iterations) == 1


@pytest.mark.parametrize("steps_per_execution", [1, 3])
def test_fit_on_dataset_with_callbacks(steps_per_execution):
    gan = helpers.tiny_rgan(steps_per_execution=steps_per_execution)
    dataset = keras_rgan.data.make_dataset(helpers.tiny_data(48), 8, seed=0)
    seen = []
    callback = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: seen.append(dict(logs))
    )
    history = gan.fit(dataset, epochs=2, callbacks=[callback], verbose=0)
    assert len(seen) == 2 and set(seen[0]) == {
        "d_loss",
        "g_loss",
        "d_real_accuracy",
        "d_fake_accuracy",
    }
    assert np.isfinite(history.history["d_loss"]).all()
    assert int(gan.g_optimizer.iterations) == 2 * 6


def test_fit_on_a_numpy_array():
    gan = helpers.tiny_rgan()
    history = gan.fit(
        helpers.tiny_data(24).astype("float64"),
        batch_size=8,
        epochs=1,
        verbose=0,
    )
    assert np.isfinite(history.history["g_loss"]).all()


def test_fit_with_xla():
    gan = helpers.tiny_rgan(jit_compile=True)
    history = gan.fit(helpers.tiny_data(16), batch_size=8, epochs=1, verbose=0)
    assert np.isfinite(history.history["g_loss"]).all()


def test_two_replicas_equal_one_device(mirrored_strategy):
    data = helpers.tiny_data(16)
    dataset = tf.data.Dataset.from_tensor_slices(data).batch(
        8, drop_remainder=True
    )

    def build():
        return helpers.tiny_rgan(
            seed=5,
            g_optimizer=keras.optimizers.SGD(0.5),
            d_optimizer=keras.optimizers.SGD(0.5),
        )

    single = build()
    initial = single.get_weights()
    single.fit(dataset, steps_per_epoch=1, epochs=1, verbose=0, shuffle=False)
    strategy = mirrored_strategy
    assert strategy.num_replicas_in_sync == 2
    with strategy.scope():
        mirrored = build()
        mirrored.set_weights(initial)
    mirrored.fit(dataset, steps_per_epoch=1, epochs=1, verbose=0, shuffle=False)
    assert helpers.max_weight_change(initial, single.get_weights()) > 1e-3
    np.testing.assert_allclose(
        np.concatenate([w.ravel() for w in mirrored.get_weights()]),
        np.concatenate([w.ravel() for w in single.get_weights()]),
        atol=1e-5,
    )


def test_keras_file_round_trip_keeps_outputs_and_compilation(tmp_path):
    x = helpers.tiny_data(16)
    scaler = keras_rgan.MinMaxScaler().fit(x * 10 + 3)
    gan = helpers.tiny_rgan(scaler=scaler, steps_per_execution=2)
    gan.fit(x, batch_size=8, epochs=1, verbose=0)
    restored = helpers.keras_round_trip(gan, tmp_path)
    assert isinstance(restored, keras_rgan.RGAN)
    assert restored.compiled
    assert restored.steps_per_execution == 2
    assert restored.d_steps == gan.d_steps == 1
    assert int(restored.g_optimizer.iterations) == int(
        gan.g_optimizer.iterations
    )
    noise = np.random.default_rng(0).normal(size=(4, 8, 2)).astype("float32")
    np.testing.assert_allclose(
        restored.generator(noise).numpy(),
        gan.generator(noise).numpy(),
        rtol=1e-6,
    )
    np.testing.assert_array_equal(restored.scaler.data_max, scaler.data_max)
    np.testing.assert_allclose(
        restored.generate(3, seed=4), gan.generate(3, seed=4), rtol=1e-6
    )
    # Still trainable after loading.
    logs = restored.train_on_batch(x[:8], return_dict=True)
    assert np.isfinite(logs["d_loss"])


def test_generate_is_seeded_and_in_original_units():
    x = helpers.tiny_data(16) * 100.0 + 50.0
    gan = helpers.tiny_rgan(scaler=keras_rgan.MinMaxScaler().fit(x))
    a, b, c = (
        gan.generate(5, seed=1),
        gan.generate(5, seed=1),
        gan.generate(5, seed=2),
    )
    assert a.shape == (5, 8, 3) and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    assert a.min() >= x.min() - 1e-3 and a.max() <= x.max() + 1e-3
    with pytest.raises(ValueError, match="num_samples"):
        gan.generate(0)


def test_constructor_errors():
    with pytest.raises(ValueError, match="scaler has 2 features"):
        helpers.tiny_rgan(
            scaler=keras_rgan.MinMaxScaler().fit(np.zeros((1, 2, 2)))
        )
    with pytest.raises(ValueError, match="must be fitted"):
        helpers.tiny_rgan(scaler=keras_rgan.MinMaxScaler())
    gan = helpers.tiny_rgan()
    optimizer = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="optimizer of its own"):
        gan.compile(g_optimizer=optimizer, d_optimizer=optimizer)


def test_sequence_latent_dims_stay_fixed_over_time(tmp_path):
    gan = keras_rgan.RGAN(
        keras_rgan.LSTMGenerator(3, units=8),
        keras_rgan.LSTMDiscriminator(units=8, per_step_logits=True),
        seq_len=8,
        latent_dim=2,
        sequence_latent_dim=3,
        seed=0,
    )
    gan.compile()
    assert gan.noise_dim == 5
    for noise in (
        gan.noise_from_seed(4, 1).numpy(),
        gan.training_noise(4).numpy(),
    ):
        assert noise.shape == (4, 8, 5)
        np.testing.assert_array_equal(
            noise[:, :, 2:], np.repeat(noise[:, :1, 2:], 8, 1)
        )
        assert np.std(noise[:, :, :2], axis=1).min() > 0  # per-step dims vary
    logs = gan.train_on_batch(helpers.tiny_data(8), return_dict=True)
    assert np.isfinite(logs["d_loss"])
    assert tuple(gan.discriminator(helpers.tiny_data(2)).shape) == (2, 8, 1)
    restored = helpers.keras_round_trip(gan, tmp_path)
    assert restored.sequence_latent_dim == 3
    assert restored.discriminator.per_step_logits
    np.testing.assert_allclose(
        restored.generate(2, seed=3), gan.generate(2, seed=3), rtol=1e-6
    )


def test_generation_and_export_use_the_averaged_generator(tmp_path):
    gan = helpers.tiny_rgan(
        g_optimizer=keras.optimizers.Adam(1e-2, use_ema=True, ema_momentum=0.5)
    )
    gan.fit(helpers.tiny_data(32), batch_size=8, epochs=2, verbose=0)
    variables = gan.generator.trainable_variables
    live = [v.numpy() for v in variables]
    average = [
        v.numpy() for v in gan.g_optimizer._model_variables_moving_average
    ]
    assert helpers.max_weight_change(live, average) > 1e-4
    noise = gan.noise_from_seed(4, 1)
    with gan.averaged_generator():
        np.testing.assert_array_equal(variables[0].numpy(), average[0])
        expected = gan.sequences_from_noise(noise).numpy()
    # Live weights are back for training.
    assert helpers.max_weight_change(live, [v.numpy() for v in variables]) == 0
    np.testing.assert_allclose(gan.generate(4, seed=1), expected, rtol=1e-6)
    path = keras_rgan.export_saved_model(gan, str(tmp_path / "ema"))
    served = (
        tf.saved_model.load(path)
        .signatures["serving_default"](
            num_samples=tf.constant(4), seed=tf.constant(1, tf.int64)
        )["sequences"]
        .numpy()
    )
    np.testing.assert_allclose(served, expected, rtol=1e-5)


def test_before_training_the_generator_is_its_own_average():
    # The optimizer's averages are zeros until its first step.
    gan = helpers.tiny_rgan(
        g_optimizer=keras.optimizers.Adam(1e-2, use_ema=True, ema_momentum=0.5)
    )
    gan.g_optimizer.build(gan.generator.trainable_variables)
    live = gan.sequences_from_noise(gan.noise_from_seed(4, 1)).numpy()
    assert live.std() > 1e-3
    np.testing.assert_allclose(gan.generate(4, seed=1), live, rtol=1e-6)


def test_wgan_gp_loss_trains_with_several_discriminator_steps():
    gan = helpers.tiny_rgan(loss="wgan_gp", d_steps=3)
    before = gan.get_weights()
    logs = gan.train_on_batch(helpers.tiny_data(8), return_dict=True)
    assert np.isfinite(logs["d_loss"]) and np.isfinite(logs["g_loss"])
    assert helpers.max_weight_change(before, gan.get_weights()) > 0
    assert int(gan.d_optimizer.iterations) == 3
    assert int(gan.g_optimizer.iterations) == 1
    with pytest.raises(ValueError, match="d_steps must be a positive"):
        helpers.tiny_rgan(d_steps=0)


def test_a_per_sequence_code_alone_drives_the_generator():
    gan = keras_rgan.RGAN(
        keras_rgan.LSTMGenerator(3, units=8),
        keras_rgan.LSTMDiscriminator(units=8),
        seq_len=8,
        latent_dim=0,
        sequence_latent_dim=3,
        seed=0,
    )
    gan.compile()
    assert gan.noise_dim == 3
    noise = gan.training_noise(4).numpy()
    np.testing.assert_array_equal(noise, np.repeat(noise[:, :1], 8, 1))
    assert np.std(noise[:, 0], axis=0).min() > 0  # codes differ per sequence
    logs = gan.train_on_batch(helpers.tiny_data(8), return_dict=True)
    assert np.isfinite(logs["d_loss"])
    assert gan.generate(2, seed=3).shape == (2, 8, 3)
    with pytest.raises(ValueError, match="at least one noise dimension"):
        keras_rgan.RGAN(
            keras_rgan.LSTMGenerator(3, units=8),
            keras_rgan.LSTMDiscriminator(units=8),
            seq_len=8,
            latent_dim=0,
            sequence_latent_dim=0,
        )


# === Differentially private training (DP-SGD on the discriminator) ===


def one_layer_rgan(**compile_kwargs):
    """A tiny RGAN whose discriminator DP-SGD can vectorise (unrolled)."""
    return helpers.tiny_rgan(
        discriminator=keras_rgan.LSTMDiscriminator(
            units=8, num_layers=1, unroll=True
        ),
        **compile_kwargs,
    )


def private_rgan(clip=1.0, noise=1.0, **kwargs):
    return one_layer_rgan(
        loss="wgan_gp",
        dp_l2_norm_clip=clip,
        dp_noise_multiplier=noise,
        **kwargs,
    )


def test_a_private_step_trains_both_players_and_logs_the_clipped_share():
    gan = private_rgan(clip=0.01)
    d_before = [w.numpy() for w in gan.discriminator.trainable_weights]
    logs = gan.train_on_batch(helpers.tiny_data(16), return_dict=True)
    assert logs["dp_clipped_share"] == 1.0  # a clip of 0.01 clips them all
    assert all(np.isfinite(v) for v in logs.values())
    d_after = [w.numpy() for w in gan.discriminator.trainable_weights]
    assert helpers.max_weight_change(d_before, d_after) > 0


@pytest.mark.parametrize("loss", ["wgan_gp", "non_saturating"])
def test_without_clipping_or_noise_a_private_step_is_the_usual_step(loss):
    data = helpers.tiny_data(8)
    usual = one_layer_rgan(loss=loss, d_optimizer="sgd")
    private = one_layer_rgan(
        loss=loss,
        d_optimizer="sgd",
        dp_l2_norm_clip=1e6,
        dp_noise_multiplier=1e-12,
    )
    private.set_weights(usual.get_weights())
    usual_logs = usual.train_on_batch(data, return_dict=True)
    private_logs = private.train_on_batch(data, return_dict=True)
    assert private_logs["dp_clipped_share"] == 0.0
    assert private_logs["d_loss"] == pytest.approx(usual_logs["d_loss"], 1e-4)
    for a, b in zip(
        usual.discriminator.trainable_weights,
        private.discriminator.trainable_weights,
    ):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-5)


def test_one_real_sequence_moves_a_private_update_by_at_most_twice_the_clip():
    # The bound DP-SGD's accounting relies on, with the gradient penalty and
    # the generated batch in the loss: plain SGD at learning rate 1 turns the
    # update into the noised mean of clipped gradients; replacing one of 8
    # real sequences may move it by at most 2 * clip / 8.
    clip, batch = 0.05, 8
    data = helpers.tiny_data(batch)
    replaced = data.copy()
    replaced[2] = 1.0 - replaced[2]

    start = private_rgan().get_weights()

    def update(real):
        gan = private_rgan(clip=clip, noise=1e-12, d_optimizer="sgd")
        gan.set_weights(start)
        gan.d_optimizer.learning_rate.assign(1.0)
        before = [w.numpy() for w in gan.discriminator.trainable_weights]
        gan.train_on_batch(real)
        after = gan.discriminator.trainable_weights
        return np.concatenate(
            [(a.numpy() - b).ravel() for a, b in zip(after, before)]
        )

    moved = np.linalg.norm(update(data) - update(replaced))
    assert 0 < moved <= 2 * clip / batch + 1e-6


def test_private_training_under_two_replicas(mirrored_strategy):
    with mirrored_strategy.scope():
        gan = private_rgan()
    history = gan.fit(
        keras_rgan.data.make_dataset(helpers.tiny_data(32), 8, seed=0),
        epochs=1,
        verbose=0,
    )
    assert np.isfinite(history.history["d_loss"]).all()
    assert 0.0 <= history.history["dp_clipped_share"][-1] <= 1.0


def test_the_privacy_settings_round_trip_with_the_compiled_model(tmp_path):
    gan = private_rgan(clip=0.5, noise=2.0)
    restored = helpers.keras_round_trip(gan, tmp_path)
    assert (restored.dp_l2_norm_clip, restored.dp_noise_multiplier) == (
        0.5,
        2.0,
    )
    assert restored.private


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"dp_l2_norm_clip": 1.0}, "needs both dp_l2_norm_clip"),
        (
            {"dp_l2_norm_clip": 0.0, "dp_noise_multiplier": 1.0},
            "dp_l2_norm_clip must be a number above 0",
        ),
        (
            {"dp_l2_norm_clip": 1.0, "dp_noise_multiplier": -1.0},
            "dp_noise_multiplier must be a number above 0",
        ),
    ],
)
def test_bad_privacy_settings_are_refused(settings, message):
    with pytest.raises(ValueError, match=message):
        one_layer_rgan(**settings)


def test_models_whose_generator_reads_real_data_refuse_privacy():
    dp = {"dp_l2_norm_clip": 1.0, "dp_noise_multiplier": 1.0}
    labelled = keras_rgan.RGAN(
        generator=keras_rgan.LSTMGenerator(3, units=4),
        discriminator=keras_rgan.LSTMDiscriminator(units=4),
        seq_len=8,
        latent_dim=2,
        num_classes=2,
    )
    with pytest.raises(ValueError, match="RGAN cannot train with differ"):
        labelled.compile(**dp)
    with pytest.raises(ValueError, match="discriminator with unroll=True"):
        helpers.tiny_rgan(**dp)  # looping LSTM layers
    crgan = keras_rgan.CRGAN(
        seq_len=8, num_features=2, latent_dim=2, units=4, condition_steps=2
    )
    with pytest.raises(ValueError, match="reads a prefix of real sequences"):
        crgan.compile(**dp)
    timegan = keras_rgan.TimeGAN(seq_len=8, num_features=2, hidden_dim=4)
    with pytest.raises(ValueError, match="supervised phases"):
        timegan.compile(**dp)
    latent = keras_rgan.LatentGAN(
        seq_len=8, num_features=2, code_dim=4, noise_dim=3, units=8
    )
    with pytest.raises(ValueError, match="autoencoder reads real sequences"):
        latent.compile(**dp)
