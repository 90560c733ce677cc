import json
import os

import numpy as np
import pytest

from keras_rgan import evaluate_lib
from keras_rgan import train_lib


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    base = tmp_path_factory.mktemp("eval")
    config = train_lib.TrainConfig(
        dataset="stocks", seq_len=8, batch_size=64, epochs=1, units=4,
        export_dir=str(base / "stocks"), verbose=0,
    )
    return train_lib.train(config).export_path


def test_evaluate_writes_scores_and_plots(export, tmp_path):
    out = str(tmp_path / "out")
    config = evaluate_lib.EvaluateConfig(
        saved_model=export, output_dir=out, num_samples=400, saliency_samples=8
    )
    scores, table = evaluate_lib.evaluate(config)
    with open(os.path.join(out, "scores.json")) as f:
        assert json.load(f) == json.loads(json.dumps(scores))
    assert scores["dataset"] == "stocks" and scores["num_samples"] == 400
    assert 0.0 <= scores["discriminative"] <= 0.5
    for key in ("predictive", "predictive_real", "mmd", "diversity", "memorisation"):
        assert key in scores
    for name in ("embeddings.png", "sequences.png", "saliency.png", "history.png"):
        assert os.path.getsize(os.path.join(out, name)) > 1000
    saliency = np.load(os.path.join(out, "saliency.npz"))
    assert saliency["real"].shape == (8, 8, 6) and saliency["synthetic"].shape == (8, 8, 6)
    assert np.isfinite(saliency["real"]).all()
    assert "discriminative score" in table
    # A second run into the same folder is refused; nothing is overwritten.
    with pytest.raises(ValueError, match="already holds scores.json"):
        evaluate_lib.evaluate(config)


@pytest.mark.parametrize(
    "overrides, error, message",
    [
        ({"saved_model": "/no/model"}, FileNotFoundError, "No SavedModel at /no/model"),
        ({"dataset": "sines"}, ValueError, "has 5 features but the model makes 6"),
        ({"num_samples": 1}, ValueError, "num_samples must be at least 2"),
    ],
)
def test_bad_requests_are_named(export, tmp_path, overrides, error, message):
    config = evaluate_lib.EvaluateConfig(
        **{"saved_model": export, "output_dir": str(tmp_path / "o"), **overrides}
    )
    with pytest.raises(error, match=message):
        config.validate()
        evaluate_lib.load_real_data(config, evaluate_lib.read_metadata(export))
