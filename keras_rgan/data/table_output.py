"""Generated sequences back into the user's table: long format, the
original column names and dtypes, ids, timestamps continuing the data's
own, categories as text and empty cells where a value was not observed.

Works from a served output dict and the schema's config (a plain dict, as
an export's metadata keeps it), so `keras-rgan generate` needs only
TensorFlow and pandas.
"""

import numpy as np
import pandas as pd

DEFAULT_ID = "sequence"
DEFAULT_TIME = "step"


def _times(time, lengths, rng):
    """Per sequence, its steps' times: a start drawn from the real starts,
    then the real spacing (a pandas frequency such as business days, a
    regular step, or gaps drawn from the real gaps)."""
    starts = rng.choice(np.asarray(time["starts"], np.float64), len(lengths))
    if time.get("frequency"):
        values = np.concatenate(
            [
                pd.date_range(
                    pd.Timestamp(int(start)),
                    periods=int(n),
                    freq=time["frequency"],
                ).asi8.astype(np.float64)
                for start, n in zip(starts, lengths)
            ]
            or [np.zeros(0)]
        )
    else:
        total = int(np.sum(lengths))
        if time.get("step") is not None:
            gaps = np.full(total, float(time["step"]))
        else:
            gaps = rng.choice(np.asarray(time["gaps"], np.float64), total)
        gaps[np.cumsum(lengths)[:-1]] = 0.0
        if total:
            gaps[0] = 0.0  # Each sequence starts at its start.
        values = _restart(gaps, lengths) + np.repeat(starts, lengths)
    if time["kind"] == "datetime":
        return pd.to_datetime(values.astype(np.int64))
    return values


def _restart(gaps, lengths):
    """Cumulative sums of `gaps` that restart at every sequence."""
    totals = np.cumsum(gaps)
    ends = np.cumsum(lengths)
    before = np.r_[0.0, totals[ends[:-1] - 1]] if len(ends) else np.zeros(0)
    return totals - np.repeat(before, lengths)


def outputs_to_frame(outputs, schema, feature_names, first_id=0, seed=0):
    """A long-format DataFrame of served outputs: one row per generated
    step within each sequence's length.

    Args:
        outputs: dict of NumPy arrays, as a serving signature returns them
            (`sequences`, `lengths`, and for tables the columns' own
            outputs and `observed`).
        schema: dict, a `TableSchema` config (or None for arrays).
        feature_names: list of str. Names of the numeric features.
        first_id: int. The first sequence's id (for output in chunks).
        seed: int. Seed of the drawn start times and gaps.

    Example:

    >>> outputs = {"sequences": np.arange(6.0).reshape(1, 3, 2),
    ...            "lengths": np.array([2])}
    >>> outputs_to_frame(outputs, None, ["a", "b"]).values.tolist()
    [[0.0, 0.0, 0.0, 1.0], [0.0, 1.0, 2.0, 3.0]]
    """
    sequences = np.asarray(outputs["sequences"])
    n, seq_len, _ = sequences.shape
    lengths = np.asarray(
        outputs.get("lengths", np.full(n, seq_len)), np.int64
    ).reshape(n)
    on = np.arange(seq_len)[None, :] < lengths[:, None]
    schema = schema or {}
    id_name = schema.get("id_column") or DEFAULT_ID
    time = schema.get("time")
    ids = np.repeat(np.arange(first_id, first_id + n), lengths)
    if schema.get("id_column") and time is None:
        ids = np.char.add("g", ids.astype(str))
    columns = {id_name: ids}
    if time is None:
        columns[DEFAULT_TIME] = np.nonzero(on)[1]
    else:
        rng = np.random.default_rng([seed, first_id])
        columns[time["column"]] = _times(time, lengths, rng)
    static = schema.get("static") or {}
    per_sequence = list(static.get("numeric", [])) + [
        name for name, _ in static.get("categorical", [])
    ]
    if schema.get("label"):
        per_sequence.append(schema["label"][0])
    for name in per_sequence:
        values = np.asarray(outputs[name])
        if values.dtype.kind in "SO":
            values = pd.array([v.decode() for v in values], dtype="string")
        columns[name] = np.repeat(np.asarray(values), lengths)
    numeric = schema.get("numeric") or list(feature_names)
    categorical = [name for name, _ in schema.get("categorical", [])]
    observed = outputs.get("observed")
    flags = None if observed is None else np.asarray(observed)[on]
    for k, name in enumerate(numeric):
        if name in schema.get("integer_grids", {}) and name in outputs:
            values = pd.array(np.asarray(outputs[name])[on], dtype="Int64")
        else:
            values = sequences[..., k][on].astype(np.float64)
        if flags is not None:
            values = pd.Series(values).where(flags[:, k]).array
        columns[name] = values
    for j, name in enumerate(categorical):
        text = np.asarray(outputs[name])[on]
        text = pd.array([t.decode() for t in text], dtype="string")
        if flags is not None:
            text = pd.Series(text).where(flags[:, len(numeric) + j]).array
        columns[name] = text
    return pd.DataFrame(columns)
