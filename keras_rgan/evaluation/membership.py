"""Membership-inference attacks: can an attacker tell which real sequences a
model was trained on?

Threat model: the attacker holds candidate real records and either the
released synthetic sequences (`distance_attack`) or the exported
discriminator (`discriminator_attack`), and scores each candidate, higher
meaning "trained on". Members are training sequences; non-members are
held-out sequences of the same source that were never trained on. An AUC
near 0.5 means the attacker does no better than a coin; the true-positive
rate at 1% false positives says how many members it finds while rarely
accusing a non-member (Carlini et al., "Membership Inference Attacks From
First Principles", IEEE S&P 2022).
"""

import numpy as np

from keras_rgan.data.checks import check_sequences
from keras_rgan.evaluation.neighbours import nearest_distances
from keras_rgan.evaluation.post_hoc import as_rng
from keras_rgan.evaluation.post_hoc import scale_pair
from keras_rgan.evaluation.post_hoc import subsample

MAX_FPR = 0.01


def attack_metrics(member_scores, non_member_scores):
    """How well attack scores (higher: "member") separate the two sets.

    Args:
        member_scores: float array `(n,)`: scores of training sequences.
        non_member_scores: float array `(m,)`: scores of sequences never
            trained on.

    Returns:
        A dict: `auc` (ROC AUC; 0.5 is chance), `tpr_at_1pct_fpr` (the
        largest true-positive rate at a false-positive rate of at most
        1%), `members` and `non_members` (the counts).

    Example:

    >>> metrics = attack_metrics([0.9, 0.8, 0.7], [0.1, 0.2, 0.75])
    >>> round(metrics["auc"], 3), round(metrics["tpr_at_1pct_fpr"], 3)
    (0.889, 0.667)
    """
    from sklearn.metrics import roc_auc_score
    from sklearn.metrics import roc_curve

    members = _finite_scores(member_scores, "member_scores")
    non_members = _finite_scores(non_member_scores, "non_member_scores")
    labels = np.r_[np.ones(len(members)), np.zeros(len(non_members))]
    scores = np.r_[members, non_members]
    fpr, tpr, _ = roc_curve(labels, scores, drop_intermediate=False)
    return {
        "auc": float(roc_auc_score(labels, scores)),
        "tpr_at_1pct_fpr": float(tpr[fpr <= MAX_FPR].max()),
        "members": len(members),
        "non_members": len(non_members),
    }


def distance_attack(
    members, non_members, synthetic, scaler=None, max_samples=2000, seed=0
):
    """Black-box attack on released synthetic data: distance to the closest
    synthetic sequence (GAN-Leaks, Chen et al., CCS 2020).

    A generator that copies its training data places synthetic sequences
    next to members; each candidate's score is minus the Euclidean distance
    (scaled units) to its nearest synthetic sequence. Members and
    non-members are subsampled to one count (the smaller set, at most
    `max_samples`), so the AUC weighs both alike; every synthetic sequence
    is a reference.

    Args:
        members: array `(n, seq_len, features)`: training sequences.
        non_members: array: real sequences of the same source, never
            trained on.
        synthetic: array: generated sequences.
        scaler: fitted `MinMaxScaler` of the real data, or None to fit one
            on the candidates (members and non-members).
        max_samples: int. Most candidates drawn from each set.
        seed: int. Seed of the subsampling.

    Returns:
        `attack_metrics` of the scores.

    Example:

    >>> from keras_rgan.data import sine_waves
    >>> data = sine_waves(400, 8, 2, seed=0)
    >>> members, non_members = data[:200], data[200:]
    >>> distance_attack(members, non_members, members)["auc"]  # A copier.
    1.0
    >>> fresh = sine_waves(200, 8, 2, seed=1)
    >>> abs(distance_attack(members, non_members, fresh)["auc"] - 0.5) < 0.1
    True
    """
    members = check_sequences(members, "members")
    non_members = check_sequences(non_members, "non_members")
    _check_same_shape(members.shape[1:], non_members.shape[1:], "sequences")
    rng = as_rng(seed)
    count = _count(len(members), len(non_members), max_samples)
    members = subsample(members, count, rng)
    non_members = subsample(non_members, count, rng)
    candidates, synthetic = scale_pair(
        np.concatenate([members, non_members]), synthetic, scaler
    )
    scores = -nearest_distances(candidates, synthetic)
    return attack_metrics(scores[: len(members)], scores[len(members) :])


