"""Memory and scale: the CSV reader, and training streamed from CSV and
Parquet files of 1M and 10M rows against training in memory.

Writes a 6-feature series (sines plus noise) of 1M and 10M rows as CSV and
as Parquet, then measures, each in a fresh process:

- the in-memory reader: `keras_rgan.data.readers.read_csv` on the 1M-row
  CSV, its peak resident memory above the process's just before the read
  (the kernel's peak, `VmHWM`, reset through `/proc/self/clear_refs`)
  against the float32 array it returns (goal: at most 3x);
- training streamed (`stream=True`, what `keras-rgan train --stream` does)
  from each file: the passes before training (row count, min/max of the
  training rows), then `--steps` steps read from the file in chunks; the
  process's peak resident memory (goal: flat as the file grows 10x);
- training in memory (the default path) from the 1M-row CSV, the
  contrast: streamed steps/s over in-memory steps/s (goal: at least 0.8).

Each training run also records its CPU time per step and times its input
pipeline alone (batches/s of `data.dataset()` without the model), which
show whether input bounds it. The runs are interleaved in `--rounds` rounds
and the ratios are medians of per-round ratios, since other jobs may share
the CPU; the CPU other processes took during each run is recorded
(`others_cores`). `--report_from=JSON` rewrites the results of a run.

    python benchmarks/memory_scale.py            # 1M and 10M rows, 3 rounds
    python benchmarks/memory_scale.py --quick    # 100k and 1M, about 2 min

`--quick` streams 100k- and 1M-row files (in memory: the 100k one), 50
steps per run, one round; the reader is still measured on 1M rows.

Writes `benchmarks/results/memory_scale.md` and `.json`. The files go to
`--data_dir` (default: a temporary folder; about 0.6 GB for 10M rows).
"""

import inspect
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
COLUMNS = [f"f{k}" for k in range(6)]
LABELS = {"csv": "CSV", "parquet": "Parquet"}
READER_ROWS = 1_000_000
_QUICK = flags.DEFINE_bool(
    "quick",
    False,
    "Smaller files (100k and 1M rows), 50 steps, one round.",
)
_STEPS = flags.DEFINE_integer("steps", 200, "Timed training steps per run.")
_ROUNDS = flags.DEFINE_integer("rounds", 3, "Rounds of interleaved runs.")
_DATA_DIR = flags.DEFINE_string(
    "data_dir", None, "Where to write the CSV and Parquet files."
)
_WORKER = flags.DEFINE_string(
    "worker", None, "Internal: run one measurement (JSON)."
)
_REPORT_FROM = flags.DEFINE_string(
    "report_from",
    None,
    "Rewrite the results from this JSON of an earlier run (no measuring).",
)
_OUTPUT = flags.DEFINE_string(
    "output", os.path.join(RESULTS_DIR, "memory_scale"), "Output stem."
)


