"""Label conditioning (RCGAN), one mechanism shared by RGAN and CRGAN."""

import numpy as np
import pytest
import tensorflow as tf

import keras_rgan
from keras_rgan import evaluation
from keras_rgan import train_lib
from keras_rgan.data.prepared import prepare
from keras_rgan.data.spec import DataSpec
from tests import helpers

SEQ_LEN, FEATURES, CLASSES = 8, 2, 3


def labelled(n=48, seed=0):
    """Three clearly different classes: rising, falling and flat sines."""
    x = keras_rgan.data.sine_waves(n, SEQ_LEN, FEATURES, seed=seed)
    labels = np.arange(n) % CLASSES
    x[labels == 1] = x[labels == 1][:, ::-1]
    x[labels == 2] = x[labels == 2].mean(axis=1, keepdims=True) * 0.5
    return x, labels


def build(kind, **kwargs):
    common = dict(num_classes=CLASSES, label_dim=4, seed=0, **kwargs)
    if kind == "rgan":
        gan = keras_rgan.RGAN(
            keras_rgan.LSTMGenerator(FEATURES, units=8),
            keras_rgan.LSTMDiscriminator(units=8),
            seq_len=SEQ_LEN,
            latent_dim=2,
            **common,
        )
    else:
        gan = keras_rgan.CRGAN(
            seq_len=SEQ_LEN,
            num_features=FEATURES,
            units=8,
            condition_steps=3,
            **common,
        )
    gan.compile()
    return gan


@pytest.mark.parametrize("kind", ["rgan", "crgan"])
def test_trains_on_labelled_data_and_generates_chosen_classes(kind, tmp_path):
    x, labels = labelled()
    gan = build(kind)
    dataset = keras_rgan.data.make_dataset(x, 12, seed=0, labels=labels)
    history = gan.fit(dataset, epochs=2, verbose=0)
    assert np.isfinite(history.history["d_loss"]).all()
    chosen = np.array([2, 0, 1, 1])
    a = gan.generate(4, seed=1, labels=chosen)
    np.testing.assert_array_equal(a, gan.generate(4, seed=1, labels=chosen))
    assert not np.allclose(
        a, gan.generate(4, seed=1, labels=np.array([0, 0, 0, 0]))
    )
    assert gan.generate(5, seed=2).shape == (
        5,
        SEQ_LEN,
        FEATURES,
    )  # drawn labels
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 3\)"):
        gan.generate(2, labels=np.array([0, 3]))
    with pytest.raises(TypeError, match="1-D integer array"):
        gan.generate(2, labels=np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="label-conditional"):
        gan.fit(x, batch_size=12, epochs=1, verbose=0)  # no labels given

    restored = helpers.keras_round_trip(gan, tmp_path)
    assert restored.num_classes == CLASSES
    np.testing.assert_allclose(
        restored.generate(4, seed=1, labels=chosen), a, rtol=1e-5
    )

    path = keras_rgan.export_saved_model(gan, str(tmp_path / "export"))
    loaded = tf.saved_model.load(path)
    assert "generate_with_labels" in loaded.signatures
    served = loaded.signatures["generate_with_labels"](
        labels=tf.constant(chosen, tf.int32), seed=tf.constant(1, tf.int64)
    )["sequences"].numpy()
    np.testing.assert_allclose(served, a, rtol=1e-5)
    with pytest.raises(
        tf.errors.InvalidArgumentError, match="labels must be <= 2"
    ):
        loaded.signatures["generate_with_labels"](
            labels=tf.constant([0, 5], tf.int32), seed=tf.constant(1, tf.int64)
        )
    with pytest.raises(tf.errors.InvalidArgumentError, match="int32"):
        loaded.signatures["generate_with_labels"](
            labels=tf.constant([0.5]), seed=tf.constant(1, tf.int64)
        )
    logits = loaded.signatures["discriminate"](
        sequences=tf.constant(x[:3]), labels=tf.constant(labels[:3], tf.int32)
    )["logits"]
    assert logits.shape == (3,)


@pytest.mark.parametrize("kind", ["rgan", "crgan"])
def test_label_conditional_training_under_two_replicas(kind, mirrored_strategy):
    x, labels = labelled(64)
    with mirrored_strategy.scope():
        gan = build(kind)
    before = gan.get_weights()
    gan.fit(
        keras_rgan.data.make_dataset(x, 16, seed=0, labels=labels),
        epochs=1,
        verbose=0,
    )
    assert helpers.max_weight_change(before, gan.get_weights()) > 0


@pytest.mark.large
def test_generated_classes_are_recognised_by_a_classifier_of_real_data():
    x, labels = labelled(600)
    gan = keras_rgan.RGAN(
        keras_rgan.LSTMGenerator(FEATURES, units=32, num_layers=1),
        keras_rgan.LSTMDiscriminator(units=32, num_layers=1),
        seq_len=SEQ_LEN,
        latent_dim=2,
        num_classes=CLASSES,
        label_dim=4,
        seed=0,
    )
    gan.compile()
    gan.fit(
        keras_rgan.data.make_dataset(x, 32, seed=0, labels=labels),
        epochs=100,
        verbose=0,
    )
    wanted = np.arange(300) % CLASSES
    synthetic = gan.generate(300, seed=0, labels=wanted)
    # Train on real labelled data, test on the generated sequences' labels.
    accuracy = evaluation.tstr_accuracy(x, labels, synthetic, wanted, CLASSES)
    assert accuracy > 0.6  # chance is 1/3


def test_npz_data_trains_with_conditional(tmp_path):
    x, labels = labelled(64)
    path = str(tmp_path / "labelled.npz")
    np.savez(path, x=x, labels=labels)
    config = train_lib.TrainConfig.from_options(
        dataset=f"npz:{path}",
        seq_len=SEQ_LEN,
        batch_size=16,
        epochs=1,
        units=4,
        conditional=True,
        export_dir=str(tmp_path / "exp"),
        verbose=0,
    )
    result = train_lib.train(config)
    assert result.model.num_classes == CLASSES
    assert sum(result.model.label_frequencies) == pytest.approx(1.0)
    loaded = tf.saved_model.load(result.export_path)
    assert "generate_with_labels" in loaded.signatures
    with pytest.raises(ValueError, match="--conditional needs labelled data"):
        prepare(DataSpec(conditional=True, num_sequences=64, batch_size=16))
