"""What a model learns of a user's table: missing cells, category shares
and the attribute-to-sequence relation, real against generated.

Two synthetic tables, built here (no downloads), each trained with
`keras-rgan train`'s defaults (the RGAN recipe and its step budget) on this
machine, then 2,000 sequences generated with `generate_dataframe`:

- `series`: one daily series of 3,000 steps, 3 features, 5% of the cells
  missing in blocks (a sensor drops out for 3 to 8 days; some days every
  column is empty together);
- `visits`: 400 patients, 20 to 40 daily steps each, a heart rate (higher
  for the older group, and when running), a text activity category per
  step (shares depend on the age group), and two static attributes: an age
  group (categorical) and a weight (whole kilograms).

Reports the share of missing cells per column, the share of each category,
the share of steps where every column is missing together, and the mean
heart rate and the activity shares per age group, real against generated.

    python benchmarks/tables_quality.py [--tables=series,visits]
        [--seeds=0,1,2] [--epochs=N]

Each training seed is one run. Runs are merged into
`benchmarks/results/tables_quality.json` (a run of the same table and seed
replaces the old one, so tables and seeds can run in separate processes),
and `tables_quality.md` is written from every run there: per figure, the
real value and the mean and spread of the generated one over seeds.
"""

import json
import os
import sys
import tempfile
import time

import numpy as np
import pandas as pd
from absl import app
from absl import flags

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import machine  # noqa: E402

RESULTS_DIR = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "results"
)
_TABLES = flags.DEFINE_list("tables", ["series", "visits"], "Tables to run.")
_SEEDS = flags.DEFINE_list("seeds", ["0"], "Training seeds, one run each.")
_EPOCHS = flags.DEFINE_integer(
    "epochs", None, "Training epochs (default: the recipe's step budget)."
)
NUM_GENERATED = 2_000


def series_table(seed=0):
    rng = np.random.default_rng(seed)
    steps = 3_000
    t = np.arange(steps)
    frame = pd.DataFrame(
        {
            "date": pd.date_range("2015-01-01", periods=steps),
            "temperature": 15
            + 8 * np.sin(2 * np.pi * t / 365)
            + rng.normal(0, 1, steps),
            "humidity": 60
            + np.cumsum(rng.normal(0, 0.5, steps)) * 0.1
            + rng.normal(0, 2, steps),
            "pressure": 1013 + rng.normal(0, 3, steps),
        }
    )
    columns = ["temperature", "humidity", "pressure"]
    # Dropouts of one sensor for 3 to 8 days, and days with nothing at all.
    while frame[columns].isna().to_numpy().mean() < 0.04:
        start, length = rng.integers(0, steps - 8), rng.integers(3, 9)
        frame.loc[start : start + length - 1, rng.choice(columns)] = np.nan
    for day in rng.choice(steps, int(0.01 * steps), replace=False):
        frame.loc[day, columns] = np.nan
    roles = dict(time_column="date")
    return frame, roles, columns


def visits_table(seed=0):
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(400):
        length = int(rng.integers(20, 41))
        old = rng.random() < 0.4
        shares = [0.3, 0.5, 0.2] if not old else [0.6, 0.35, 0.05]
        activity = rng.choice(["rest", "walk", "run"], length, p=shares)
        rate = (
            (78 if old else 68)
            + np.select([activity == "walk", activity == "run"], [10, 30], 0)
            + rng.normal(0, 3, length)
        )
        rate[rng.random(length) < 0.05] = np.nan
        frames.append(
            pd.DataFrame(
                {
                    "patient": f"p{i}",
                    "day": pd.date_range("2024-01-01", periods=length)
                    + pd.Timedelta(days=int(rng.integers(0, 60))),
                    "heart_rate": rate,
                    "activity": activity,
                    "age_group": "60+" if old else "<60",
                    "weight": int(rng.integers(50, 100)),
                }
            )
        )
    roles = dict(
        id_column="patient",
        time_column="day",
        categorical_columns=["activity"],
        static_columns=["age_group", "weight"],
    )
    return pd.concat(frames, ignore_index=True), roles, ["heart_rate"]


TABLES = {"series": series_table, "visits": visits_table}


def describe_table(frame, columns, categorical=(), group=None):
    """The figures compared: missing shares, all-missing steps, category
    shares and, with `group`, per-group means and shares."""
    figures = {
        f"missing share {c}": float(frame[c].isna().mean())
        for c in columns + list(categorical)
    }
    figures["steps with every column missing"] = float(
        frame[columns + list(categorical)].isna().all(axis=1).mean()
    )
    for c in categorical:
        shares = frame[c].value_counts(normalize=True)
        for name, share in shares.items():
            figures[f"share {c}={name}"] = float(share)
    if group:
        for value, part in frame.groupby(group):
            figures[f"mean heart_rate given {group}={value}"] = float(
                part["heart_rate"].mean()
            )
            shares = part["activity"].value_counts(normalize=True)
            for name, share in shares.items():
                figures[f"share activity={name} given {group}={value}"] = float(
                    share
                )
            figures[f"share of sequences {group}={value}"] = float(
                part["patient"].nunique() / frame["patient"].nunique()
            )
    return figures