def write_series(folder, rows, chunk=1_000_000):
    """`series_<rows>.csv` and `.parquet`: 6 features (sines plus noise,
    4 decimals), written in chunks; existing files are kept."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    paths = {
        kind: os.path.join(folder, f"series_{rows}.{kind}")
        for kind in ("csv", "parquet")
    }
    if all(os.path.exists(path) for path in paths.values()):
        return paths
    start = time.perf_counter()
    rng = np.random.default_rng(0)
    periods = np.array([5.0, 7.0, 11.0, 13.0, 17.0, 19.0])
    schema = pa.schema([(name, pa.float64()) for name in COLUMNS])
    with (
        pa_csv.CSVWriter(
            paths["csv"],
            schema,
            write_options=pa_csv.WriteOptions(quoting_style="none"),
        ) as csv_writer,
        pq.ParquetWriter(paths["parquet"], schema) as parquet_writer,
    ):
        for first in range(0, rows, chunk):
            t = np.arange(first, min(rows, first + chunk))[:, None]
            noise = 0.1 * rng.normal(size=(len(t), len(COLUMNS)))
            values = (np.sin(t / periods) + noise).round(4)
            table = pa.table(dict(zip(COLUMNS, values.T)), schema=schema)
            csv_writer.write_table(table)
            parquet_writer.write_table(table)
    sizes = ", ".join(
        f"{os.path.getsize(p) / 2**20:.0f} MB" for p in paths.values()
    )
    print(
        f"wrote {rows:,} rows as CSV and Parquet ({sizes}) in "
        f"{time.perf_counter() - start:.0f} s",
        flush=True,
    )
    return paths


def _status_mb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise OSError(f"no {field} in /proc/self/status")


def reader_worker(spec):
    """The in-memory reader's peak memory above the process's before."""
    import gc

    from keras_rgan.data import readers

    gc.collect()
    before = _status_mb("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # Resets VmHWM, the peak, to the current RSS.
    start = time.perf_counter()
    values, names = readers.read_csv(spec["path"])
    seconds = time.perf_counter() - start
    peak = _status_mb("VmHWM")
    array_mb = values.astype(np.float32).nbytes / 2**20
    old = "csv.reader(" in inspect.getsource(readers)
    print(
        json.dumps(
            {
                "reader": "csv-module reader (old)" if old else "new reader",
                "shape": list(values.shape),
                "dtype": str(values.dtype),
                "read_s": seconds,
                "rss_before_mb": before,
                "peak_increase_mb": peak - before,
                "float32_array_mb": array_mb,
                "ratio": (peak - before) / array_mb,
            }
        )
    )


def train_worker(spec):
    """Streamed or in-memory training steps/s and peak memory."""
    from keras_rgan import train_lib

    steps = spec["steps"]
    # One step per execution: the fits below run 10 and `steps` steps of
    # repeated data, which longer executions would overrun.
    config = train_lib.TrainConfig.from_options(
        dataset=spec["dataset"],
        stream=spec["stream"],
        steps_per_execution=1,
        verbose=0,
    )
    rss_before = _status_mb("VmRSS")
    start = time.perf_counter()
    prepared = train_lib.prepare(config)
    prepare = time.perf_counter() - start
    data, model = prepared.data, prepared.model
    dataset = data.dataset()
    model.fit(
        dataset.repeat(), steps_per_epoch=10, epochs=1, verbose=0
    )  # warm-up
    start, cpu = time.perf_counter(), _self_s()
    model.fit(dataset.repeat(), steps_per_epoch=steps, epochs=1, verbose=0)
    seconds, cpu = time.perf_counter() - start, _self_s() - cpu
    # The input pipeline alone, as fast as it goes.
    batches = iter(data.dataset().repeat())
    next(batches)
    start = time.perf_counter()
    for _ in range(spec["input_batches"]):
        next(batches)
    input_s = time.perf_counter() - start
    print(
        json.dumps(
            {
                "prepare_s": prepare,
                "steps_per_s": steps / seconds,
                "cpu_ms_per_step": 1000 * cpu / steps,
                "input_batches_per_s": spec["input_batches"] / input_s,
                "rss_before_prepare_mb": rss_before,
                "peak_rss_mb": resource.getrusage(
                    resource.RUSAGE_SELF
                ).ru_maxrss
                / 1024,
                "training_windows": data.num_sequences,
            }
        )
    )


def _busy_s():
    """CPU seconds every process on the machine has used (/proc/stat)."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    busy = sum(fields) - fields[3] - fields[4]  # all but idle and iowait
    return busy / os.sysconf("SC_CLK_TCK")


