import keras
import numpy as np
import pytest

import keras_rgan


def test_generator_shapes_dtype_and_range():
    generator = keras_rgan.LSTMGenerator(num_features=5, units=8, num_layers=2)
    noise = np.random.default_rng(0).normal(size=(3, 24, 4)).astype("float32")
    out = keras.ops.convert_to_numpy(generator(noise))
    assert out.shape == (3, 24, 5) and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0
    # Any sequence length works.
    assert generator(noise[:, :7]).shape == (3, 7, 5)


def test_discriminator_gives_one_logit_per_sequence():
    discriminator = keras_rgan.LSTMDiscriminator(units=8, num_layers=3)
    out = discriminator(np.zeros((4, 24, 5), "float32"))
    assert tuple(out.shape) == (4, 1)


def test_lstm_settings_stay_cudnn_eligible():
    generator = keras_rgan.LSTMGenerator(num_features=2, units=4, num_layers=2)
    discriminator = keras_rgan.LSTMDiscriminator(units=4, num_layers=2)
    for lstm in (
        generator.backbone.recurrent_layers
        + discriminator.backbone.recurrent_layers
    ):
        config = lstm.get_config()
        assert config["activation"] == "tanh"
        assert config["recurrent_activation"] == "sigmoid"
        assert config["recurrent_dropout"] == 0
        assert not config["unroll"]
        assert config["use_bias"]


@pytest.mark.parametrize(
    "player, shape",
    [
        (
            keras_rgan.LSTMGenerator(num_features=3, units=5, num_layers=2),
            (2, 6, 4),
        ),
        (keras_rgan.LSTMDiscriminator(units=5, num_layers=2), (2, 6, 3)),
    ],
)
def test_players_config_and_keras_file_round_trip(player, shape, tmp_path):
    x = np.random.default_rng(1).uniform(size=shape).astype("float32")
    expected = keras.ops.convert_to_numpy(player(x))
    clone = type(player).from_config(player.get_config())
    assert clone.get_config() == player.get_config()
    path = str(tmp_path / "player.keras")
    player.save(path)
    restored = keras.saving.load_model(path)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(restored(x)), expected, rtol=1e-6
    )


def test_bad_sizes_are_rejected():
    with pytest.raises(ValueError, match="must be positive"):
        keras_rgan.LSTMGenerator(num_features=0)
    with pytest.raises(ValueError, match="must be positive"):
        keras_rgan.LSTMDiscriminator(num_layers=0)
