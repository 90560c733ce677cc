"""Export + real data -> scores, checks and plots: what `keras-rgan evaluate`
runs. Needs only the SavedModel (TensorFlow) and the data it was trained on."""

import dataclasses
import json
import os

import numpy as np
import tensorflow as tf

from keras_rgan import evaluation
from keras_rgan.data.prepared import load_split
from keras_rgan.data.scaling import MinMaxScaler
from keras_rgan.data.spec import DataSpec
from keras_rgan.export import read_metadata

SCORES_FILE = "scores.json"


@dataclasses.dataclass
class EvaluateConfig:
    """What to evaluate; `validate()` checks it before any work.

    `dataset=None` uses the data set recorded in the export; `num_samples=None`
    generates as many sequences as there are real training sequences (as
    TimeGAN does).
    """

    saved_model: str
    output_dir: str
    dataset: str | None = None
    num_samples: int | None = None
    seed: int = 0
    predictive: bool = True
    saliency_samples: int = 64

    def validate(self):
        if not os.path.isfile(os.path.join(self.saved_model, "saved_model.pb")):
            raise FileNotFoundError(f"No SavedModel at {self.saved_model}")
        if read_metadata(self.saved_model) is None:
            raise ValueError(
                f"{self.saved_model} has no assets.extra/keras_rgan.json: "
                "it was not exported by keras_rgan."
            )
        if self.num_samples is not None and self.num_samples < 2:
            raise ValueError(
                f"num_samples must be at least 2, got {self.num_samples}."
            )
        if os.path.isfile(self.output_dir):
            raise ValueError(f"The output_dir {self.output_dir} is a file.")
        if os.path.exists(os.path.join(self.output_dir, SCORES_FILE)):
            raise ValueError(
                f"{self.output_dir} already holds {SCORES_FILE}; choose "
                "another output_dir."
            )


def load_real_data(metadata, dataset=None):
    """The real training and held-out sequences an export (its `metadata`,
    `read_metadata()`) was trained on, reloaded through `keras_rgan.data`
    from the data spec it records; `dataset` replaces the recorded name.

    Example:

    >>> metadata = {"seq_len": 24, "num_features": 5,
    ...             "data": {"dataset": "sines", "num_sequences": 100}}
    >>> train, held_out = load_real_data(metadata)
    >>> train.sequences.shape, held_out.sequences.shape
    ((90, 24, 5), (10, 24, 5))
    """
    recorded = dict(metadata.get("data") or {})
    if dataset is None and not recorded:
        raise ValueError(
            "The export does not record its training data: pass --dataset."
        )
    if dataset is not None:
        recorded["dataset"] = dataset
    recorded.setdefault("seq_len", metadata["seq_len"])
    if recorded["seq_len"] != metadata["seq_len"]:
        raise ValueError(
            f"The data has seq_len {recorded['seq_len']} but the model makes "
            f"{metadata['seq_len']} steps."
        )
    recorded["num_features"] = (
        recorded.get("num_features") or metadata["num_features"]
    )
    train, held_out = load_split(
        DataSpec.from_record(recorded), recorded.get("seed", 0)
    )
    if train.sequences.shape[-1] != metadata["num_features"]:
        raise ValueError(
            f"The data has {train.sequences.shape[-1]} features but the model "
            f"makes {metadata['num_features']}."
        )
    return train, held_out


def _format_table(scores):
    rows = [
        (
            "discriminative score (lower is better, 0..0.5)",
            scores["discriminative"],
        ),
        ("predictive score, synthetic -> real (MAE)", scores.get("predictive")),
        ("predictive score, real -> real (MAE)", scores.get("predictive_real")),
        ("MMD^2, RBF kernel", scores["mmd"]["mmd2"]),
        (
            "diversity ratio (synthetic / real)",
            scores["diversity"]["diversity_ratio"],
        ),
        ("coverage of real neighbourhoods", scores["diversity"]["coverage"]),
        ("collapsed", scores["diversity"]["collapsed"]),
    ]
    if "memorisation" in scores:
        rows += [
            (
                "nearest-training distance, synthetic / held-out",
                scores["memorisation"]["distance_ratio"],
            ),
            ("memorised", scores["memorisation"]["memorised"]),
        ]
    width = max(len(name) for name, _ in rows)
    lines = []
    for name, value in rows:
        if value is None:
            continue
        text = f"{value:.4f}" if isinstance(value, float) else str(value)
        lines.append(f"{name:<{width}}  {text}")
    return "\n".join(lines)


@dataclasses.dataclass
class _Synthetic:
    """Sequences an export generated, with their labels and lengths (None
    where the export has none)."""

    sequences: np.ndarray
    labels: np.ndarray | None
    lengths: np.ndarray | None


def _generate(loaded, train_data, num_samples, seed):
    """Generates `num_samples` sequences with the export's signatures: one
    per drawn training label for label-conditional exports, so that real
    and synthetic sets have the same class balance and known labels."""
    inputs = loaded.signatures["discriminate"].structured_input_signature[1]
    seed_tensor = tf.constant(seed, tf.int64)
    labels = None
    if "labels" in inputs:
        rng = np.random.default_rng(seed)
        labels = rng.choice(train_data.labels, num_samples).astype("int32")
        outputs = loaded.signatures["generate_with_labels"](
            labels=tf.constant(labels), seed=seed_tensor
        )
    else:
        outputs = loaded.signatures["serving_default"](
            num_samples=tf.constant(num_samples, tf.int32), seed=seed_tensor
        )
    lengths = outputs["lengths"].numpy() if "lengths" in inputs else None
    return _Synthetic(outputs["sequences"].numpy(), labels, lengths)


