import json
import os
import re
import shutil

import numpy as np
import pytest

import keras_rgan
from keras_rgan import evaluate_lib
from keras_rgan import train_lib


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    base = tmp_path_factory.mktemp("eval")
    config = train_lib.TrainConfig.from_options(
        dataset="stocks",
        seq_len=8,
        batch_size=64,
        epochs=1,
        units=4,
        export_dir=str(base / "stocks"),
        verbose=0,
    )
    return train_lib.train(config).export_path


def test_evaluate_writes_scores_and_plots(export, tmp_path):
    out = str(tmp_path / "out")
    config = evaluate_lib.EvaluateConfig(
        saved_model=export,
        output_dir=out,
        num_samples=400,
        saliency_samples=8,
        score_runs=2,
        context_fid_iterations=50,
        classifier_steps=500,
    )
    scores, table = evaluate_lib.evaluate(config)
    with open(os.path.join(out, "scores.json")) as f:
        assert json.load(f) == json.loads(json.dumps(scores))
    assert scores["dataset"] == "stocks" and scores["num_samples"] == 400
    assert 0.0 <= scores["discriminative"] <= 0.5
    # The mean of 2 classifiers on 400 real and 400 synthetic sequences,
    # and the floor: halves of the real training data.
    runs = scores["discriminative_runs"]
    assert len(runs) == 2 and scores["discriminative"] == np.mean(runs)
    assert scores["discriminative_sizes"] == 400
    assert scores["discriminative_floor_sizes"] == scores["num_real"] // 2
    assert 0.0 <= scores["discriminative_floor"] < scores["discriminative"]
    # The statistical scores' floors compare the same real halves: a
    # barely trained model is further from the real data than they are.
    for name in ("correlational", "autocorrelation", "marginal", "context_fid"):
        assert 0.0 <= scores[f"{name}_floor"] < scores[name]
    for name in ("correlational", "autocorrelation", "marginal", "Context-FID"):
        assert f"{name} floor" in table
    for key in (
        "correlational",
        "autocorrelation",
        "marginal",
        "predictive",
        "predictive_real",
        "mmd",
        "diversity",
        "memorisation",
    ):
        assert key in scores
    for name in (
        "embeddings.png",
        "sequences.png",
        "saliency.png",
        "history.png",
    ):
        assert os.path.getsize(os.path.join(out, name)) > 1000
    saliency = np.load(os.path.join(out, "saliency.npz"))
    assert saliency["real"].shape == (8, 8, 6) and saliency[
        "synthetic"
    ].shape == (8, 8, 6)
    assert np.isfinite(saliency["real"]).all()
    assert "discriminative score (mean of 2" in table
    assert "real half vs real half" in table
    assert "marginal score (TSGBench's MDD)" in table
    # Membership attacks: training windows against held-out ones, as many
    # of each (the held-out 10% of Stocks' windows).
    for key in ("membership_distance", "membership_discriminator"):
        attack = scores[key]
        assert attack["members"] == attack["non_members"]
        assert attack["non_members"] == scores["num_held_out"]
        assert 0.0 <= attack["auc"] <= 1.0
        assert 0.0 <= attack["tpr_at_1pct_fpr"] <= 1.0
    assert "membership attack, distance to synthetic: AUC" in table
    assert "membership attack, discriminator logit: TPR at 1% FPR" in table
    assert scores["privacy"] == {"differentially_private": False}
    assert "differential privacy" in table
    assert "Not differentially private: trained without DP-SGD." in table
    # A second run into the same folder is refused; nothing is overwritten.
    with pytest.raises(ValueError, match="already holds scores.json"):
        evaluate_lib.evaluate(config)


def test_evaluate_prints_the_privacy_record(export, tmp_path):
    """An export trained with DP-SGD records its guarantee; evaluate
    prints it and keeps it in scores.json."""
    private = str(tmp_path / "private")
    shutil.copytree(export, private)
    path = os.path.join(private, "assets.extra", "keras_rgan.json")
    with open(path) as f:
        metadata = json.load(f)
    record = {
        "epsilon": 2.9712,
        "delta": 3.9e-05,
        "accountant": "rdp",
        "noise_multiplier": 1.1,
        "l2_norm_clip": 1.0,
        "steps": 500,
    }
    with open(path, "w") as f:
        json.dump({**metadata, "privacy": record}, f)
    scores, table = evaluate_lib.evaluate(
        evaluate_lib.EvaluateConfig(
            saved_model=private,
            output_dir=str(tmp_path / "out"),
            num_samples=100,
            saliency_samples=4,
            score_runs=1,
            predictive=False,
            context_fid_iterations=0,
            classifier_steps=20,
        )
    )
    assert scores["privacy"] == {"differentially_private": True, **record}
    assert "(2.97, 3.9e-05)-differentially private (rdp)." in table
    with open(tmp_path / "out" / "scores.json") as f:
        assert json.load(f)["privacy"]["epsilon"] == 2.9712


