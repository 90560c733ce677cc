"""Runs every performance benchmark and prints their figures and ratios.

    python benchmarks/run_all.py --quick   # under 10 minutes on a 2-core CPU
    python benchmarks/run_all.py           # the full runs behind results/

Each benchmark runs in its own process (one after another, so they do not
share the CPU) and writes its `benchmarks/results/<name>.md`; this script
prints them and how long each took. A benchmark that fails is reported and
the others still run. `--quick` runs write their results to
`benchmarks/results/quick/` so they never replace the committed full runs.
"""

import os
import subprocess
import sys
import time

from absl import app
from absl import flags

HERE = os.path.dirname(os.path.abspath(__file__))
BENCHMARKS = [
    "train_step",
    "fused_lstm",
    "generation",
    "memory_scale",
    "peers",
    "time_to_quality",
]

_QUICK = flags.DEFINE_bool(
    "quick", False, "Small budgets (under 10 minutes in all)."
)
_ONLY = flags.DEFINE_list("only", BENCHMARKS, "Benchmarks to run.")


def main(argv):
    del argv
    unknown = set(_ONLY.value) - set(BENCHMARKS)
    if unknown:
        raise app.UsageError(
            f"Unknown benchmarks {sorted(unknown)}; known: {BENCHMARKS}."
        )
    results = os.path.join(HERE, "results", "quick" if _QUICK.value else "")
    os.makedirs(results, exist_ok=True)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    summary = []
    start_all = time.perf_counter()
    for name in _ONLY.value:
        command = [sys.executable, os.path.join(HERE, f"{name}.py")]
        if _QUICK.value:
            command.append("--quick")
        if name != "time_to_quality":
            command.append(f"--output={os.path.join(results, name)}")
        print(f"=== {name}: {' '.join(command[1:])}", flush=True)
        start = time.perf_counter()
        result = subprocess.run(
            command, env=env, capture_output=True, text=True
        )
        seconds = time.perf_counter() - start
        if result.returncode:
            print(result.stderr[-3000:])
            summary.append(
                f"{name}: FAILED after {seconds:.0f} s (exit {result.returncode})"
            )
            continue
        markdown = os.path.join(results, f"{name}.md")
        if name == "time_to_quality" and _QUICK.value:
            print(result.stdout)
        elif os.path.exists(markdown):
            print(open(markdown).read())
        summary.append(f"{name}: {seconds:.0f} s")
    total = time.perf_counter() - start_all
    print("=== summary")
    print("\n".join(summary))
    print(f"total: {total / 60:.1f} min")
    if any("FAILED" in line for line in summary):
        sys.exit(1)


if __name__ == "__main__":
    app.run(main)
