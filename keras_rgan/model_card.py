"""An export's model card: what a reader of `assets.extra/MODEL_CARD.md`
needs to know before using the model's sequences, written from the export's
metadata (`assets.extra/keras_rgan.json`).

Example:

>>> card = model_card({"model": "RGAN", "seq_len": 24, "num_features": 5,
...                    "feature_names": ["a", "b", "c", "d", "e"]})
>>> card.splitlines()[0]
'# RGAN model card'
>>> "Not differentially private" in card
True
"""


def privacy_statement(record):
    """One line on the privacy guarantee of an export's `privacy` record
    (`keras_rgan.privacy.DpTraining.record`), or on its absence.

    Example:

    >>> privacy_statement(None)
    'Not differentially private: trained without DP-SGD.'
    >>> privacy_statement({"epsilon": 2.9977, "delta": 3.98e-05,
    ...                    "accountant": "dp_accounting RdpAccountant"})
    '(3.00, 3.98e-05)-differentially private (dp_accounting RdpAccountant).'
    """
    if not record:
        return "Not differentially private: trained without DP-SGD."
    return (
        f"({record['epsilon']:.2f}, {record['delta']:.3g})-differentially "
        f"private ({record['accountant']})."
    )


def model_card(metadata):
    """The Markdown model card of an export's `metadata`."""
    data = metadata.get("data") or {}
    record = metadata.get("privacy")
    lines = [
        f"# {metadata['model']} model card",
        "",
        f"Generates sequences of {metadata['seq_len']} steps of "
        f"{metadata['num_features']} features "
        f"({', '.join(metadata['feature_names'])}), in the data's units.",
        "",
        "## Training data",
        "",
        f"- Data set: {data.get('dataset', 'not recorded')}.",
    ]
    if data:
        lines.append(
            f"- Batch size {data['batch_size']}; share held out from "
            f"training {data['holdout_fraction']}."
        )
    if "training_seconds" in metadata:
        lines.append(f"- Training time: {metadata['training_seconds']} s.")
    lines += ["", "## Privacy", "", privacy_statement(record)]
    if record:
        lines += [
            "",
            f"- DP-SGD on the discriminator, the only player that reads "
            f"real data: {record['steps']} batches of "
            f"{record['batch_size']} of {record['num_examples']} training "
            f"sequences ({record['sampling']}), {record['per_batch']} "
            f"discriminator update(s) each, each sequence's gradient clipped "
            f"to {record['l2_norm_clip']:g}, Gaussian noise multiplier "
            f"{record['noise_multiplier']:.4g}.",
            f"- Neighbouring data sets: {record['neighbours']}; the unit of "
            "privacy is one training sequence (overlapping windows of one "
            "series share values).",
        ]
        if metadata.get("scaler") and not record.get("public_bounds"):
            lines.append(
                "- Not covered: the per-feature minimum and maximum used to "
                "scale the data (in keras_rgan.json) were read from the "
                "training data."
            )
    lines += [
        "",
        "## Evaluation",
        "",
        "`keras-rgan evaluate --saved_model=<this folder> --output_dir=DIR` "
        "scores the sequences against the training data and runs "
        "membership-inference attacks.",
    ]
    return "\n".join(lines) + "\n"
