import glob
import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from tensorflow.core.util import event_pb2

import keras_rgan
from keras_rgan.callbacks import SampleImages
from tests import helpers

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def gan():
    """One tiny RGAN for the module: later fits reuse its traced train step."""
    return helpers.tiny_rgan()


@pytest.fixture(scope="module")
def dataset():
    # 16 sequences in batches of 8: two steps per epoch.
    return keras_rgan.data.make_dataset(helpers.tiny_data(16), 8, seed=0)


def read_events(directory):
    """`(tag, step, value)` of every summary in the event files under it."""
    found = []
    for path in sorted(glob.glob(os.path.join(str(directory), "events.*"))):
        for record in tf.data.TFRecordDataset(path):
            event = event_pb2.Event.FromString(record.numpy())
            found += [(v.tag, event.step, v) for v in event.summary.value]
    return found


def image_steps(log_dir, tag="samples"):
    events = read_events(os.path.join(str(log_dir), "images"))
    return [step for name, step, _ in events if name == tag]


def test_writes_one_image_per_epoch(gan, dataset, tmp_path):
    real = helpers.tiny_data(6, seed=1)
    gan.fit(
        dataset,
        epochs=2,
        shuffle=False,
        verbose=0,
        callbacks=[SampleImages(tmp_path, real)],
    )
    events = [e for e in read_events(tmp_path / "images") if e[0] == "samples"]
    assert [step for _, step, _ in events] == [0, 1]
    for _, _, value in events:
        # TensorBoard's image format: width, height, then the PNG.
        assert value.metadata.plugin_data.plugin_name == "images"
        width, height, png = value.tensor.string_val
        assert png.startswith(PNG_MAGIC)
        image = tf.image.decode_png(png, channels=4).numpy()
        assert image.shape[:2] == (int(height), int(width))
        assert image.shape[0] > 100 and image.shape[1] > 100
        assert image[..., :3].std() > 0  # Something is drawn.


def test_images_beside_keras_tensorboard_scalars(gan, dataset, tmp_path):
    from tensorboard.backend.event_processing import plugin_event_accumulator

    gan.fit(
        dataset,
        epochs=2,
        shuffle=False,
        verbose=0,
        callbacks=[
            SampleImages(tmp_path, helpers.tiny_data(4)),
            keras.callbacks.TensorBoard(log_dir=str(tmp_path)),
        ],
    )
    # Read as TensorBoard's images dashboard reads them.
    images = plugin_event_accumulator.EventAccumulator(str(tmp_path / "images"))
    images.Reload()
    assert list(images.PluginTagToContent("images")) == ["samples"]
    assert [event.step for event in images.Tensors("samples")] == [0, 1]
    scalars = {tag for tag, _, _ in read_events(tmp_path / "train")}
    assert {"epoch_d_loss", "epoch_g_loss"} <= scalars


def test_every_2_writes_only_every_second_epoch(gan, dataset, tmp_path):
    gan.fit(
        dataset,
        epochs=3,
        shuffle=False,
        verbose=0,
        callbacks=[
            SampleImages(
                tmp_path, helpers.tiny_data(4), every=2, name="every_2"
            )
        ],
    )
    assert image_steps(tmp_path, "every_2") == [1]


def test_label_conditional_model(tmp_path):
    x = helpers.tiny_data(8)
    gan = keras_rgan.RGAN(
        generator=keras_rgan.LSTMGenerator(helpers.NUM_FEATURES, units=4),
        discriminator=keras_rgan.LSTMDiscriminator(units=4),
        seq_len=helpers.SEQ_LEN,
        latent_dim=helpers.LATENT_DIM,
        num_classes=2,
        label_dim=2,
        seed=0,
    )
    gan.compile()
    labels = np.arange(8) % 2
    gan.fit(
        keras_rgan.data.make_dataset(x, 8, labels=labels),
        epochs=1,
        shuffle=False,
        verbose=0,
        callbacks=[SampleImages(tmp_path, x)],
    )
    assert image_steps(tmp_path) == [0]


def test_keeps_the_first_num_samples_real_sequences():
    real = helpers.tiny_data(6)
    np.testing.assert_array_equal(SampleImages("logs", real).real, real[:4])
    assert SampleImages("logs", real[:2], num_samples=4).real.shape == (2, 8, 3)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(real=np.zeros((4, 8))), "real must be"),
        (dict(real=np.zeros((0, 8, 3))), "real must be"),
        (dict(num_samples=0), "num_samples must be a positive integer"),
        (dict(num_samples=2.0), "num_samples must be a positive integer"),
        (dict(every=0), "every must be a positive integer"),
    ],
)
def test_invalid_arguments(kwargs, message):
    kwargs = {"real": np.zeros((4, 8, 3)), **kwargs}
    with pytest.raises(ValueError, match=message):
        SampleImages("logs", **kwargs)


def test_real_features_must_match_the_model(gan):
    callback = SampleImages("logs", np.zeros((4, 8, 2)))
    callback.set_model(gan)
    with pytest.raises(ValueError, match="real has 2 features"):
        callback.on_train_begin()