def _scores(config, train_data, held_out_data, synthetic, scaler):
    """The scores dict of `scores.json` (without its header fields)."""
    train, held_out = train_data.sequences, held_out_data.sequences
    variable_length = synthetic.lengths is not None
    real_lengths = train_data.lengths if variable_length else None
    lengths = dict(
        real_lengths=real_lengths, synthetic_lengths=synthetic.lengths
    )
    common = dict(scaler=scaler, seed=config.seed)
    scores = {
        "discriminative": evaluation.discriminative_score(
            train, synthetic.sequences, **common, **lengths
        ),
        "mmd": evaluation.mmd_rbf(train, synthetic.sequences, **common),
        "diversity": evaluation.diversity_check(
            train, synthetic.sequences, **common
        ),
    }
    if config.predictive and train.shape[-1] >= 2:
        scores["predictive"] = evaluation.predictive_score(
            train, synthetic.sequences, **common, **lengths
        )
        reference = held_out_data if len(held_out) >= 2 else train_data
        scores["predictive_real"] = evaluation.predictive_score(
            train,
            reference.sequences,
            **common,
            real_lengths=real_lengths,
            synthetic_lengths=reference.lengths if variable_length else None,
        )
    if len(held_out) >= 2:
        scores["memorisation"] = evaluation.memorisation_check(
            train, held_out, synthetic.sequences, **common
        )
    return scores


def _saliency(config, loaded, train_data, synthetic, out, names):
    """Integrated gradients of the export's discriminator for real and
    generated sequences: `saliency.npz` and `saliency.png`."""
    train = train_data.sequences
    count = min(config.saliency_samples, len(train), len(synthetic.sequences))
    discriminate = loaded.signatures["discriminate"]
    real_lengths = None if synthetic.lengths is None else train_data.lengths

    def logit_fn_of(labels, lengths):
        extra = {}
        if labels is not None:
            extra["labels"] = tf.constant(labels[:count], tf.int32)
        if lengths is not None:
            extra["lengths"] = tf.constant(lengths[:count], tf.int32)
        return lambda x: discriminate(sequences=x, **extra)["logits"]

    baseline = train.mean(axis=0, keepdims=True)
    real, fake = (
        evaluation.integrated_gradients(
            logit_fn_of(labels, lengths),
            sequences[:count],
            baseline,
            batch_size=max(count, 1),
        )
        for sequences, labels, lengths in (
            (train, train_data.labels, real_lengths),
            (synthetic.sequences, synthetic.labels, synthetic.lengths),
        )
    )
    np.savez(out("saliency.npz"), real=real, synthetic=fake)
    evaluation.plot_saliency(real, fake, out("saliency.png"), names)


def evaluate(config):
    """Scores an export against its real data and writes scores and plots.

    Writes into `output_dir`: `scores.json`, `embeddings.png` (PCA, t-SNE),
    `sequences.png`, `saliency.png` and `saliency.npz` (integrated gradients
    of the discriminator for real and generated sequences) and, when the
    export records its training history, `history.png`.

    Returns:
        A tuple `(scores, table)`: the scores dict and a printable table.
    """
    config.validate()
    metadata = read_metadata(config.saved_model)
    train_data, held_out_data = load_real_data(metadata, config.dataset)
    train = train_data.sequences
    scaler = (
        MinMaxScaler(**metadata["scaler"]) if metadata.get("scaler") else None
    ) or MinMaxScaler().fit(train_data.valid_steps())
    num_samples = config.num_samples or len(train)
    loaded = tf.saved_model.load(config.saved_model)
    synthetic = _generate(loaded, train_data, num_samples, config.seed)
    recorded = (metadata.get("data") or {}).get("dataset")
    scores = {
        "saved_model": os.path.abspath(config.saved_model),
        "dataset": config.dataset or recorded,
        "num_real": len(train),
        "num_held_out": len(held_out_data.sequences),
        "num_samples": num_samples,
        "seed": config.seed,
        **_scores(config, train_data, held_out_data, synthetic, scaler),
    }
    os.makedirs(config.output_dir, exist_ok=True)
    out = lambda name: os.path.join(config.output_dir, name)  # noqa: E731
    names = metadata.get("feature_names")
    evaluation.plot_embeddings(
        train, synthetic.sequences, out("embeddings.png"), seed=config.seed
    )
    evaluation.plot_sequences(
        train,
        synthetic.sequences,
        out("sequences.png"),
        names,
        seed=config.seed,
    )
    if metadata.get("history"):
        evaluation.plot_history(metadata["history"], out("history.png"))
    _saliency(config, loaded, train_data, synthetic, out, names)
    with open(out(SCORES_FILE), "w") as f:
        json.dump(scores, f, indent=2)
    return scores, _format_table(scores)
