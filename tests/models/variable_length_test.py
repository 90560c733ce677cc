"""Variable-length sequences: padding, masks and lengths, one mechanism
shared by RGAN and CRGAN."""

import numpy as np
import pytest
import tensorflow as tf

import keras_rgan
from tests import helpers

SEQ_LEN, FEATURES = 8, 2
# Lengths 3 and 6 only, so drawn lengths are easy to check.
FREQUENCIES = [0, 0, 0.25, 0, 0, 0.75, 0, 0]


def padded(n=48, seed=0):
    """Sines of lengths 3 and 6, zero past their lengths."""
    x = keras_rgan.data.sine_waves(n, SEQ_LEN, FEATURES, seed=seed)
    lengths = np.where(np.arange(n) % 4 == 0, 3, 6).astype("int32")
    x[np.arange(SEQ_LEN)[None, :] >= lengths[:, None]] = 0.0
    return x, lengths


def build(kind, per_step_logits=False, seed=0):
    common = dict(length_frequencies=FREQUENCIES, seed=seed)
    if kind == "rgan":
        gan = keras_rgan.RGAN(
            keras_rgan.LSTMGenerator(FEATURES, units=8),
            keras_rgan.LSTMDiscriminator(
                units=8, per_step_logits=per_step_logits
            ),
            seq_len=SEQ_LEN,
            latent_dim=2,
            **common,
        )
    else:
        gan = keras_rgan.CRGAN(
            seq_len=SEQ_LEN,
            num_features=FEATURES,
            units=8,
            cell="tanh",
            per_step_logits=per_step_logits,
            **common,
        )
    return gan


@pytest.mark.parametrize(
    "kind, per_step_logits, loss",
    [
        ("rgan", False, "non_saturating"),
        ("rgan", True, "wgan_gp"),
        ("crgan", True, "non_saturating"),
    ],
)
def test_padded_steps_never_reach_the_losses(kind, per_step_logits, loss):
    x, lengths = padded(16)
    garbage = x.copy()
    past_end = np.arange(SEQ_LEN)[None, :] >= lengths[:, None]
    garbage[past_end] = np.random.default_rng(0).normal(
        size=(past_end.sum(), FEATURES)
    )
    results = []
    for data in (x, garbage):
        gan = build(kind, per_step_logits)
        gan.compile(loss=loss)
        if results:
            gan.set_weights(results[0][1])
        weights = gan.get_weights()
        logs = gan.train_on_batch(
            {"sequences": data, "lengths": lengths}, return_dict=True
        )
        results.append((logs, weights, gan.get_weights()))
    (logs_a, _, after_a), (logs_b, _, after_b) = results
    assert logs_a == pytest.approx(logs_b, abs=0.0)
    for a, b in zip(after_a, after_b):
        np.testing.assert_array_equal(a, b)
    # Padded values do change the losses if lengths are ignored.
    gan = build(kind, per_step_logits)
    logits = gan.judge(tf.constant(x), {"lengths": tf.constant(lengths)})
    changed = gan.judge(tf.constant(garbage), {"lengths": tf.constant(lengths)})
    np.testing.assert_allclose(logits, changed, atol=1e-6)
    unmasked = gan.discriminator(
        tf.constant(
            np.concatenate([garbage, np.ones_like(garbage[..., :1])], axis=-1)
        )
    )
    assert not np.allclose(
        np.asarray(unmasked).mean(), np.asarray(logits).mean()
    )


