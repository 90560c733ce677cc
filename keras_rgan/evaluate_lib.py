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
from keras_rgan.data.schema import TableSchema
from keras_rgan.data.spec import DataSpec
from keras_rgan.evaluation.discriminative import DEFAULT_RUNS
from keras_rgan.export import read_metadata
from keras_rgan.model_card import privacy_statement

SCORES_FILE = "scores.json"


@dataclasses.dataclass
class EvaluateConfig:
    """What to evaluate; `validate()` checks it before any work.

    `dataset=None` uses the data set recorded in the export; `num_samples=None`
    generates as many sequences as there are real training sequences (as
    TimeGAN does). The discriminative score is the mean of `score_runs`
    classifiers. Context-FID's encoder trains for `context_fid_iterations`
    (None: the reference's 200, or 600 for more than 100,000 values; 0
    skips Context-FID). Each discriminative and predictive classifier
    trains for `classifier_steps` (None: the reference's 2,000 and 5,000;
    fewer give a quicker, noisier look).
    """

    saved_model: str
    output_dir: str
    dataset: str | None = None
    num_samples: int | None = None
    seed: int = 0
    predictive: bool = True
    saliency_samples: int = 64
    score_runs: int = DEFAULT_RUNS
    context_fid_iterations: int | None = None
    classifier_steps: int | None = None

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
        if self.score_runs < 1:
            raise ValueError(
                f"score_runs must be at least 1, got {self.score_runs}."
            )
        if self.classifier_steps is not None and self.classifier_steps < 1:
            raise ValueError(
                "classifier_steps must be at least 1 (None: the reference's), "
                f"got {self.classifier_steps}."
            )
        if (
            self.context_fid_iterations is not None
            and self.context_fid_iterations < 0
        ):
            raise ValueError(
                "context_fid_iterations must be 0 (skip) or more, got "
                f"{self.context_fid_iterations}."
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
    schema = metadata.get("schema")
    if schema and train.schema is not None:
        _check_categories(schema, train.schema)
    expected = len(schema["numeric"]) if schema else metadata["num_features"]
    if train.sequences.shape[-1] != expected:
        raise ValueError(
            f"The data has {train.sequences.shape[-1]} features but the model "
            f"makes {expected}."
        )
    return train, held_out


def _check_categories(learned, data):
    """Refuses data holding a category the model never learned, naming the
    column and the category."""
    known = dict(learned.get("categorical", []))
    for name, categories in data.categorical:
        unknown = sorted(set(categories) - set(known.get(name, categories)))
        if unknown:
            raise ValueError(
                f"Column {name!r} of the data holds categories the model "
                f"did not learn: {unknown[:10]} (it knows {known[name][:10]})."
            )


def _format_table(scores):
    runs = len(scores["discriminative_runs"])
    rows = [
        (
            f"discriminative score (mean of {runs}; lower is better, 0..0.5)",
            scores["discriminative"],
        ),
        (
            "discriminative score, spread over runs (std)",
            scores["discriminative_std"],
        ),
        (
            "discriminative floor: real half vs real half "
            f"({scores['discriminative_floor_sizes']} each)",
            scores["discriminative_floor"],
        ),
        ("predictive score, synthetic -> real (MAE)", scores.get("predictive")),
        ("predictive score, real -> real (MAE)", scores.get("predictive_real")),
        ("correlational score (Diffusion-TS)", scores.get("correlational")),
        (
            "autocorrelation score, lags up to seq_len // 2",
            scores.get("autocorrelation"),
        ),
        ("marginal score (TSGBench's MDD)", scores.get("marginal")),
        ("Context-FID (TS2Vec embeddings)", scores.get("context_fid")),
        *(
            (f"{name} floor: real half vs real half", scores.get(key))
            for name, key in (
                ("correlational", "correlational_floor"),
                ("autocorrelation", "autocorrelation_floor"),
                ("marginal", "marginal_floor"),
                ("Context-FID", "context_fid_floor"),
            )
        ),
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
    for name, key in (
        ("distance to synthetic", "membership_distance"),
        ("discriminator logit", "membership_discriminator"),
    ):
        attack = scores.get(key)
        if attack is None:
            continue
        if "skipped" in attack:
            rows.append(
                (f"membership attack, {name}", f"skipped: {attack['skipped']}")
            )
            continue
        rows += [
            (f"membership attack, {name}: AUC (0.5 chance)", attack["auc"]),
            (
                f"membership attack, {name}: TPR at 1% FPR",
                attack["tpr_at_1pct_fpr"],
            ),
        ]
    if "privacy" in scores:
        privacy = scores["privacy"]
        rows.append(
            (
                "differential privacy",
                privacy_statement(
                    privacy if privacy["differentially_private"] else None
                ),
            )
        )
    width = max(len(name) for name, _ in rows)
    lines = []
    for name, value in rows:
        if value is None:
            continue
        text = f"{value:.4f}" if isinstance(value, float) else str(value)
        lines.append(f"{name:<{width}}  {text}")
    return "\n".join(lines)


def _privacy(metadata):
    """What scores.json says of the export's privacy: its DP-SGD record
    (`metadata["privacy"]`: epsilon, delta, accountant...) or that it has
    none."""
    record = metadata.get("privacy")
    if not record:
        return {"differentially_private": False}
    return {"differentially_private": True, **record}


@dataclasses.dataclass
class _Synthetic:
    """Sequences an export generated, with their labels and lengths (None
    where the export has none)."""

    sequences: np.ndarray
    labels: np.ndarray | None
    lengths: np.ndarray | None
    columns: dict = dataclasses.field(default_factory=dict)


def _generate(loaded, train_data, num_samples, seed, metadata_schema=None):
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
    columns = {
        name: outputs[name].numpy()
        for name in inputs
        if name not in ("sequences", "labels", "lengths") and name in outputs
    }
    if "attributes" in inputs:  # A table's static attributes, encoded.
        schema = TableSchema.from_config(metadata_schema)
        columns["attributes"] = schema.encode_served_attributes(
            {name: outputs[name] for name in schema.attribute_names}
        ).numpy()
    return _Synthetic(outputs["sequences"].numpy(), labels, lengths, columns)


def _real_columns(schema, data):
    """The discriminate inputs of real table data: each categorical
    column's text, the observed flags and the encoded attributes."""
    columns = {}
    if data.static is not None:
        columns["attributes"] = schema.encode_attributes(
            data.static.values, data.static.codes
        )
    for k, (name, categories) in enumerate(schema.categorical):
        codes = np.maximum(data.codes[..., k], 0)
        columns[name] = np.asarray(categories, object)[codes].astype(bytes)
    if schema.missing:
        observed = data.observed
        if observed is None:
            shape = data.sequences.shape[:-1] + (len(schema.column_names),)
            observed = np.ones(shape, bool)
        columns["observed"] = observed
    return columns


def _table_features(schema, scaler, sequences, columns):
    """What the scores compare for a table with categories or missing
    cells: its encoding with every value times its observed flag, so only
    observed values count (categories one-hot, flags included)."""
    encoded = schema.encode_served(
        tf.constant(sequences, tf.float32), scaler, columns
    )
    return schema.masked(encoded).numpy()


def _observed_only(schema, sequences, columns):
    """Numeric sequences with NaN where a value was not observed (plots)."""
    if not schema.missing:
        return sequences
    flags = columns["observed"][..., : sequences.shape[-1]]
    return np.where(flags, sequences, np.nan)


def _real_halves(config, train_data):
    """Two random halves of the real training data (indices): the floors
    score one against the other."""
    rng = np.random.default_rng([config.seed, 1])
    return np.array_split(rng.permutation(len(train_data.sequences)), 2)


def _discriminative(
    config, train_data, synthetic, scaler, variable_length, halves, steps
):
    """The discriminative score's mean and spread over `score_runs`
    classifiers of `steps` (`_classifier_steps`), on equal numbers of real
    and synthetic sequences, and the floor: the same score of two random
    halves of the real data."""
    rng = np.random.default_rng(config.seed)
    count = min(len(train_data.sequences), len(synthetic.sequences))
    real_index = np.sort(rng.permutation(len(train_data.sequences))[:count])
    fake_index = np.sort(rng.permutation(len(synthetic.sequences))[:count])

    def lengths_at(data, index):
        return data.lengths[index] if variable_length else None

    def runs(real, real_lengths, fake, fake_lengths):
        return evaluation.discriminative_scores(
            real,
            fake,
            runs=config.score_runs,
            seed=config.seed,
            scaler=scaler,
            real_lengths=real_lengths,
            synthetic_lengths=fake_lengths,
            **steps,
        )

    scores = runs(
        train_data.sequences[real_index],
        lengths_at(train_data, real_index),
        synthetic.sequences[fake_index],
        lengths_at(synthetic, fake_index),
    )
    first, second = halves
    floor = runs(
        train_data.sequences[first],
        lengths_at(train_data, first),
        train_data.sequences[second],
        lengths_at(train_data, second),
    )
    return {
        "discriminative": float(np.mean(scores)),
        "discriminative_std": float(np.std(scores)),
        "discriminative_runs": scores,
        "discriminative_sizes": count,
        "discriminative_floor": float(np.mean(floor)),
        "discriminative_floor_sizes": len(second),
    }


def _classifier_steps(config):
    """The classifiers' `steps` argument: none for the reference's."""
    if config.classifier_steps is None:
        return {}
    return {"steps": config.classifier_steps}


def _context_fid(config, train, synthetic, scaler, halves):
    """Context-FID of the synthetic sequences and of one real half against
    the other, embedded by one TS2Vec encoder trained on the real training
    data (fixed-length sequences: the encoder has no notion of padding)."""
    scaler = scaler or MinMaxScaler().fit(train)
    encoder = evaluation.train_ts2vec_encoder(
        scaler.transform(train),
        seed=config.seed,
        iterations=config.context_fid_iterations,
    )
    first, second = halves
    return {
        "context_fid": evaluation.context_fid_score(
            train, synthetic.sequences, scaler=scaler, encoder=encoder
        ),
        "context_fid_floor": evaluation.context_fid_score(
            train[first], train[second], scaler=scaler, encoder=encoder
        ),
    }


def _scores(config, train_data, held_out_data, synthetic, scaler):
    """The scores dict of `scores.json` (without its header fields)."""
    train, held_out = train_data.sequences, held_out_data.sequences
    variable_length = synthetic.lengths is not None
    real_lengths = train_data.lengths if variable_length else None
    lengths = dict(
        real_lengths=real_lengths, synthetic_lengths=synthetic.lengths
    )
    common = dict(scaler=scaler, seed=config.seed)
    steps = _classifier_steps(config)
    halves = _real_halves(config, train_data)
    scores = {
        **_discriminative(
            config,
            train_data,
            synthetic,
            scaler,
            variable_length,
            halves,
            steps,
        ),
        "mmd": evaluation.mmd_rbf(train, synthetic.sequences, **common),
        "diversity": evaluation.diversity_check(
            train, synthetic.sequences, **common
        ),
    }
    for name, score in (
        ("correlational", evaluation.correlational_score),
        ("autocorrelation", evaluation.autocorrelation_score),
        ("marginal", evaluation.marginal_score),
    ):
        scores[name] = score(
            train, synthetic.sequences, scaler=scaler, **lengths
        )
        first, second = halves
        scores[f"{name}_floor"] = score(
            train[first],
            train[second],
            scaler=scaler,
            real_lengths=None if real_lengths is None else real_lengths[first],
            synthetic_lengths=(
                None if real_lengths is None else real_lengths[second]
            ),
        )
    if not variable_length and config.context_fid_iterations != 0:
        scores.update(_context_fid(config, train, synthetic, scaler, halves))
    if config.predictive:
        scores["predictive"] = evaluation.predictive_score(
            train, synthetic.sequences, **common, **steps, **lengths
        )
        # The reference's "original data" row: trained on the real
        # training data itself (held-out windows of a trending series sit
        # at other levels, which says nothing about the generator).
        scores["predictive_real"] = evaluation.predictive_score(
            train,
            train,
            **common,
            **steps,
            real_lengths=real_lengths,
            synthetic_lengths=real_lengths,
        )
    if len(held_out) >= 2:
        scores["memorisation"] = evaluation.memorisation_check(
            train, held_out, synthetic.sequences, **common
        )
        # Members: the training sequences; non-members: the held-out ones.
        scores["membership_distance"] = evaluation.distance_attack(
            train, held_out, synthetic.sequences, **common
        )
    return scores


def _discriminator_inputs(signature, data, columns):
    """The `discriminate` signature's inputs for real `data` (its
    sequences, labels, lengths and table `columns`), as arrays of the
    signature's dtypes; or a string naming the input the data lacks."""
    available = {
        "sequences": data.sequences,
        "labels": data.labels,
        "lengths": data.lengths,
        **columns,
    }
    inputs = {}
    for name, spec in signature.structured_input_signature[1].items():
        if available.get(name) is None:
            return f"the discriminator reads {name!r}, which the data lacks"
        inputs[name] = np.asarray(available[name]).astype(
            spec.dtype.as_numpy_dtype
        )
    return inputs


def _membership_discriminator(
    config, loaded, schema, train_data, held_out_data
):
    """The discriminator attack (`evaluation.discriminator_attack`) with
    the export's `discriminate` signature: members are the training
    sequences, non-members the held-out ones, each with the labels,
    lengths and table columns (`schema`) the signature reads."""
    discriminate = loaded.signatures["discriminate"]
    members, non_members = (
        _discriminator_inputs(
            discriminate,
            data,
            {} if schema is None else _real_columns(schema, data),
        )
        for data in (train_data, held_out_data)
    )
    for inputs in (members, non_members):
        if isinstance(inputs, str):
            return {"skipped": inputs}

    def logit_fn(batch):
        tensors = {name: tf.constant(value) for name, value in batch.items()}
        return discriminate(**tensors)["logits"]

    return evaluation.discriminator_attack(
        members, non_members, logit_fn, seed=config.seed
    )


def _saliency(
    config, loaded, train_data, synthetic, out, names, real_columns=None
):
    """Integrated gradients of the export's discriminator for real and
    generated sequences: `saliency.npz` and `saliency.png`."""
    train = train_data.sequences
    count = min(config.saliency_samples, len(train), len(synthetic.sequences))
    discriminate = loaded.signatures["discriminate"]
    real_lengths = None if synthetic.lengths is None else train_data.lengths

    def logit_fn_of(labels, lengths, columns):
        extra = {name: value[:count] for name, value in columns.items()}
        if labels is not None:
            extra["labels"] = tf.constant(labels[:count], tf.int32)
        if lengths is not None:
            extra["lengths"] = tf.constant(lengths[:count], tf.int32)
        return lambda x: discriminate(sequences=x, **extra)["logits"]

    baseline = train.mean(axis=0, keepdims=True)
    real, fake = (
        evaluation.integrated_gradients(
            logit_fn_of(labels, lengths, columns),
            sequences[:count],
            baseline,
            batch_size=max(count, 1),
        )
        for sequences, labels, lengths, columns in (
            (train, train_data.labels, real_lengths, real_columns or {}),
            (
                synthetic.sequences,
                synthetic.labels,
                synthetic.lengths,
                synthetic.columns,
            ),
        )
    )
    np.savez(out("saliency.npz"), real=real, synthetic=fake)
    evaluation.plot_saliency(real, fake, out("saliency.png"), names)


def evaluate(config):
    """Scores an export against its real data and writes scores and plots.

    Writes into `output_dir`: `scores.json`, `embeddings.png` (PCA, t-SNE),
    `sequences.png`, `saliency.png` and `saliency.npz` (integrated gradients
    of the discriminator for real and generated sequences) and, when the
    export records its training history, `history.png`. The scores include
    two membership-inference attacks (training against held-out sequences)
    and the export's differential-privacy record, if it has one.

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
    synthetic = _generate(
        loaded, train_data, num_samples, config.seed, metadata.get("schema")
    )
    schema = metadata.get("schema")
    schema = None if schema is None else TableSchema.from_config(schema)
    scored, scores_scaler = (train_data, held_out_data, synthetic), scaler
    plotted = train, synthetic.sequences
    real_columns = {} if schema is None else _real_columns(schema, train_data)
    if schema is not None and not schema.plain:
        # Scores and plots use observed values only.
        held_out_columns = _real_columns(schema, held_out_data)
        plotted = (
            _observed_only(schema, train, real_columns),
            _observed_only(schema, synthetic.sequences, synthetic.columns),
        )
        scored = tuple(
            dataclasses.replace(
                data,
                sequences=_table_features(
                    schema, scaler, data.sequences, columns
                ),
            )
            for data, columns in (
                (train_data, real_columns),
                (held_out_data, held_out_columns),
                (synthetic, synthetic.columns),
            )
        )
        scores_scaler = None  # The features are scaled already.
    recorded = (metadata.get("data") or {}).get("dataset")
    scores = {
        "saved_model": os.path.abspath(config.saved_model),
        "dataset": config.dataset or recorded,
        "num_real": len(train),
        "num_held_out": len(held_out_data.sequences),
        "num_samples": num_samples,
        "seed": config.seed,
        "privacy": _privacy(metadata),
        **_scores(config, *scored, scores_scaler),
    }
    if "membership_distance" in scores:
        scores["membership_discriminator"] = _membership_discriminator(
            config, loaded, schema, train_data, held_out_data
        )
    os.makedirs(config.output_dir, exist_ok=True)
    out = lambda name: os.path.join(config.output_dir, name)  # noqa: E731
    names = metadata.get("feature_names")
    evaluation.plot_embeddings(
        scored[0].sequences,
        scored[2].sequences,
        out("embeddings.png"),
        seed=config.seed,
    )
    evaluation.plot_sequences(
        *plotted,
        out("sequences.png"),
        names,
        seed=config.seed,
    )
    if metadata.get("history"):
        evaluation.plot_history(metadata["history"], out("history.png"))
    _saliency(config, loaded, train_data, synthetic, out, names, real_columns)
    with open(out(SCORES_FILE), "w") as f:
        json.dump(scores, f, indent=2)
    return scores, _format_table(scores)
