"""Runs every performance benchmark and prints their figures and ratios.

    python benchmarks/setup_peers.py       # once per machine: the peer venvs
    python benchmarks/run_all.py --quick   # under 10 minutes on a 2-core CPU
    python benchmarks/run_all.py           # the full runs behind results/

Each benchmark runs in its own process (one after another, so they do not
share the CPU) and writes its `benchmarks/results/<name>.md`; this script
prints them, each one's wall time as it ends, and a summary against the time
budget. A benchmark that fails is reported and the others still run.
`--quick` runs write their results to `benchmarks/results/quick/` so they
never replace the committed full runs.

Nothing is installed here: `peers` uses the peer venvs that
`benchmarks/setup_peers.py` built beforehand, in its own step, and skips a
peer whose venv is missing with a line saying how to build it.

`--quick` budget: 10 minutes on any 2-core machine of ours, fresh or not
(once the peer venvs are built). Its sizes are set so that it takes about
5.5 minutes on the 2-core Xeon that sized it, measured while other jobs
shared its CPU (`QUICK_PLAN_S`, per benchmark), leaving room for a CPU 1.5x
slower.
"""

import os
import subprocess
import sys
import time

from absl import app
from absl import flags

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import setup_peers  # noqa: E402  (benchmarks/setup_peers.py)

BENCHMARKS = [
    "train_step",
    "fused_lstm",
    "generation",
    "memory_scale",
    "peers",
    "time_to_quality",
]
# --quick: the whole run must stay under this on any 2-core machine ...
QUICK_BUDGET_S = 600
# ... and each benchmark's --quick run is sized to about this many seconds
# (process start and TensorFlow import included) on the 2-core Xeon that
# sized them, with other jobs' tests sharing its CPU: 5.5 minutes in all.
QUICK_PLAN_S = {
    "train_step": 75,
    "fused_lstm": 20,
    "generation": 15,
    "memory_scale": 125,
    "peers": 145,
    "time_to_quality": 5,
}

_QUICK = flags.DEFINE_bool(
    "quick",
    False,
    f"Small budgets (under {QUICK_BUDGET_S // 60} minutes in all on a 2-core "
    "CPU, peer venvs built beforehand).",
)
_ONLY = flags.DEFINE_list("only", BENCHMARKS, "Benchmarks to run.")


def check_peer_venvs(quick):
    """Prints which peer venvs `peers` will use and which it will skip."""
    for name in setup_peers.PEERS:
        if quick and name not in setup_peers.QUICK_PEERS:
            print(f"[{name}] not in --quick (full runs only)")
            continue
        record = setup_peers.status(name, setup_peers.DEFAULT_VENV_DIR)
        if record["status"] == "ready":
            print(f"[{name}] peer venv ready: {record['venv']}")
        else:
            print(setup_peers.skip_line(name, record))


def minutes(seconds):
    return f"{seconds / 60:.1f} min"


def main(argv):
    del argv
    unknown = set(_ONLY.value) - set(BENCHMARKS)
    if unknown:
        raise app.UsageError(
            f"Unknown benchmarks {sorted(unknown)}; known: {BENCHMARKS}."
        )
    quick = _QUICK.value
    results = os.path.join(HERE, "results", "quick" if quick else "")
    os.makedirs(results, exist_ok=True)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    if quick:
        plan = sum(QUICK_PLAN_S[name] for name in _ONLY.value)
        print(
            f"--quick: budget {minutes(QUICK_BUDGET_S)} on any 2-core "
            f"machine; planned {minutes(plan)} for "
            f"{', '.join(_ONLY.value)} on the 2-core Xeon that sized it "
            "(slower or busy CPUs take longer).",
            flush=True,
        )
    if "peers" in _ONLY.value:
        check_peer_venvs(quick)
    summary = []
    failed = False
    start_all = time.perf_counter()
    for name in _ONLY.value:
        command = [sys.executable, os.path.join(HERE, f"{name}.py")]
        if quick:
            command.append("--quick")
        if name != "time_to_quality":
            command.append(f"--output={os.path.join(results, name)}")
        print(f"=== {name}: {' '.join(command[1:])}", flush=True)
        start = time.perf_counter()
        result = subprocess.run(
            command, env=env, capture_output=True, text=True
        )
        seconds = time.perf_counter() - start
        elapsed = time.perf_counter() - start_all
        planned = f" (planned {QUICK_PLAN_S[name]} s)" if quick else ""
        if result.returncode:
            print(result.stderr[-3000:])
            failed = True
            outcome = f"FAILED after {seconds:.0f} s (exit {result.returncode})"
        else:
            markdown = os.path.join(results, f"{name}.md")
            if name == "time_to_quality" and quick:
                print(result.stdout)
            elif os.path.exists(markdown):
                print(open(markdown).read())
            outcome = f"{seconds:.0f} s"
        summary.append(f"{name:16} {outcome}{planned}")
        so_far = f"{minutes(elapsed)} so far"
        if quick:
            so_far += f" of the {minutes(QUICK_BUDGET_S)} budget"
        print(f"--- {name}: {outcome}{planned}; {so_far}", flush=True)
    total = time.perf_counter() - start_all
    print("=== summary (wall time per benchmark)")
    print("\n".join(summary))
    line = f"total: {minutes(total)}"
    if quick:
        verdict = "within" if total <= QUICK_BUDGET_S else "OVER"
        line += (
            f" ({verdict} the --quick budget of {minutes(QUICK_BUDGET_S)}; "
            f"planned {minutes(plan)}; load average now "
            f"{', '.join(f'{v:.1f}' for v in os.getloadavg())})"
        )
    print(line)
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    app.run(main)