@pytest.mark.parametrize(
    "overrides, error, message",
    [
        (
            {"saved_model": "/no/model"},
            FileNotFoundError,
            "No SavedModel at /no/model",
        ),
        (
            {"dataset": "sines"},
            ValueError,
            "has 5 features but the model makes 6",
        ),
        ({"num_samples": 1}, ValueError, "num_samples must be at least 2"),
        ({"score_runs": 0}, ValueError, "score_runs must be at least 1"),
        (
            {"classifier_steps": 0},
            ValueError,
            "classifier_steps must be at least 1",
        ),
        (
            {"context_fid_iterations": -1},
            ValueError,
            "context_fid_iterations must be 0",
        ),
    ],
)
def test_bad_requests_are_named(export, tmp_path, overrides, error, message):
    config = evaluate_lib.EvaluateConfig(
        **{
            "saved_model": export,
            "output_dir": str(tmp_path / "o"),
            **overrides,
        }
    )
    with pytest.raises(error, match=message):
        config.validate()
        evaluate_lib.load_real_data(
            evaluate_lib.read_metadata(export), config.dataset
        )


# Shortest training each model of `keras-rgan train` accepts.
MODEL_OPTIONS = {
    "crgan": {"condition_steps": 2},
    "latent_gan": {"code_dim": 4, "dense_units": [8]},
    "timegan": {
        "embedding_epochs": 1,
        "supervised_epochs": 1,
        "num_layers": 1,
    },
}


@pytest.mark.parametrize(
    "kind", ["variable_length", "conditional", *MODEL_OPTIONS]
)
def test_evaluate_handles_every_kind_of_export(kind, tmp_path):
    """Lengths, labels and every model of `keras-rgan train`."""
    from tests.data.long_format_test import write_long_csv

    x = np.random.default_rng(0).normal(size=(150, 8, 2))
    if kind == "variable_length":
        lengths = np.random.default_rng(0).choice([3, 5, 8], size=150)
        path = write_long_csv(tmp_path / "long.csv", lengths)
        data = dict(
            dataset=f"csv:{path}", id_column="patient", time_column="time"
        )
    elif kind == "conditional":
        np.savez(tmp_path / "labelled.npz", x=x, labels=np.arange(150) % 3)
        data = dict(
            dataset=f"npz:{tmp_path / 'labelled.npz'}", conditional=True
        )
    else:
        np.save(tmp_path / "data.npy", x)
        data = dict(
            dataset=f"npy:{tmp_path / 'data.npy'}",
            model=kind,
            **MODEL_OPTIONS[kind],
        )
    config = train_lib.TrainConfig.from_options(
        seq_len=8,
        batch_size=32,
        epochs=1,
        units=4,
        verbose=0,
        export_dir=str(tmp_path / "export"),
        **data,
    )
    export = train_lib.train(config).export_path
    scores, table = evaluate_lib.evaluate(
        evaluate_lib.EvaluateConfig(
            saved_model=export,
            output_dir=str(tmp_path / "out"),
            num_samples=100,
            saliency_samples=4,
            score_runs=1,
            context_fid_iterations=5,
            classifier_steps=50,
        )
    )
    assert 0.0 <= scores["discriminative"] <= 0.5
    assert np.isfinite(scores["predictive"]) and np.isfinite(
        scores["predictive_real"]
    )
    assert (
        np.isfinite(scores["mmd"]["mmd2"]) and "discriminative score" in table
    )
    for name in ("correlational", "autocorrelation", "marginal"):
        assert np.isfinite(scores[name]) and scores[name] >= 0.0
        assert np.isfinite(scores[f"{name}_floor"])
    # Context-FID's encoder has no notion of padding.
    assert ("context_fid" in scores) == (kind != "variable_length")
    if kind != "variable_length":
        assert np.isfinite(scores["context_fid"]) and scores["context_fid"] >= 0
    # The discriminator attack feeds the lengths and labels it reads.
    attack = scores["membership_discriminator"]
    assert 0.0 <= attack["auc"] <= 1.0 and attack["members"] == 15
    saliency = np.load(tmp_path / "out" / "saliency.npz")
    assert saliency["synthetic"].shape == (4, 8, 2)
    assert np.isfinite(saliency["synthetic"]).all()
    for name in ("embeddings.png", "sequences.png", "saliency.png"):
        assert os.path.getsize(tmp_path / "out" / name) > 0