@pytest.mark.parametrize("kind", ["rgan", "crgan"])
def test_trains_generates_lengths_and_round_trips(kind, tmp_path):
    x, lengths = padded()
    gan = build(kind)
    gan.compile()
    dataset = keras_rgan.data.make_dataset(x, 12, seed=0, lengths=lengths)
    history = gan.fit(dataset, epochs=2, verbose=0)
    assert np.isfinite(history.history["d_loss"]).all()

    sequences, drawn = gan.generate(400, seed=1, return_lengths=True)
    assert set(drawn.tolist()) == {3, 6}
    assert 0.65 < np.mean(drawn == 6) < 0.85  # frequency 0.75
    past_end = np.arange(SEQ_LEN)[None, :] >= drawn[:, None]
    assert np.all(sequences[past_end] == 0)
    assert np.all(np.abs(sequences[~past_end]).sum(-1) > 0)
    with pytest.raises(ValueError, match="variable lengths"):
        gan.fit(x, batch_size=12, epochs=1, verbose=0)  # no lengths given

    restored = helpers.keras_round_trip(gan, tmp_path)
    assert restored.length_frequencies == gan.length_frequencies
    again, again_lengths = restored.generate(400, seed=1, return_lengths=True)
    np.testing.assert_allclose(again, sequences, atol=1e-6)
    np.testing.assert_array_equal(again_lengths, drawn)

    path = keras_rgan.export_saved_model(gan, str(tmp_path / "export"))
    loaded = tf.saved_model.load(path)
    seed = tf.constant(1, tf.int64)
    served = loaded.signatures["serving_default"](
        num_samples=tf.constant(400), seed=seed
    )
    np.testing.assert_array_equal(served["lengths"], drawn)
    np.testing.assert_allclose(served["sequences"], sequences, atol=1e-5)
    noise = gan.noise_from_seed(2, 3)
    from_noise = loaded.signatures["generate_from_noise"](
        noise=noise, lengths=tf.constant([2, 8])
    )
    np.testing.assert_array_equal(from_noise["lengths"], [2, 8])
    assert np.all(from_noise["sequences"][0, 2:] == 0)
    logits = loaded.signatures["discriminate"](
        sequences=tf.constant(x[:4]), lengths=tf.constant(lengths[:4])
    )["logits"]
    np.testing.assert_allclose(
        logits, gan.discriminate(x[:4], lengths=lengths[:4]), atol=1e-5
    )
    for bad in ([0, 8], [2, 9], [2]):
        with pytest.raises(
            tf.errors.InvalidArgumentError, match="lengths must"
        ):
            loaded.signatures["generate_from_noise"](
                noise=noise, lengths=tf.constant(bad)
            )


@pytest.mark.parametrize("kind", ["rgan", "crgan"])
def test_two_replicas_train_on_variable_lengths(kind, mirrored_strategy):
    x, lengths = padded(48)
    with mirrored_strategy.scope():
        gan = build(kind)
        gan.compile()
    before = gan.get_weights()
    dataset = keras_rgan.data.make_dataset(x, 12, seed=0, lengths=lengths)
    history = gan.fit(dataset, epochs=1, verbose=0)
    assert np.isfinite(history.history["g_loss"]).all()
    assert helpers.max_weight_change(before, gan.get_weights()) > 0


def test_a_fixed_length_model_refuses_lengths_and_bad_frequencies():
    x, lengths = padded(12)
    gan = helpers.tiny_rgan()
    with pytest.raises(ValueError, match="fixed-length"):
        gan.train_on_batch(
            {
                "sequences": x[:, : helpers.SEQ_LEN, :1].repeat(3, -1),
                "lengths": lengths,
            }
        )
    with pytest.raises(ValueError, match="length_frequencies needs 8"):
        keras_rgan.CRGAN(
            seq_len=SEQ_LEN,
            num_features=FEATURES,
            length_frequencies=[1.0, 1.0],
        )
    with pytest.raises(ValueError, match="fixed-length sequences"):
        keras_rgan.CRGAN(
            seq_len=SEQ_LEN,
            num_features=FEATURES,
            condition_steps=2,
            length_frequencies=FREQUENCIES,
        )
    with pytest.raises(ValueError, match="TimeGAN takes neither"):
        keras_rgan.TimeGAN(
            seq_len=SEQ_LEN,
            num_features=FEATURES,
            length_frequencies=FREQUENCIES,
        )