def run(name, folder, seed):
    import keras_rgan
    from keras_rgan import config as config_lib
    from keras_rgan import train_lib

    frame, roles, columns = TABLES[name]()
    path = os.path.join(folder, f"{name}.parquet")
    frame.to_parquet(path)
    options = dict(
        dataset=f"parquet:{path}",
        export_dir=os.path.join(folder, f"{name}_{seed}"),
        seed=seed,
    )
    if _EPOCHS.value:
        options["epochs"] = _EPOCHS.value
    config = config_lib.TrainConfig.from_options(**options, **roles, verbose=0)
    start = time.perf_counter()
    result = train_lib.train(config)
    seconds = time.perf_counter() - start
    generated = result.model.generate_dataframe(NUM_GENERATED, seed=0)
    categorical = roles.get("categorical_columns", [])
    group = "age_group" if "static_columns" in roles else None
    real = describe_table(frame, columns, categorical, group)
    fake = describe_table(generated, columns, categorical, group)
    del keras_rgan
    return {
        "table": name,
        "seed": seed,
        "train_steps": int(
            result.history.params["steps"] * result.history.params["epochs"]
        ),
        "training_seconds": round(seconds, 1),
        "figures": [
            {"figure": key, "real": real[key], "generated": fake.get(key)}
            for key in real
        ],
    }


def merged_runs(new_runs):
    """The runs already recorded, with `new_runs` replacing any of the same
    table and seed."""
    path = os.path.join(RESULTS_DIR, "tables_quality.json")
    old = []
    if os.path.exists(path):
        with open(path) as f:
            old = json.load(f)["runs"]
    fresh = {(r["table"], r["seed"]) for r in new_runs}
    kept = [r for r in old if (r["table"], r.get("seed", 0)) not in fresh]
    return sorted(kept + new_runs, key=lambda r: (r["table"], r["seed"]))


def report(runs, describe):
    lines = [
        "# What a model learns of a table",
        "",
        f"Measured by `benchmarks/tables_quality.py` on {describe}: each "
        "table trained with `keras-rgan train`'s defaults (RGAN recipe) "
        "once per training seed, then "
        f"{NUM_GENERATED:,} sequences generated with `generate_dataframe`; "
        "shares are of steps (rows), means over observed values. "
        "`generated` is the mean over seeds (± their standard deviation); "
        "`diff` is that mean minus real, in percentage points for shares.",
    ]
    for table in sorted({r["table"] for r in runs}):
        group = [r for r in runs if r["table"] == table]
        seconds = np.mean([r["training_seconds"] for r in group])
        lines += [
            "",
            f"## {table}: {group[0]['train_steps']:,} steps, seeds "
            f"{', '.join(str(r['seed']) for r in group)}, "
            f"{seconds:,.0f} s of training per seed",
            "",
            "| figure | real | generated | diff |",
            "|---|---|---|---|",
        ]
        for row in group[0]["figures"]:
            real = row["real"]
            values = [
                {f["figure"]: f["generated"] for f in r["figures"]}.get(
                    row["figure"]
                )
                for r in group
            ]
            if any(v is None for v in values):
                lines.append(f"| {row['figure']} | {real:.3f} | absent | |")
                continue
            share = not row["figure"].startswith("mean")
            scale, unit = (100, " pp") if share else (1, "")
            fake = float(np.mean(values))
            spread = f" ± {np.std(values):.3f}" if len(values) > 1 else ""
            lines.append(
                f"| {row['figure']} | {real:.3f} | {fake:.3f}{spread} | "
                f"{(fake - real) * scale:+.1f}{unit} |"
            )
    return "\n".join(lines) + "\n"


def main(argv):
    del argv
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for name in _TABLES.value:
            for seed in _SEEDS.value:
                results.append(run(name, folder, int(seed)))
                print(json.dumps(results[-1], indent=1), flush=True)
    describe = machine.describe()
    runs = merged_runs(results)
    os.makedirs(RESULTS_DIR, exist_ok=True)
    with open(os.path.join(RESULTS_DIR, "tables_quality.json"), "w") as f:
        json.dump({"machine": describe, "runs": runs}, f, indent=2)
    with open(os.path.join(RESULTS_DIR, "tables_quality.md"), "w") as f:
        f.write(report(runs, describe))


if __name__ == "__main__":
    app.run(main)
