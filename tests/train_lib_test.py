import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_rgan import model_dir
from keras_rgan import recipes
from keras_rgan import train_lib
from keras_rgan.data.prepared import load_split
from keras_rgan.data.prepared import prepare
from keras_rgan.data.spec import DataSpec

TINY = dict(
    num_sequences=64, seq_len=8, batch_size=16, epochs=1, units=4, verbose=0
)


def test_train_on_stocks_serves_dollars_and_shares(tmp_path):
    config = train_lib.TrainConfig.from_options(
        dataset="stocks",
        export_dir=str(tmp_path / "stocks"),
        model_dir=str(tmp_path / "run"),
        max_num_samples=100,
        **{**TINY, "seq_len": 24, "batch_size": 128},
    )
    result = train_lib.train(config)
    assert result.export_path == str(tmp_path / "stocks" / "1")
    assert os.path.exists(os.path.join(str(tmp_path / "run"), "model.keras"))
    assert result.feature_names[0] == "Open"
    samples = result.model.generate(100, seed=0)
    assert samples.shape == (100, 24, 6)
    # Prices between the data's min and max dollars, volume in shares.
    assert 40.0 < samples[..., :5].min() and samples[..., :5].max() < 1300.0
    assert samples[..., 5].min() > 5e4 and samples[..., 5].max() < 9e7
    # --max_num_samples limits what one request to the export may ask for.
    generate = tf.saved_model.load(result.export_path).signatures[
        "serving_default"
    ]
    seed = tf.constant(0, tf.int64)
    assert generate(num_samples=tf.constant(100), seed=seed)[
        "sequences"
    ].shape == (100, 24, 6)
    with pytest.raises(tf.errors.InvalidArgumentError, match="<= 100"):
        generate(num_samples=tf.constant(101), seed=seed)


@pytest.mark.parametrize(
    "overrides, signatures",
    [
        (
            {"cell": "tanh"},
            {"serving_default", "generate_from_noise", "discriminate"},
        ),
        (
            {"condition_steps": 4, "cell": "lstm"},
            {
                "serving_default",
                "generate_from_noise",
                "discriminate",
                "continue_sequences",
                "generate_long",
            },
        ),
    ],
)
def test_train_crgan_exports_its_signatures(tmp_path, overrides, signatures):
    import tensorflow as tf

    config = train_lib.TrainConfig.from_options(
        model="crgan", export_dir=str(tmp_path / "crgan"), **TINY, **overrides
    )
    result = train_lib.train(config)
    loaded = tf.saved_model.load(result.export_path)
    assert set(loaded.signatures) == signatures
    assert result.model.generator.cell == overrides["cell"]


def test_train_timegan_runs_its_phases_and_exports(tmp_path):
    config = train_lib.TrainConfig.from_options(
        model="timegan",
        export_dir=str(tmp_path / "timegan"),
        embedding_epochs=1,
        supervised_epochs=1,
        num_layers=1,
        **{**TINY, "epochs": 3},
    )
    result = train_lib.train(config)
    assert result.model.phase == "joint"
    assert result.model.generator.cell == "gru"
    assert os.path.isdir(result.export_path)
    assert set(result.history.history) == {
        "e_loss",
        "s_loss",
        "d_loss",
        "g_loss",
    }


def test_train_latent_gan_runs_its_phases_and_exports(tmp_path):
    config = train_lib.TrainConfig.from_options(
        model="latent_gan",
        export_dir=str(tmp_path / "latent"),
        code_dim=4,
        dense_units=[8],
        **{**TINY, "epochs": 3},
    )
    result = train_lib.train(config)
    assert result.model.phase == "gan"
    assert int(result.model.autoencoder_epochs.numpy()) == 1
    assert os.path.isdir(result.export_path)
    assert set(result.history.history) == {"e_loss", "d_loss", "g_loss"}
    with pytest.raises(ValueError, match="latent_gan does not use latent_dim"):
        train_lib.prepare(config.replace(latent_dim=2))


def test_same_seed_same_model(tmp_path):
    a = train_lib.train(train_lib.TrainConfig.from_options(seed=3, **TINY))
    b = train_lib.train(train_lib.TrainConfig.from_options(seed=3, **TINY))
    np.testing.assert_allclose(
        a.model.generate(4, seed=1), b.model.generate(4, seed=1), atol=1e-6
    )


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({"unroll": "auto", "seq_len": 8}, True),  # no GPU here
        (
            {"unroll": "auto", "seq_len": recipes.AUTO_UNROLL_MAX_STEPS + 1},
            False,
        ),
        ({"unroll": "on", "seq_len": 100}, True),
        ({"unroll": "off", "seq_len": 8}, False),
    ],
)
def test_unroll_choice_reaches_every_recurrent_layer(
    overrides, expected, tmp_path
):
    assert not tf.config.list_physical_devices("GPU")
    config = train_lib.TrainConfig.from_options(**{**TINY, **overrides})
    for model in ("rgan", "crgan", "timegan"):
        gan = train_lib.prepare(config.replace(model=model)).model
        layers = [
            layer
            for network in (gan.generator, gan.discriminator)
            for layer in network.backbone.recurrent_layers
        ]
        assert {layer.unroll for layer in layers} == {expected}, model
    path = str(tmp_path / "gan.keras")
    gan = train_lib.prepare(config.replace(model="rgan")).model
    gan.generate(1)
    gan.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.generator.backbone.recurrent_layers[0].unroll is expected


