"""keras-rgan train with differential privacy: the plan, the sampled
batches, epsilon per epoch, the budget, resume and the export's record."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_rgan import privacy
from keras_rgan import train_lib
from keras_rgan.export import MODEL_CARD_FILE

# 200 sines, 10% held out: 180 training sequences, 9 batches of 20.
TINY = dict(
    num_sequences=200, seq_len=8, batch_size=20, units=4, d_steps=1, verbose=0
)
NUM_EXAMPLES, STEPS_PER_EPOCH = 180, 9


def _config(**options):
    return train_lib.TrainConfig.from_options(**{**TINY, **options})


def test_target_epsilon_picks_the_noise_logs_epsilon_and_exports_it(tmp_path):
    from tensorboard.backend.event_processing import plugin_event_accumulator

    config = _config(
        target_epsilon=8.0,
        epochs=2,
        model_dir=str(tmp_path / "run"),
        export_dir=str(tmp_path / "export"),
    )
    prepared = train_lib.prepare(config)
    plan = prepared.privacy
    steps = 2 * STEPS_PER_EPOCH
    assert prepared.config.model.name == "rgan"  # auto, private
    assert plan.num_examples == NUM_EXAMPLES and plan.batch_size == 20
    assert plan.delta == pytest.approx(privacy.default_delta(NUM_EXAMPLES))
    # The smallest noise (to 0.1%) that keeps the planned steps in budget.
    assert (
        plan.epsilon(steps)
        <= 8.0
        < privacy.epsilon(
            plan.noise_multiplier * 0.99, NUM_EXAMPLES, 20, steps, plan.delta
        )
    )
    model = prepared.model
    assert model.private and model.dp_noise_multiplier == plan.noise_multiplier
    assert model.discriminator.unroll  # per-sequence gradients need it

    result = train_lib.train(config, prepared=prepared)
    spent = result.history.history["dp_epsilon"]
    assert spent == pytest.approx(
        [plan.epsilon(STEPS_PER_EPOCH), plan.epsilon(steps)]
    )
    assert spent[0] < spent[1] <= 8.0
    metadata = json.loads(
        (
            tmp_path / "export" / "1" / "assets.extra" / "keras_rgan.json"
        ).read_text()
    )
    record = metadata["privacy"]
    assert record["epsilon"] == pytest.approx(spent[-1])
    assert record["steps"] == steps and record["target_epsilon"] == 8.0
    assert record["accountant"] == "dp_accounting RdpAccountant"
    assert record["public_bounds"] is False
    card = (tmp_path / "export" / "1" / MODEL_CARD_FILE).read_text()
    assert f"({spent[-1]:.2f}, {plan.delta:.3g})-differentially private" in card
    assert "Not covered: the per-feature minimum and maximum" in card
    # The saved options hold the resolved noise, so a resume is checked
    # against it.
    saved = json.loads((tmp_path / "run" / "train_config.json").read_text())
    assert saved["privacy"]["dp_noise_multiplier"] == plan.noise_multiplier

    accumulator = plugin_event_accumulator.EventAccumulator(
        str(tmp_path / "run" / "logs" / "train")
    )
    accumulator.Reload()
    logged = [
        float(tf.make_ndarray(event.tensor_proto))
        for event in accumulator.Tensors("epoch_dp_epsilon")
    ]
    assert logged == pytest.approx(spent, rel=1e-5)


def test_training_stops_before_the_budget_and_a_resume_counts_every_step(
    tmp_path,
):
    noise = 1.0
    plan = privacy.DpTraining(
        noise, 1.0, NUM_EXAMPLES, 20, privacy.default_delta(NUM_EXAMPLES)
    )
    # A budget that 3 epochs fit and 4 do not.
    budget = 0.5 * (
        plan.epsilon(3 * STEPS_PER_EPOCH) + plan.epsilon(4 * STEPS_PER_EPOCH)
    )
    config = _config(
        dp_noise_multiplier=noise,
        target_epsilon=budget,
        epochs=6,
        model_dir=str(tmp_path / "run"),
    )

    class Crash(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 2:
                raise RuntimeError("crash")

    with pytest.raises(RuntimeError, match="crash"):
        train_lib.train(config, callbacks=[Crash()])
    resumed = train_lib.train(config)
    # Epoch 3 of 6 resumed from the backup of epoch 2, then the budget
    # stopped training after it.
    assert resumed.history.epoch == [2]
    assert resumed.history.history["dp_epsilon"] == pytest.approx(
        [plan.epsilon(3 * STEPS_PER_EPOCH)]
    )
    assert int(resumed.model.d_optimizer.iterations) == 3 * STEPS_PER_EPOCH


def test_value_bounds_scale_with_public_bounds(tmp_path):
    config = _config(
        target_epsilon=10.0,
        epochs=1,
        value_bounds=[-1.0, 2.0],
        export_dir=str(tmp_path / "export"),
    )
    result = train_lib.train(config)
    scaler = result.model.scaler
    assert scaler.data_min.tolist() == [-1.0] * 5
    assert scaler.data_max.tolist() == [2.0] * 5
    card = (tmp_path / "export" / "1" / MODEL_CARD_FILE).read_text()
    assert "Not covered" not in card


def test_sampled_batches_are_fresh_draws_without_replacement():
    data = train_lib.prepare(_config(target_epsilon=10.0, epochs=1)).data
    dataset = data.dataset(sampled=True)  # fit iterates it every epoch
    first, second = ([rows.numpy() for rows in dataset] for _ in "ab")
    assert len(first) == STEPS_PER_EPOCH
    train = data.scaler.transform(data.train.sequences).astype("float32")
    for batch in first:
        # Each row is a training sequence, none twice in a batch.
        distances = ((batch[:, None] - train[None]) ** 2).sum(axis=(2, 3))
        rows = distances.argmin(axis=1)
        assert np.allclose(distances.min(axis=1), 0.0, atol=1e-8)
        assert len(set(rows.tolist())) == len(rows)
    # Batches are drawn afresh: overlapping, and not the same each epoch.
    assert not np.array_equal(first[0], second[0])
    seen = np.concatenate(first).reshape(len(first) * 20, -1)
    assert len(np.unique(seen, axis=0)) < len(seen)


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(target_epsilon=0.0), "target_epsilon must be a number above 0"),
        (dict(dp_noise_multiplier=-1.0), "dp_noise_multiplier must be"),
        (
            dict(dp_noise_multiplier=1.0, dp_l2_norm_clip=0.0),
            "dp_l2_norm_clip must be a number above 0",
        ),
        (dict(target_epsilon=1.0, dp_delta=1.0), "dp_delta must lie"),
        (
            dict(target_epsilon=0.01, epochs=50),
            "No noise multiplier up to 100 keeps 450 steps",
        ),
        (
            dict(dp_noise_multiplier=0.5, target_epsilon=0.1),
            "One step of noise multiplier 0.5 already spends",
        ),
        (dict(target_epsilon=3.0, select_every=1), "--select_every"),
        (dict(target_epsilon=3.0, unroll="off"), "--unroll=off"),
        (
            dict(target_epsilon=3.0, strategy="multi_worker"),
            "--strategy=multi_worker",
        ),
        (dict(target_epsilon=3.0, model="latent_gan"), "autoencoder reads"),
        (
            dict(target_epsilon=3.0, model="timegan", d_steps=None),
            "supervised phases",
        ),
        (dict(value_bounds=[0.0, 1.0, 2.0]), "value_bounds must be pairs"),
        (dict(value_bounds=[1.0, 0.0]), "value_bounds must be pairs"),
        (
            dict(value_bounds=[0.0, 1.0, 0.0, 1.0]),
            "2 LOW,HIGH pairs for 5 numeric features",
        ),
    ],
)
def test_bad_private_configs_fail_before_training(options, message):
    with pytest.raises(ValueError, match=message):
        train_lib.prepare(_config(**{"epochs": 1, **options}))


def test_stream_is_refused_for_private_training(tmp_path):
    path = tmp_path / "series.csv"
    values = np.sin(np.arange(400) / 5.0)
    path.write_text("v\n" + "\n".join(f"{v:.5f}" for v in values))
    with pytest.raises(ValueError, match="--stream"):
        train_lib.prepare(
            _config(
                dataset=f"csv:{path}", stream=True, target_epsilon=3.0, epochs=1
            )
        )


def test_private_defaults_train_fewer_steps():
    prepared = train_lib.prepare(_config(target_epsilon=3.0, d_steps=None))
    config = prepared.config
    assert config.run.epochs == round(2000 / STEPS_PER_EPOCH)
    assert prepared.model.d_steps == 5  # the recipe's
    assert prepared.privacy.per_batch == 5
    usual = train_lib.prepare(_config(d_steps=None, model="rgan")).config
    assert usual.run.epochs == round(8400 / STEPS_PER_EPOCH)