def discriminator_attack(
    members, non_members, logit_fn, max_samples=2000, seed=0, batch_size=256
):
    """White-box attack with a released discriminator: its logit, "real",
    is the score (LOGAN, Hayes et al., PoPETs 2019).

    A discriminator that overfits calls its training sequences more real
    than new ones from the same source. Members and non-members are
    subsampled to one count (the smaller set, at most `max_samples`).

    Args:
        members: array `(n, seq_len, features)` of training sequences, or a
            dict of arrays of `n` rows each (the discriminator's inputs:
            `sequences` and e.g. `labels`, `lengths`).
        non_members: the same for sequences never trained on.
        logit_fn: callable: a batch of rows of `members` (an array, or a
            dict of arrays) -> one logit per row, `(batch,)`, higher for
            "real" (e.g. the export's `discriminate` signature).
        max_samples: int. Most candidates drawn from each set.
        seed: int. Seed of the subsampling.
        batch_size: int. Rows per `logit_fn` call.

    Returns:
        `attack_metrics` of the logits.

    Example:

    >>> from keras_rgan.data import sine_waves
    >>> from keras_rgan.evaluation.neighbours import nearest_distances
    >>> data = sine_waves(400, 8, 2, seed=0)
    >>> members, non_members = data[:200], data[200:]
    >>> memorising = lambda x: -nearest_distances(x, members)
    >>> discriminator_attack(members, non_members, memorising)["auc"]
    1.0
    >>> blind = lambda x: x[:, -1, 0]
    >>> auc = discriminator_attack(members, non_members, blind)["auc"]
    >>> abs(auc - 0.5) < 0.1
    True
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size}.")
    members = _candidates(members, "members")
    non_members = _candidates(non_members, "non_members")
    _check_same_inputs(members, non_members)
    rng = as_rng(seed)
    count = _count(_rows(members), _rows(non_members), max_samples)
    scores = [
        _logits(
            _take(x, np.sort(subsample(np.arange(_rows(x)), count, rng))),
            logit_fn,
            batch_size,
        )
        for x in (members, non_members)
    ]
    return attack_metrics(*scores)


def _finite_scores(scores, name):
    scores = np.asarray(scores, np.float64)
    if scores.ndim != 1 or not len(scores):
        raise ValueError(
            f"{name} must be a non-empty 1-D array, got shape {scores.shape}."
        )
    if not np.isfinite(scores).all():
        raise ValueError(f"{name} holds NaN or inf.")
    return scores


def _check_same_shape(a, b, name):
    if a != b:
        raise ValueError(
            f"Members' {name} have shape {a} but non-members' {b}; they "
            "must match."
        )


def _count(num_members, num_non_members, max_samples):
    """Candidates drawn from each set: the smaller set's size, at most
    `max_samples`."""
    if max_samples < 1:
        raise ValueError(f"max_samples must be positive, got {max_samples}.")
    return min(num_members, num_non_members, max_samples)


def _candidates(x, name):
    """`x` as a checked array of sequences or a dict of equally long
    arrays."""
    if not isinstance(x, dict):
        return check_sequences(x, name)
    if not x:
        raise ValueError(f"{name} is an empty dict.")
    x = {key: np.asarray(value) for key, value in x.items()}
    rows = {key: len(value) if value.ndim else None for key, value in x.items()}
    if len(set(rows.values())) != 1 or not next(iter(rows.values())):
        raise ValueError(
            f"Every array of {name} needs the same number of rows, at least "
            f"one; got {rows}."
        )
    return x


def _check_same_inputs(members, non_members):
    if isinstance(members, dict) != isinstance(non_members, dict):
        raise ValueError("Members and non-members must both be dicts or not.")
    if not isinstance(members, dict):
        _check_same_shape(members.shape[1:], non_members.shape[1:], "shape")
        return
    if members.keys() != non_members.keys():
        raise ValueError(
            f"Members have inputs {sorted(members)} but non-members "
            f"{sorted(non_members)}; they must match."
        )
    for key in members:
        _check_same_shape(
            members[key].shape[1:], non_members[key].shape[1:], repr(key)
        )


def _rows(x):
    return len(next(iter(x.values()))) if isinstance(x, dict) else len(x)


def _take(x, index):
    if isinstance(x, dict):
        return {key: value[index] for key, value in x.items()}
    return x[index]


def _logits(x, logit_fn, batch_size):
    out = []
    for start in range(0, _rows(x), batch_size):
        batch = _take(x, slice(start, start + batch_size))
        logits = np.asarray(logit_fn(batch), np.float64)
        if logits.shape != (_rows(batch),):
            raise ValueError(
                f"logit_fn must return one logit per sequence, shape "
                f"({_rows(batch)},); got {logits.shape}."
            )
        out.append(logits)
    return np.concatenate(out)