@pytest.mark.parametrize("model", ["rgan", "crgan"])
def test_cosine_lr_decay_falls_to_zero_over_the_run(model):
    config = train_lib.TrainConfig.from_options(
        model=model, lr_decay="cosine", d_steps=2, **{**TINY, "epochs": 2}
    )
    result = train_lib.train(config)
    g, d = result.model.g_optimizer, result.model.d_optimizer
    steps = 2 * (57 // 16)  # 64 sequences, 10% held out, batch 16
    assert int(g.iterations) == steps and int(d.iterations) == 2 * steps
    assert float(g.learning_rate) == pytest.approx(0.0, abs=1e-12)
    assert float(d.learning_rate) == pytest.approx(0.0, abs=1e-12)
    # Halfway through, each optimizer is at half its initial rate.
    half_g = g._learning_rate(steps // 2)
    half_d = d._learning_rate(steps)
    recipe = recipes.RECIPES[model]
    assert float(half_g) == pytest.approx(
        recipe["g_learning_rate"] / 2, rel=1e-5
    )
    assert float(half_d) == pytest.approx(
        recipe["d_learning_rate"] / 2, rel=1e-5
    )


@pytest.mark.parametrize(
    "overrides, error, message",
    [
        ({"dataset": "mnist"}, ValueError, "Unknown dataset 'mnist'"),
        ({"model": "gpt"}, ValueError, "Unknown model 'gpt'"),
        ({"seq_len": 1}, ValueError, "seq_len must be at least 2"),
        ({"batch_size": 0}, ValueError, "batch_size must be a positive"),
        ({"epochs": -1}, ValueError, "epochs must be a positive"),
        ({"epochs": 2.5}, TypeError, "epochs must be int or None, got 2.5"),
        (
            {"g_learning_rate": 0.0},
            ValueError,
            "g_learning_rate must be positive",
        ),
        ({"dataset": "csv:/no/such.csv"}, FileNotFoundError, "/no/such.csv"),
        ({"batch_size": 65}, ValueError, "fewer than batch_size=65"),
        ({"model": "crgan", "cell": "rnn"}, ValueError, "Unknown cell 'rnn'"),
        (
            {"model": "rgan", "cell": "tanh"},
            ValueError,
            "rgan does not use cell",
        ),
        (
            {"model": "rgan", "condition_steps": 2},
            ValueError,
            "rgan does not use condition_steps",
        ),
        (
            {"model": "crgan", "condition_steps": 8},
            ValueError,
            r"condition_steps must be in \[0, seq_len=8\)",
        ),
        (
            {"model": "crgan", "dense_units": [0]},
            ValueError,
            "dense_units must be",
        ),
        ({"loss": "hinge"}, ValueError, "Unknown GAN loss 'hinge'"),
        (
            {"model": "timegan", "condition_steps": 2},
            ValueError,
            "timegan does not use condition_steps",
        ),
        (
            {"model": "timegan", "embedding_epochs": -1},
            ValueError,
            "must be >= 0",
        ),
        ({"d_steps": 0}, ValueError, "d_steps must be a positive integer"),
        (
            {"generator_ema": 1.0},
            ValueError,
            r"generator_ema must be in \[0, 1\)",
        ),
        ({"lr_decay": "step"}, ValueError, "Unknown lr_decay 'step'"),
        ({"unroll": "yes"}, ValueError, "Unknown unroll 'yes'"),
        (
            {"model": "timegan", "lr_decay": "cosine"},
            ValueError,
            "timegan does not use lr_decay",
        ),
        (
            {"select_every": -1},
            ValueError,
            "select_every must be a non-negative",
        ),
        (
            {"model": "rgan", "latent_dim": -1},
            ValueError,
            "latent_dim must be a non-negative",
        ),
        (
            {"model": "rgan", "latent_dim": 0, "sequence_latent_dim": 0},
            ValueError,
            "needs at least one noise dimension",
        ),
        (
            {"select_every": 1, "strategy": "multi_worker"},
            ValueError,
            "not supported with strategy=multi_worker",
        ),
    ],
)
def test_bad_configs_fail_before_training(overrides, error, message):
    with pytest.raises(error, match=message):
        train_lib.prepare(
            train_lib.TrainConfig.from_options(**{**TINY, **overrides})
        )


def test_existing_model_dir_and_file_export_path_are_refused(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "model.keras").write_text("earlier work")
    with pytest.raises(ValueError, match="already holds a trained model.keras"):
        train_lib.prepare(
            train_lib.TrainConfig.from_options(
                model_dir=str(tmp_path / "run"), **TINY
            )
        )
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="is a file"):
        train_lib.prepare(
            train_lib.TrainConfig.from_options(
                export_dir=str(tmp_path / "file"), **TINY
            )
        )
    assert (tmp_path / "run" / "model.keras").read_text() == "earlier work"


def test_long_format_csv_trains_and_serves_the_data_length_distribution(
    tmp_path,
):
    from tests.data.long_format_test import write_long_csv

    rng = np.random.default_rng(0)
    data_lengths = rng.choice([2, 4, 5, 8], size=240, p=[0.1, 0.2, 0.3, 0.4])
    path = write_long_csv(tmp_path / "long.csv", data_lengths)
    config = train_lib.TrainConfig.from_options(
        dataset=f"csv:{path}",
        id_column="patient",
        time_column="time",
        seq_len=8,
        batch_size=32,
        units=4,
        epochs=1,
        verbose=0,
        export_dir=str(tmp_path / "export"),
    )
    result = train_lib.train(config)
    train_data, _ = load_split(config.data, config.run.seed)
    loaded = tf.saved_model.load(result.export_path)
    served = loaded.signatures["serving_default"](
        num_samples=tf.constant(4000), seed=tf.constant(0, tf.int64)
    )
    served_lengths = served["lengths"].numpy()
    data_share = np.bincount(train_data.lengths, minlength=9) / len(
        train_data.lengths
    )
    served_share = np.bincount(served_lengths, minlength=9) / len(
        served_lengths
    )
    # Total variation distance between the two length distributions.
    assert 0.5 * np.abs(data_share - served_share).sum() < 0.03
    sequences = served["sequences"].numpy()
    past_end = np.arange(8)[None, :] >= served_lengths[:, None]
    assert np.all(sequences[past_end] == 0)


def test_tfds_mnist_trains_label_conditional_offline(tmp_path):
    import tensorflow_datasets as tfds

    config = train_lib.TrainConfig.from_options(
        dataset="tfds:mnist",
        seq_len=28,
        conditional=True,
        num_sequences=40,
        batch_size=16,
        units=4,
        epochs=1,
        verbose=0,
        export_dir=str(tmp_path / "export"),
    )
    with tfds.testing.mock_data(num_examples=40):
        result = train_lib.train(config)
    assert result.feature_names[:2] == ["image_col_0", "image_col_1"]
    assert result.model.num_classes >= 2
    loaded = tf.saved_model.load(result.export_path)
    served = loaded.signatures["generate_with_labels"](
        labels=tf.constant([0, 1], tf.int32), seed=tf.constant(0, tf.int64)
    )
    assert served["sequences"].shape == (2, 28, 28)
    assert (
        0 <= served["sequences"].numpy().min()
        and served["sequences"].numpy().max() <= 255
    )
    with pytest.raises(ValueError, match="28 steps but seq_len=24"):
        with tfds.testing.mock_data(num_examples=4):
            prepare(DataSpec(dataset="tfds:mnist"))


def test_default_epochs_make_the_default_step_budget(tmp_path, monkeypatch):
    # 64 sequences, 10% held out, batch 16: 3 steps an epoch; a budget of 7
    # steps rounds to 2 epochs (6 steps), resolved before training and
    # saved as a number, with the learning rate decaying over those 6 steps.
    monkeypatch.setitem(recipes.RGAN, "train_steps", 7)
    config = train_lib.TrainConfig.from_options(
        **{**TINY, "epochs": None},
        model="rgan",
        lr_decay="cosine",
        select_every=0,
        model_dir=str(tmp_path / "run"),
    )
    result = train_lib.train(config)
    assert len(result.history.epoch) == 2
    assert int(result.model.g_optimizer.iterations) == 6
    saved = json.loads((tmp_path / "run" / model_dir.CONFIG_FILE).read_text())
    assert saved["run"]["epochs"] == 2
    assert config.run.epochs is None  # the caller's config is left as it was
    assert float(result.model.g_optimizer.learning_rate) == pytest.approx(
        0.0, abs=1e-9
    )


def test_model_dir_holds_tensorboard_scalars_and_sample_images(tmp_path):
    from tensorboard.backend.event_processing import plugin_event_accumulator

    model_dir = tmp_path / "run"
    train_lib.train(
        train_lib.TrainConfig.from_options(
            **{**TINY, "epochs": 2}, model="rgan", model_dir=str(model_dir)
        )
    )
    logs = model_dir / "logs"

    def tags(folder):
        accumulator = plugin_event_accumulator.EventAccumulator(str(folder))
        accumulator.Reload()
        return accumulator, set(accumulator.Tags()["tensors"])

    scalars, scalar_tags = tags(logs / "train")
    for name in ("d_loss", "g_loss", "d_real_accuracy", "d_fake_accuracy"):
        assert f"epoch_{name}" in scalar_tags
    accuracy = [
        float(tf.make_ndarray(event.tensor_proto))
        for event in scalars.Tensors("epoch_d_real_accuracy")
    ]
    assert len(accuracy) == 2 and all(0.0 <= a <= 1.0 for a in accuracy)
    images, image_tags = tags(logs / "images")
    assert "samples" in image_tags
    assert [event.step for event in images.Tensors("samples")] == [0, 1]


def test_selection_scoring_leaves_the_training_unchanged():
    # The quality table reads the last epoch of selection runs as the
    # default (no selection): the scoring must not change what is trained.
    class LastWeights(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.weights = self.model.get_weights()

    trained = []
    for every in (0, 1):
        last = LastWeights()
        config = train_lib.TrainConfig.from_options(
            **{**TINY, "epochs": 2}, select_every=every, deterministic=True
        )
        train_lib.train(config, callbacks=[last])
        trained.append(last.weights)
    for without, with_selection in zip(*trained):
        np.testing.assert_array_equal(without, with_selection)


def test_select_every_exports_the_best_scored_epoch(tmp_path):
    from keras_rgan import export

    config = train_lib.TrainConfig.from_options(
        **{**TINY, "epochs": 3},
        select_every=2,
        export_dir=str(tmp_path / "export"),
    )
    result = train_lib.train(config)
    selection = export.read_metadata(result.export_path)["selection"]
    # Epoch 2 and the last epoch are scored.
    assert sorted(selection["discriminative_scores"]) == ["2", "3"]
    scores = selection["discriminative_scores"]
    assert all(0.0 <= score <= 0.5 for score in scores.values())
    assert selection["best_epoch"] == int(min(scores, key=scores.get))


def test_mirrored_training_shares_the_process_strategy(mirrored_strategy):
    # A second MirroredStrategy in the process would clash with the fixture's
    # collective keys: train_lib reuses the one make_strategy made. Keras's
    # multi-step loop fails across replicas, so steps_per_execution is 1.
    config = train_lib.TrainConfig.from_options(
        **{**TINY, "epochs": 2}, strategy="mirrored", select_every=1
    )
    result = train_lib.train(config)
    assert result.model.distribute_strategy is mirrored_strategy
    assert sorted(result.selection.scores) == [1, 2]
    assert result.model.generate(3, seed=0).shape == (3, 8, 5)


@pytest.mark.parametrize(
    "data, chosen",
    [
        ({"seq_len": 8}, "latent_gan"),
        ({"seq_len": 65}, "latent_gan"),
        # Labels: latent_gan does not learn them, so RGAN.
        ({"seq_len": 8, "conditional": True}, "rgan"),
    ],
)
def test_auto_model_follows_what_the_latent_gan_learns(tmp_path, data, chosen):
    """The default `--model=auto` resolves before training, and the model
    directory records the chosen name (a rerun resumes it)."""
    dataset = "sines"
    if data.get("conditional"):
        x = np.random.default_rng(0).normal(size=(40, data["seq_len"], 2))
        np.savez(tmp_path / "labelled.npz", x=x, labels=np.arange(40) % 2)
        dataset = f"npz:{tmp_path / 'labelled.npz'}"
    config = train_lib.TrainConfig.from_options(
        dataset=dataset,
        num_sequences=40,
        batch_size=16,
        epochs=1,
        verbose=0,
        model_dir=str(tmp_path / "run"),
        **data,
    )
    assert config.model.name == "auto"
    prepared = train_lib.prepare(config)
    assert prepared.config.model.name == chosen
    assert type(prepared.model) is train_lib.MODELS[chosen]
    model_dir.check(str(tmp_path / "run"), prepared.config.to_json())


def test_auto_model_names_options_its_choice_does_not_use():
    config = train_lib.TrainConfig.from_options(
        dataset="sines",
        seq_len=65,
        num_sequences=40,
        batch_size=16,
        latent_dim=3,  # RGAN's per-step noise
    )
    with pytest.raises(
        ValueError,
        match="auto chose latent_gan for windows of 65 steps x 5 features, "
        "and latent_gan does not use latent_dim",
    ):
        train_lib.prepare(config)
