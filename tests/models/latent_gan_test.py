import numpy as np
import pytest
import tensorflow as tf

import keras_rgan
from tests import helpers

SEQ_LEN, FEATURES = 8, 2


def data(n=32):
    return keras_rgan.data.sine_waves(n, SEQ_LEN, FEATURES, seed=0)


def tiny_latent_gan(**kwargs):
    gan = keras_rgan.LatentGAN(
        seq_len=SEQ_LEN,
        num_features=FEATURES,
        code_dim=4,
        noise_dim=3,
        units=8,
        dense_units=[8],
        seed=0,
        **kwargs,
    )
    gan.compile(loss="wgan_gp", d_steps=2)
    return gan


def weights(model):
    return [w.numpy() for w in model.trainable_weights]


def networks(gan):
    return {
        "encoder": gan.encoder,
        "decoder": gan.decoder,
        "generator": gan.generator,
        "discriminator": gan.discriminator,
    }


def test_the_first_fit_splits_its_epochs_between_the_phases():
    gan = tiny_latent_gan(autoencoder_share=0.4)
    assert gan.phase == "autoencoder"
    gan.fit(data(), batch_size=16, epochs=5, verbose=0)
    assert int(gan.autoencoder_epochs.numpy()) == 2 and gan.phase == "gan"
    # At least one epoch of each, whatever the share.
    gan = tiny_latent_gan(autoencoder_share=0.9)
    gan.fit(data(), batch_size=16, epochs=2, verbose=0)
    assert int(gan.autoencoder_epochs.numpy()) == 1 and gan.phase == "gan"


def test_each_phase_trains_its_own_networks():
    gan = tiny_latent_gan()
    expected = {
        "autoencoder": {"encoder", "decoder"},
        "gan": {"generator", "discriminator"},
    }
    # A first fit of 1 epoch: the autoencoder; later fits: the GAN.
    for phase in ("autoencoder", "gan", "gan"):
        before = {n: weights(net) for n, net in networks(gan).items()}
        history = gan.fit(data(), batch_size=16, epochs=1, verbose=0)
        assert gan.phase == phase
        changed = {
            name
            for name, net in networks(gan).items()
            if helpers.max_weight_change(before[name], weights(net)) > 0
        }
        assert changed == expected[phase], phase
        assert all(np.isfinite(v[-1]) for v in history.history.values())


def test_autoencoder_learns_to_reconstruct():
    gan = tiny_latent_gan()
    x = tf.constant(data(64), tf.float32)  # In [0, 1]: no scaler.

    def error():
        return float(tf.reduce_mean(tf.square(gan.decode(gan.encode(x)) - x)))

    untrained = error()
    gan.fit(x, batch_size=16, epochs=30, verbose=0)
    assert error() < 0.5 * untrained


@pytest.mark.parametrize("marginals", ["gaussian", "empirical"])
def test_residual_noise_is_learned_in_the_gan_phase_and_generated(marginals):
    gan = tiny_latent_gan(residual_noise=marginals)
    assert gan.noise_dim == FEATURES + 3  # Per step, then per sequence.
    gan.fit(data(), batch_size=16, epochs=1, verbose=0)  # Autoencoder.
    assert float(gan.residual_noise.count.numpy()) == 0
    # GAN: 2 batches; the fixed autoencoder's error stays in the logs.
    history = gan.fit(data(), batch_size=16, epochs=1, verbose=0)
    assert float(gan.residual_noise.count.numpy()) == 2
    assert history.history["e_loss"][-1] > 0
    assert (
        float(
            tf.reduce_min(tf.linalg.diag_part(gan.residual_noise.covariance()))
        )
        > 0
    )
    noise = gan.noise_from_seed(4, seed=0)
    smooth = gan.decode(gan.generator(noise[:, :1, FEATURES:]))
    generated = gan.fake_from_noise(noise)
    assert float(tf.reduce_max(tf.abs(generated - smooth))) > 1e-3
    assert 0 <= float(tf.reduce_min(generated))
    assert float(tf.reduce_max(generated)) <= 1


def test_without_residual_noise_the_decoder_alone_generates():
    plain = tiny_latent_gan(residual_noise="none")
    assert plain.residual_noise is None and plain.noise_dim == 3
    plain.fit(data(), batch_size=16, epochs=2, verbose=0)
    noise = plain.noise_from_seed(4, seed=0)
    np.testing.assert_allclose(
        plain.fake_from_noise(noise),
        plain.decode(plain.generator(noise[:, :1])),
    )


def test_a_config_saved_before_residual_noise_loads_without_it():
    config = tiny_latent_gan().get_config()
    del config["residual_noise"]
    restored = keras_rgan.LatentGAN.from_config(config)
    assert restored.residual_noise is None and restored.latent_dim == 0


def test_keras_round_trip_keeps_phases(tmp_path):
    gan = tiny_latent_gan()
    gan.fit(data(), batch_size=16, epochs=3, verbose=0)
    restored = helpers.keras_round_trip(gan, tmp_path)
    assert isinstance(restored, keras_rgan.LatentGAN) and restored.compiled
    assert int(restored.completed_epochs.numpy()) == 3
    assert int(restored.autoencoder_epochs.numpy()) == 1
    assert restored.current_phase() == "gan"
    np.testing.assert_allclose(
        restored.generate(3, seed=1), gan.generate(3, seed=1), rtol=1e-5
    )


def test_trains_under_two_replicas_and_exports(mirrored_strategy, tmp_path):
    with mirrored_strategy.scope():
        gan = tiny_latent_gan()
    history = gan.fit(
        keras_rgan.data.make_dataset(data(), 16, seed=0), epochs=3, verbose=0
    )
    assert np.isfinite(history.history["d_loss"][-1])
    path = keras_rgan.export_saved_model(gan, str(tmp_path / "latent"))
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


@pytest.mark.parametrize(
    "options, message",
    [
        ({"autoencoder_share": 1.0}, "autoencoder_share must be in"),
        ({"code_dim": 0}, "code_dim must be positive"),
        ({"residual_noise": "uniform"}, "residual_noise must be one of"),
        ({"num_classes": 2}, "neither labels nor variable lengths"),
    ],
)
def test_bad_options_are_named(options, message):
    with pytest.raises(ValueError, match=message):
        keras_rgan.LatentGAN(seq_len=SEQ_LEN, num_features=FEATURES, **options)