def _children_s():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _self_s():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(spec):
    """Runs one worker in a fresh process; its JSON result, with its wall
    time and the CPU other processes used meanwhile (in cores)."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    start, busy, ours = time.perf_counter(), _busy_s(), _children_s()
    result = subprocess.run(
        [
            sys.executable,
            os.path.abspath(__file__),
            f"--worker={json.dumps(spec)}",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=3600,
    )
    wall = time.perf_counter() - start
    others = (_busy_s() - busy - (_children_s() - ours)) / wall
    timing = {"process_s": round(wall, 1), "others_cores": round(others, 2)}
    if result.returncode:
        return {
            "error": result.stderr.strip().splitlines()[-1][:300],
            **timing,
        }
    return {**json.loads(result.stdout.strip().splitlines()[-1]), **timing}


def _median(runs, key):
    values = [run[key] for run in runs if key in run]
    return float(np.median(values)) if values else None


def _fmt(value, digits=1):
    return "n/a" if value is None else f"{value:,.{digits}f}"


def configs(sizes):
    """The training runs of one round: `(mode, format, rows)`."""
    return [("in memory", "csv", sizes[0])] + [
        ("streamed", kind, rows)
        for rows in sizes
        for kind in ("csv", "parquet")
    ]


def run_all(quick, folder):
    """Every measurement; the JSON payload of the results."""
    sizes = [100_000, 1_000_000] if quick else [1_000_000, 10_000_000]
    steps = 50 if quick else _STEPS.value
    rounds = 1 if quick else _ROUNDS.value
    files = {rows: write_series(folder, rows) for rows in {*sizes, READER_ROWS}}
    reader_csv = files[READER_ROWS]["csv"]
    reader = {
        "rows": READER_ROWS,
        "file_mb": os.path.getsize(reader_csv) / 2**20,
        **measure({"kind": "reader", "path": reader_csv}),
    }
    print(json.dumps(reader), flush=True)
    runs = []
    for round_ in range(rounds):
        for mode, kind, rows in configs(sizes):
            spec = {
                "kind": "train",
                "dataset": f"{kind}:{files[rows][kind]}",
                "stream": mode == "streamed",
                "steps": steps,
                "input_batches": 300 if quick else 1000,
            }
            run = {
                "round": round_,
                "mode": mode,
                "format": kind,
                "rows": rows,
                "file_mb": os.path.getsize(files[rows][kind]) / 2**20,
                **measure(spec),
            }
            print(json.dumps(run), flush=True)
            runs.append(run)
    payload = {
        "quick": quick,
        "sizes": sizes,
        "steps": steps,
        "rounds": rounds,
        "reader": reader,
        "runs": runs,
    }
    return {**payload, **summary(payload)}


def _runs_of(runs, mode, kind, rows):
    return [
        r
        for r in runs
        if (r["mode"], r["format"], r["rows"]) == (mode, kind, rows)
        and "error" not in r
    ]


def summary(payload):
    """The ratios against the goals, and the other processes' CPU use."""
    runs, sizes = payload["runs"], payload["sizes"]
    in_memory = _runs_of(runs, "in memory", "csv", sizes[0])
    ratios, per_round = {}, {}
    by_round = {r["round"]: r for r in in_memory}
    for kind in ("csv", "parquet"):
        streamed = [
            s
            for s in _runs_of(runs, "streamed", kind, sizes[0])
            if s["round"] in by_round
        ]
        # Steps/s, and steps per CPU second (which other jobs on the CPU
        # affect less): streamed over in memory, round by round.
        for key, field, power in (
            (f"steps_streamed_{kind}_over_in_memory", "steps_per_s", 1),
            (
                f"steps_per_cpu_s_streamed_{kind}_over_in_memory",
                "cpu_ms_per_step",
                -1,
            ),
        ):
            per_round[key] = [
                (s[field] / m[field]) ** power
                for s in streamed
                for m in [by_round[s["round"]]]
                if field in s and field in m
            ]
            if per_round[key]:
                ratios[key] = float(np.median(per_round[key]))
        small, large = (
            _median(_runs_of(runs, "streamed", kind, rows), "peak_rss_mb")
            for rows in sizes
        )
        if small and large:
            ratios[f"peak_rss_streamed_{kind}_large_over_small"] = large / small
    return {
        "ratios": ratios,
        "per_round_ratios": per_round,
        "others_cores_median": _median(
            runs + [payload["reader"]], "others_cores"
        ),
    }