def test_divergence_guard_names_the_steps_an_execution_covered():
    from keras_rgan.callbacks import DivergenceGuard
    from keras_rgan.callbacks import TrainingDiverged

    guard = DivergenceGuard()
    guard.set_params({"steps": 7})
    guard.on_epoch_begin(0)
    guard.on_train_batch_end(3, {"g_loss": 1.0})
    guard.on_train_batch_end(7, {"g_loss": 1.0})  # Keras's index past the end
    guard.on_epoch_begin(1)
    guard.on_train_batch_end(3, {"g_loss": 1.0})
    with pytest.raises(TrainingDiverged) as error:
        guard.on_train_batch_end(7, {"g_loss": float("inf")})
    assert str(error.value) == (
        "g_loss became inf in steps 12 to 14 (epoch 2, batches 5 to 7)."
    )


class ScriptedScores:
    """Stands in for the classifier: returns the given scores in turn."""

    def __init__(self, scores):
        self.scores = list(scores)

    def __call__(self):
        return self.scores.pop(0)


class Snapshots(keras.callbacks.Callback):
    """Samples, weights and generator step count at each epoch's end."""

    def __init__(self):
        super().__init__()
        self.samples, self.weights, self.steps = {}, {}, {}

    def on_epoch_end(self, epoch, logs=None):
        self.samples[epoch + 1] = self.model.generate(4, seed=7)
        self.weights[epoch + 1] = [w.copy() for w in self.model.get_weights()]
        self.steps[epoch + 1] = int(self.model.g_optimizer.iterations)


def test_keep_best_samples_restores_the_best_scoring_epoch(dataset):
    from keras_rgan.callbacks import KeepBestSamples

    gan = helpers.tiny_rgan(
        g_optimizer=keras.optimizers.Adam(1e-2, use_ema=True, ema_momentum=0.5)
    )
    keep = KeepBestSamples(helpers.tiny_data(10), every=1)
    keep.score = ScriptedScores([0.3, 0.1, 0.4])
    snapshots = Snapshots()
    gan.fit(
        dataset, epochs=3, shuffle=False, verbose=0, callbacks=[keep, snapshots]
    )
    assert keep.scores == {1: 0.3, 2: 0.1, 3: 0.4}
    assert keep.best_epoch == 2
    assert (
        helpers.max_weight_change(snapshots.weights[2], snapshots.weights[3])
        > 0
    )
    assert (
        helpers.max_weight_change(snapshots.weights[2], gan.get_weights()) == 0
    )
    # The averaged generator (optimizer state) is restored too.
    np.testing.assert_array_equal(gan.generate(4, seed=7), snapshots.samples[2])
    assert int(gan.g_optimizer.iterations) == snapshots.steps[2]


def test_keep_best_samples_scores_every_nth_and_the_last_epoch(gan, dataset):
    from keras_rgan.callbacks import KeepBestSamples

    keep = KeepBestSamples(helpers.tiny_data(10), every=2)
    keep.score = ScriptedScores([0.2, 0.1])
    gan.fit(dataset, epochs=3, shuffle=False, verbose=0, callbacks=[keep])
    assert keep.scores == {2: 0.2, 3: 0.1}
    assert keep.best_epoch == 3
    # A run shorter than `every` has nothing to choose from.
    gan.fit(dataset, epochs=1, shuffle=False, verbose=0, callbacks=[keep])
    assert keep.scores == {} and keep.best_epoch is None


def test_keep_best_samples_scores_real_against_generated():
    from keras_rgan.callbacks import KeepBestSamples

    # A fresh model: the module's shared `gan` has been trained by other
    # tests to an extent that varies from run to run (once it scored 0.06).
    untrained = helpers.tiny_rgan(seed=1)
    real = helpers.tiny_data(64, seed=3)
    keep = KeepBestSamples(real, classifier_runs=1, classifier_steps=200)
    keep.set_model(untrained)
    score = keep.score()
    assert 0.0 <= score <= 0.5
    # The untrained tiny generator's samples are told apart from sine waves
    # (0.46 to 0.5 over four seeds).
    assert score > 0.3


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(real=np.zeros((4, 8, 3))), "at least 5 sequences"),
        (dict(real=np.zeros((10, 8))), "real must be"),
        (dict(real=np.full((10, 8, 3), np.nan)), "NaN"),
        (dict(every=0), "every must be a positive integer"),
        (
            dict(classifier_runs=1.5),
            "classifier_runs must be a positive integer",
        ),
        (
            dict(classifier_steps=True),
            "classifier_steps must be a positive integer",
        ),
    ],
)
def test_keep_best_samples_invalid_arguments(kwargs, message):
    from keras_rgan.callbacks import KeepBestSamples

    kwargs = {"real": np.zeros((10, 8, 3)), **kwargs}
    with pytest.raises(ValueError, match=message):
        KeepBestSamples(**kwargs)


def test_keep_best_samples_real_features_must_match_the_model(gan):
    from keras_rgan.callbacks import KeepBestSamples

    keep = KeepBestSamples(np.zeros((10, 8, 2)))
    keep.set_model(gan)
    with pytest.raises(ValueError, match="real has 2 features"):
        keep.on_train_begin()
