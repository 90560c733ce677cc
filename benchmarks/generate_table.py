"""Writing generated tables: sequences per second and peak memory of
`keras-rgan generate --output=FILE.parquet` (and `.csv`) as the count grows.

Trains a small RGAN for one epoch on a synthetic long-format table (a
timestamp, a number with missing cells, a count and a text category; the
model's speed is not the point), exports it, then runs
`keras-rgan generate --num_samples=N --output=x.parquet` in a fresh process
for each N and reports the process's wall time, sequences per second and
peak resident memory (goal: flat as N grows: the table is written in
chunks of `generate_lib.CHUNK_SEQUENCES` sequences).

    python benchmarks/generate_table.py             # 10k, 100k, 1M, 10M
    python benchmarks/generate_table.py --quick     # 10k, 100k
    python benchmarks/generate_table.py --formats=csv --counts=10000,1000000

Writes `benchmarks/results/generate_table.md` and `.json`.
"""

import json
import os
import subprocess
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
_QUICK = flags.DEFINE_bool("quick", False, "Only 10k and 100k sequences.")
_FORMATS = flags.DEFINE_list(
    "formats", ["parquet", "csv"], "Output formats to time."
)
_COUNTS = flags.DEFINE_list(
    "counts", None, "Sequence counts to time (default: by --quick)."
)


def table(num_sequences=300, seed=0):
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(num_sequences):
        x = np.cumsum(rng.normal(size=24))
        x[rng.random(24) < 0.05] = np.nan
        frames.append(
            pd.DataFrame(
                {
                    "id": f"s{i}",
                    "day": pd.date_range("2024-01-01", periods=24),
                    "x": x,
                    "count": rng.poisson(3, 24),
                    "state": rng.choice(["rest", "walk", "run"], 24),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def export(folder):
    import keras_rgan

    data = keras_rgan.data.from_dataframe(
        table(),
        seq_len=24,
        id_column="id",
        time_column="day",
        categorical=["state"],
        batch_size=64,
    )
    gan = keras_rgan.RGAN.for_data(data, seed=0, train_steps=4)
    gan.fit(data.dataset(), epochs=1, verbose=0)
    return keras_rgan.export_saved_model(
        gan, folder, feature_names=data.feature_names, warmup=False
    )


CHILD = """
import resource, sys
from keras_rgan import generate_lib
generate_lib.generate_to_file(sys.argv[1], int(sys.argv[2]), 0, sys.argv[3])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def run_generate(saved_model, count, output):
    """Wall seconds and peak RSS (MiB) of a fresh process doing what
    `keras-rgan generate` does."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", CHILD, saved_model, str(count), output],
        capture_output=True,
        text=True,
        env=env,
    )
    seconds = time.perf_counter() - start
    if result.returncode:
        raise RuntimeError(result.stderr[-2000:])
    return seconds, float(result.stdout.strip().splitlines()[-1])


def main(argv):
    del argv
    counts = [10_000, 100_000, 1_000_000, 10_000_000]
    if _QUICK.value:
        counts = counts[:2]
    if _COUNTS.value:
        counts = [int(count) for count in _COUNTS.value]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        saved_model = export(os.path.join(folder, "export"))
        for fmt in _FORMATS.value:
            for count in counts:
                output = os.path.join(folder, f"out_{count}.{fmt}")
                seconds, peak = run_generate(saved_model, count, output)
                size = os.path.getsize(output) / 2**20
                os.remove(output)
                rows.append(
                    {
                        "format": fmt,
                        "sequences": count,
                        "seconds": round(seconds, 1),
                        "sequences_per_s": round(count / seconds),
                        "peak_rss_mib": round(peak),
                        "file_mib": round(size, 1),
                    }
                )
                print(rows[-1], flush=True)
    describe = machine.describe()
    os.makedirs(RESULTS_DIR, exist_ok=True)
    with open(os.path.join(RESULTS_DIR, "generate_table.json"), "w") as f:
        json.dump({"machine": describe, "runs": rows}, f, indent=2)
    lines = [
        "# Writing generated tables",
        "",
        f"Measured by `benchmarks/generate_table.py` on {describe}. Each row "
        "is one fresh `keras-rgan generate` process (TensorFlow import and "
        "model load included) writing a long-format table of 24-step "
        "sequences (a timestamp, a number with missing cells, a count, a "
        "text category). Peak RSS is the process's (importing TensorFlow "
        "and loading the SavedModel set most of it); the table is written "
        "in chunks, so it should stay flat as the count grows. Sequences/s "
        "includes the process's start.",
        "",
        "| format | sequences | seconds | sequences/s | peak RSS MiB | "
        "file MiB |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['format']} | {row['sequences']:,} | {row['seconds']} | "
            f"{row['sequences_per_s']:,} | {row['peak_rss_mib']:,} | "
            f"{row['file_mib']} |"
        )
    with open(os.path.join(RESULTS_DIR, "generate_table.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    app.run(main)