def report(payload):
    """The markdown lines of the results."""
    sizes, reader = payload["sizes"], payload["reader"]
    ratios, others = payload["ratios"], payload["others_cores_median"]
    flag = " --quick" if payload["quick"] else ""
    lines = [
        "# Memory and scale: the CSV reader, streamed and in-memory training",
        "",
        f"Measured by `benchmarks/memory_scale.py{flag}` on this machine: "
        f"{payload['machine']}, {payload['date']}. The CPU was "
        + (
            f"shared: other processes used a median {others:.2f} cores of "
            "its 2 during the runs (`others_cores` per run in the JSON), so "
            "absolute steps/s are lower and noisier than on an idle machine; "
            "compare the side-by-side ratios."
            if others is not None and others >= 0.1
            else "not noticeably shared (other processes used under 0.1 cores)."
        ),
        "",
        "## The in-memory CSV reader",
        "",
        f"`keras_rgan.data.readers.read_csv` ({reader.get('reader', '?')}) "
        f"on a {reader['rows']:,}-row, {len(COLUMNS)}-column CSV "
        f"({reader['file_mb']:.0f} MB), in a fresh process: peak resident "
        "memory above the process's just before the read, against the "
        "float32 array it returns.",
        "",
    ]
    if "error" in reader:
        lines.append(f"Failed: {reader['error']}")
    else:
        lines.append(
            f"Read in {reader['read_s']:.1f} s; peak +"
            f"{reader['peak_increase_mb']:.0f} MB for a "
            f"{reader['float32_array_mb']:.0f} MB float32 array: "
            f"**{reader['ratio']:.1f}x** (goal: at most 3x)."
        )
    lines += [
        "",
        "## Training, streamed against in memory",
        "",
        f"Default RGAN recipe, batch 128, 24-step windows of a "
        f"{len(COLUMNS)}-feature series; {payload['steps']} timed training "
        "steps per run (after 10 warm-up steps), each run in a fresh "
        f"process, {payload['rounds']} round(s) of the runs interleaved; "
        "medians. `prepare` is the time before training (reading the file, "
        "or for streamed files the passes that count rows and fit the "
        "scaler, plus building the model); `CPU ms/step` is the process's "
        "CPU time per timed step; `input batches/s` is the input "
        "pipeline alone (`data.dataset()` without the model); `others` is "
        "the CPU other processes used meanwhile, in cores.",
        "",
        "| rows | format | file MB | mode | prepare s | steps/s | "
        "CPU ms/step | input batches/s | peak RSS MB | others |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for mode, kind, rows in configs(sizes):
        ok = _runs_of(payload["runs"], mode, kind, rows)
        if not ok:
            errors = [
                r.get("error", "")
                for r in payload["runs"]
                if (r["mode"], r["format"], r["rows"]) == (mode, kind, rows)
            ]
            lines.append(
                f"| {rows:,} | {kind} | | {mode} | failed: "
                f"{errors[0] if errors else ''} | | | | | |"
            )
            continue
        lines.append(
            f"| {rows:,} | {kind} | {ok[0]['file_mb']:.0f} | {mode} | "
            f"{_fmt(_median(ok, 'prepare_s'))} | "
            f"{_fmt(_median(ok, 'steps_per_s'))} | "
            f"{_fmt(_median(ok, 'cpu_ms_per_step'))} | "
            f"{_fmt(_median(ok, 'input_batches_per_s'), 0)} | "
            f"{_fmt(_median(ok, 'peak_rss_mb'), 0)} | "
            f"{_fmt(_median(ok, 'others_cores'), 2)} |"
        )
    lines.append("")
    for kind in ("csv", "parquet"):
        key = f"steps_streamed_{kind}_over_in_memory"
        if key in ratios:
            rounds = ", ".join(
                f"{r:.2f}" for r in payload["per_round_ratios"][key]
            )
            lines.append(
                f"- Steps/s streamed from {LABELS[kind]} over in memory "
                f"({sizes[0]:,} rows, median of the per-round ratios "
                f"{rounds}): **{ratios[key]:.2f}x** (goal: at least 0.8)."
            )
        key = f"steps_per_cpu_s_streamed_{kind}_over_in_memory"
        if key in ratios:
            lines.append(
                f"- Steps per CPU second streamed from {LABELS[kind]} over "
                f"in memory (the same, less sensitive to other jobs): "
                f"**{ratios[key]:.2f}x**."
            )
    for kind in ("csv", "parquet"):
        key = f"peak_rss_streamed_{kind}_large_over_small"
        if key in ratios:
            lines.append(
                f"- Peak RSS streamed from {LABELS[kind]}, "
                f"{sizes[1]:,} rows over {sizes[0]:,}: "
                f"**{ratios[key]:.2f}x** (goal: about 1)."
            )
    return lines


def main(argv):
    del argv
    if _WORKER.value:
        spec = json.loads(_WORKER.value)
        (reader_worker if spec["kind"] == "reader" else train_worker)(spec)
        return
    if _REPORT_FROM.value:
        with open(_REPORT_FROM.value) as f:
            payload = json.load(f)
        payload.update(summary(payload))
    else:
        payload = run_all(_QUICK.value, _DATA_DIR.value or tempfile.mkdtemp())
        payload.update(machine=machine.describe(), date=machine.today())
    machine.write_results(_OUTPUT.value, report(payload), payload)


if __name__ == "__main__":
    app.run(main)