def test_evaluate_scores_a_table_on_observed_values(tmp_path):
    """A table with gaps, a category and static attributes: scores,
    plots and saliency run, on observed values only."""
    from tests.models.table_model_test import attribute_table

    frame = attribute_table(num_sequences=80)
    frame.loc[frame.index % 7 == 0, "x"] = np.nan
    path = tmp_path / "machines.parquet"
    frame.to_parquet(path)
    config = train_lib.TrainConfig.from_options(
        dataset=f"parquet:{path}",
        id_column="machine",
        time_column="t",
        categorical_columns=["state"],
        static_columns=["age", "weight"],
        label_column="model",
        seq_len=8,
        batch_size=32,
        epochs=1,
        units=4,
        d_steps=1,
        export_dir=str(tmp_path / "export"),
        verbose=0,
    )
    export_path = train_lib.train(config).export_path
    out = str(tmp_path / "out")
    scores, _ = evaluate_lib.evaluate(
        evaluate_lib.EvaluateConfig(
            saved_model=export_path,
            output_dir=out,
            num_samples=64,
            saliency_samples=4,
            score_runs=1,
            context_fid_iterations=5,
            classifier_steps=50,
        )
    )
    assert 0.0 <= scores["discriminative"] <= 0.5
    assert "mmd" in scores and "memorisation" in scores
    # The discriminator attack feeds the categories, observed flags,
    # attributes and labels the table's discriminator reads.
    for key in ("membership_distance", "membership_discriminator"):
        assert 0.0 <= scores[key]["auc"] <= 1.0
    saliency = np.load(os.path.join(out, "saliency.npz"))
    assert saliency["real"].shape == (4, 8, 1)
    assert os.path.getsize(os.path.join(out, "sequences.png")) > 1000


def test_unknown_categories_at_evaluation_are_named():
    learned = {"categorical": [["state", ["off", "on"]]]}
    data = keras_rgan.data.TableSchema(
        ["x"], [["state", ["off", "on", "standby"]]]
    )
    with pytest.raises(ValueError, match=r"'state' .*\['standby'\]"):
        evaluate_lib._check_categories(learned, data)
    evaluate_lib._check_categories(
        learned, keras_rgan.data.TableSchema(["x"], [["state", ["on", "off"]]])
    )


def test_discriminator_attack_states_why_it_is_skipped():
    """A discriminator reading an input the real data lacks is skipped
    with the reason, in scores.json and the table, not silently."""
    import tensorflow as tf

    class Signature:
        structured_input_signature = (
            (),
            {
                "sequences": tf.TensorSpec((None, 4, 1), tf.float32),
                "labels": tf.TensorSpec((None,), tf.int32),
            },
        )

    data = keras_rgan.data.SequenceData(np.zeros((3, 4, 1)), ["x"])
    reason = evaluate_lib._discriminator_inputs(Signature, data, {})
    assert reason == "the discriminator reads 'labels', which the data lacks"
    data.labels = np.arange(3)
    inputs = evaluate_lib._discriminator_inputs(Signature, data, {})
    assert inputs["labels"].dtype == np.int32
    assert inputs["sequences"].dtype == np.float32
    scores = {
        "discriminative_runs": [0.1],
        "discriminative": 0.1,
        "discriminative_std": 0.0,
        "discriminative_floor_sizes": 1,
        "discriminative_floor": 0.0,
        "mmd": {"mmd2": 0.0},
        "diversity": {"diversity_ratio": 1, "coverage": 1, "collapsed": 0},
        "membership_discriminator": {"skipped": reason},
        "privacy": {"differentially_private": False},
    }
    table = evaluate_lib._format_table(scores)
    assert re.search(
        r"membership attack, discriminator logit +skipped: the discriminator "
        "reads 'labels'",
        table,
    )
