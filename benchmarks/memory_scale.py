"""Memory and scale: training from CSVs of 1M and 10M rows, streamed.

Writes CSV series of 1M and 10M rows (5 features), then for each trains the
default RGAN with `stream=True` (what `keras-rgan train --stream` does) in a
fresh process: the passes over the file (row count, min/max of the training
rows), then `--steps` training steps read from the file in chunks. Reports
each process's peak resident memory (goal: flat as the file grows), the
preparation time and training steps per second. For contrast, the 1M-row
file is also trained loaded whole (the default, in-memory path).

    python benchmarks/memory_scale.py            # 1M and 10M rows
    python benchmarks/memory_scale.py --quick    # 100k and 1M, under 1.5 min

`--quick` writes 100k- and 1M-row files, times 30 steps per run and skips
the loaded-whole contrast: two fresh processes instead of three.

Writes `benchmarks/results/memory_scale.md` and `.json`. The CSVs go to
`--data_dir` (default: a temporary folder; about 0.5 GB for 10M rows).
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np
from absl import app
from absl import flags

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import machine  # noqa: E402

RESULTS_DIR = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "results"
)
_QUICK = flags.DEFINE_bool(
    "quick",
    False,
    "Smaller files (100k and 1M rows), 30 steps, streamed runs only.",
)
_STEPS = flags.DEFINE_integer("steps", 200, "Training steps per run.")
_DATA_DIR = flags.DEFINE_string(
    "data_dir", None, "Where to write the CSV files."
)
_WORKER = flags.DEFINE_string(
    "worker", None, "Internal: run one measurement (JSON)."
)
_OUTPUT = flags.DEFINE_string(
    "output", os.path.join(RESULTS_DIR, "memory_scale"), "Output stem."
)


def write_csv(path, rows, chunk=1_000_000):
    """A 5-feature series of `rows` rows (sines plus noise), written in
    chunks."""
    rng = np.random.default_rng(0)
    with open(path, "w") as f:
        f.write("f0,f1,f2,f3,f4\n")
        for start in range(0, rows, chunk):
            t = np.arange(start, min(rows, start + chunk))[:, None]
            values = np.sin(
                t / np.array([5.0, 7.0, 11.0, 13.0, 17.0])
            ) + 0.1 * rng.normal(size=(len(t), 5))
            np.savetxt(f, values, fmt="%.4f", delimiter=",")
    return path


def worker(spec):
    """One measurement in this (fresh) process; prints a JSON line."""
    from keras_rgan import train_lib

    path, stream, steps = spec["path"], spec["stream"], spec["steps"]
    # One step per execution: the fits below run 10 and `steps` steps of
    # repeated data, which longer executions would overrun.
    config = train_lib.TrainConfig.from_options(
        dataset=f"csv:{path}", stream=stream, steps_per_execution=1, verbose=0
    )
    start = time.perf_counter()
    prepared = train_lib.prepare(config)
    prepare = time.perf_counter() - start
    data, model = prepared.data, prepared.model
    dataset = data.dataset()
    model.fit(
        dataset.repeat(), steps_per_epoch=10, epochs=1, verbose=0
    )  # warm-up
    start = time.perf_counter()
    model.fit(dataset.repeat(), steps_per_epoch=steps, epochs=1, verbose=0)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "prepare_s": prepare,
                "steps_per_s": steps / seconds,
                "peak_rss_mb": peak_mb,
                "training_windows": data.num_sequences,
            }
        )
    )


def measure(path, stream, steps):
    spec = json.dumps({"path": path, "stream": stream, "steps": steps})
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, os.path.abspath(__file__), f"--worker={spec}"],
        capture_output=True,
        text=True,
        env=env,
        timeout=3600,
    )
    process_s = round(time.perf_counter() - start, 1)  # Start to exit.
    if result.returncode:
        return {
            "error": result.stderr.strip().splitlines()[-1][:300],
            "process_s": process_s,
        }
    return dict(
        json.loads(result.stdout.strip().splitlines()[-1]), process_s=process_s
    )


def main(argv):
    del argv
    if _WORKER.value:
        worker(json.loads(_WORKER.value))
        return
    sizes = [100_000, 1_000_000] if _QUICK.value else [1_000_000, 10_000_000]
    steps = 30 if _QUICK.value else _STEPS.value
    folder = _DATA_DIR.value or tempfile.mkdtemp()
    runs = []
    for rows in sizes:
        path = os.path.join(folder, f"series_{rows}.csv")
        if not os.path.exists(path):
            start = time.perf_counter()
            write_csv(path, rows)
            print(
                f"wrote {path} ({os.path.getsize(path) / 2**20:.0f} MB) in "
                f"{time.perf_counter() - start:.0f} s",
                flush=True,
            )
        # The loaded-whole contrast: the smallest file, full runs only.
        contrast = rows == sizes[0] and not _QUICK.value
        modes = [True, False] if contrast else [True]
        for stream in modes:
            run = {
                "rows": rows,
                "file_mb": os.path.getsize(path) / 2**20,
                "mode": "streamed" if stream else "loaded whole",
                **measure(path, stream, steps),
            }
            print(json.dumps(run), flush=True)
            runs.append(run)
    quick_flag = " --quick" if _QUICK.value else ""
    lines = [
        "# Memory and scale: CSV training data streamed through tf.data",
        "",
        f"Measured by `benchmarks/memory_scale.py{quick_flag}` on "
        f"{machine.describe()}, {machine.today()}. Default RGAN recipe, batch "
        f"128, 24-step windows of a 5-feature series; {steps} timed training "
        "steps per run, each run in a fresh process. `prepare` is the time "
        "before training (reading, or for streamed files the passes that "
        "count rows and fit the scaler)."
        + (
            " Quick run: streamed files only (no loaded-whole contrast)."
            if _QUICK.value
            else ""
        ),
        "",
        "| rows | file MB | mode | prepare s | steps/s | peak RSS MB |",
        "|---|---|---|---|---|---|",
    ]
    for run in runs:
        if "error" in run:
            lines.append(
                f"| {run['rows']:,} | {run['file_mb']:.0f} | {run['mode']} | "
                f"failed: {run['error']} | | |"
            )
            continue
        lines.append(
            f"| {run['rows']:,} | {run['file_mb']:.0f} | {run['mode']} | "
            f"{run['prepare_s']:.1f} | {run['steps_per_s']:.1f} | "
            f"{run['peak_rss_mb']:.0f} |"
        )
    streamed = [r for r in runs if r["mode"] == "streamed" and "error" not in r]
    if len(streamed) == 2:
        ratio = streamed[1]["peak_rss_mb"] / streamed[0]["peak_rss_mb"]
        lines += [
            "",
            f"Peak RSS, streamed, {streamed[1]['rows']:,} rows / "
            f"{streamed[0]['rows']:,} rows: {ratio:.2f}x (goal: about 1).",
        ]
    machine.write_results(_OUTPUT.value, lines, {"runs": runs})


if __name__ == "__main__":
    app.run(main)
