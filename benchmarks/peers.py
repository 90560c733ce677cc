"""Training-step and generation speed against peer libraries, side by side.

Peers, at matched sizes, each in its own virtual environment (never the
project's dependencies):

- tsgm's `GAN` with a hidden-24 LSTM generator and discriminator, trained by
  its own `fit`, against keras_rgan's `RGAN` of the same layers;
- tsgm's and ydata-synthetic's TimeGAN (GRU, hidden 24, 3 layers), trained by
  their own `fit`, against keras_rgan's `TimeGAN` in its joint phase;
- generating 1,000 sequences with each.

Data: Sines (`keras_rgan.data.sine_waves(n, 24, 5, seed=0)`), batches of 128.

Every model runs in a long-lived worker process (`benchmarks/peers/worker_*.py`;
keras_rgan's in this Python, each peer's in its venv) that answers JSON
requests. Workers start, trace and warm up first; then, for `--repeats`
rounds, each comparison measures ours and the peer back to back (the order
alternating between rounds), so both figures of a round saw the same machine
load. Reported: the median ms per step (warm-up steps dropped) of each
measurement, the ratio per round, and overall (the median over rounds).

The peer venvs are built beforehand, in their own step (this script never
installs anything):

    python benchmarks/setup_peers.py         # once per machine, ~3 minutes
    python benchmarks/peers.py --quick       # about 2 minutes
    python benchmarks/peers.py               # the full run, ~15 minutes

A peer whose venv is missing (under `--venv_dir`, default
`~/.cache/keras_rgan_benchmarks/venvs/<peer>`) is skipped with a printed line
saying how to build it, and recorded as missing in the results; with no peer
built, no worker starts. `--quick` compares with tsgm only (its GAN and
TimeGAN; ydata-synthetic's worker alone takes about a minute to trace),
in 2 rounds of fewer steps, and only keras_rgan as it runs by default (no
Keras-loop or unrolled variants): 4 comparisons, 4 workers.

Writes `benchmarks/results/peers.md` and `benchmarks/results/peers.json`
(`--output` changes the stem).
"""

import json
import os
import platform
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from absl import app
from absl import flags

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import machine  # noqa: E402  (benchmarks/machine.py)
import setup_peers  # noqa: E402  (benchmarks/setup_peers.py)
from setup_peers import PEERS  # noqa: E402
from setup_peers import now  # noqa: E402
from setup_peers import tail  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
WORKERS = os.path.join(HERE, "peers")

SEQ_LEN, NUM_FEATURES, HIDDEN, BATCH_SIZE, NUM_GENERATE = 24, 5, 24, 128, 1000

# Workers: (side, task) -> script and venv ("ours" runs in this Python).
WORKER_TASKS = [
    ("ours", "rgan"),
    ("ours", "rgan_loop"),
    ("ours", "rgan_unrolled"),
    ("ours", "timegan"),
    ("ours", "timegan_unrolled"),
    ("tsgm", "gan"),
    ("tsgm", "timegan"),
    ("ydata-synthetic", "timegan"),
]

# Each comparison: our worker, the peer's worker, what is measured, the goal
# (peer time / our time must reach it), and how many of our steps do at least
# the work of one peer step (for the work-matched ratio).
COMPARISONS = [
    {
        "key": "rgan_step_vs_tsgm_gan",
        "title": "RGAN train step vs tsgm GAN",
        "ours": ("ours", "rgan"),
        "peer": ("tsgm", "gan"),
        "kind": "train",
        "goal": 1.5,
        "our_steps_per_peer_step": 1,
    },
    {
        "key": "rgan_loop_step_vs_tsgm_gan",
        "title": "RGAN (Keras LSTM loop, as tsgm) train step vs tsgm GAN",
        "ours": ("ours", "rgan_loop"),
        "peer": ("tsgm", "gan"),
        "kind": "train",
        "goal": 1.5,
        "our_steps_per_peer_step": 1,
    },
    {
        "key": "rgan_unrolled_step_vs_tsgm_gan",
        "title": "RGAN (Keras LSTM unrolled) train step vs tsgm GAN",
        "ours": ("ours", "rgan_unrolled"),
        "peer": ("tsgm", "gan"),
        "kind": "train",
        "goal": 1.5,
        "our_steps_per_peer_step": 1,
    },
    {
        "key": "timegan_step_vs_tsgm_timegan",
        "title": "TimeGAN joint step vs tsgm TimeGAN",
        "ours": ("ours", "timegan"),
        "peer": ("tsgm", "timegan"),
        "kind": "train",
        "goal": 10.0,
        "our_steps_per_peer_step": 2,
    },
    {
        "key": "timegan_unrolled_step_vs_tsgm_timegan",
        "title": "TimeGAN (unrolled) joint step vs tsgm TimeGAN",
        "ours": ("ours", "timegan_unrolled"),
        "peer": ("tsgm", "timegan"),
        "kind": "train",
        "goal": 10.0,
        "our_steps_per_peer_step": 2,
    },
    {
        "key": "timegan_step_vs_ydata_timegan",
        "title": "TimeGAN joint step vs ydata-synthetic TimeGAN",
        "ours": ("ours", "timegan"),
        "peer": ("ydata-synthetic", "timegan"),
        "kind": "train",
        "goal": 10.0,
        "our_steps_per_peer_step": 2,
    },
    {
        "key": "timegan_unrolled_step_vs_ydata_timegan",
        "title": "TimeGAN (unrolled) joint step vs ydata-synthetic TimeGAN",
        "ours": ("ours", "timegan_unrolled"),
        "peer": ("ydata-synthetic", "timegan"),
        "kind": "train",
        "goal": 10.0,
        "our_steps_per_peer_step": 2,
    },
    {
        "key": "rgan_generate_vs_tsgm_gan",
        "title": "RGAN generate 1,000 vs tsgm GAN",
        "ours": ("ours", "rgan"),
        "peer": ("tsgm", "gan"),
        "kind": "generate",
        "goal": 1.0,
        "our_steps_per_peer_step": 1,
    },
    {
        "key": "timegan_generate_vs_tsgm_timegan",
        "title": "TimeGAN generate 1,000 vs tsgm TimeGAN",
        "ours": ("ours", "timegan"),
        "peer": ("tsgm", "timegan"),
        "kind": "generate",
        "goal": 1.0,
        "our_steps_per_peer_step": 1,
    },
    {
        "key": "timegan_generate_vs_ydata_timegan",
        "title": "TimeGAN generate 1,000 vs ydata-synthetic TimeGAN",
        "ours": ("ours", "timegan"),
        "peer": ("ydata-synthetic", "timegan"),
        "kind": "generate",
        "goal": 1.0,
        "our_steps_per_peer_step": 1,
    },
]

# --quick (each unless given explicitly): tsgm only (setup_peers.QUICK_PEERS
# says why), 2 rounds, fewer steps and generation calls.
QUICK = {
    "peers": setup_peers.QUICK_PEERS,
    "repeats": 2,
    "steps": 40,
    "timegan_steps": 2,
    "gen_repeats": 1,
}
# --quick compares keras_rgan as it runs by default only (no Keras-loop or
# unrolled variants), which needs 2 of our 5 workers.
QUICK_COMPARISONS = {
    "rgan_step_vs_tsgm_gan",
    "timegan_step_vs_tsgm_timegan",
    "timegan_step_vs_ydata_timegan",
    "rgan_generate_vs_tsgm_gan",
    "timegan_generate_vs_tsgm_timegan",
    "timegan_generate_vs_ydata_timegan",
}

_VENV_DIR = flags.DEFINE_string(
    "venv_dir",
    setup_peers.DEFAULT_VENV_DIR,
    "Folder of the peers' virtual environments (one subfolder per peer), "
    "as built by benchmarks/setup_peers.py.",
)
_PEERS = flags.DEFINE_list("peers", list(PEERS), "Peers to compare with.")
_REPEATS = flags.DEFINE_integer("repeats", 5, "Interleaved rounds.")
_STEPS = flags.DEFINE_integer(
    "steps", 200, "Timed steps per RGAN / tsgm GAN measurement."
)
_WARMUP = flags.DEFINE_integer(
    "warmup", 5, "Untimed steps before each RGAN / tsgm GAN measurement (>= 1)."
)
_TIMEGAN_STEPS = flags.DEFINE_integer(
    "timegan_steps",
    10,
    "Timed steps (joint-loop iterations) per TimeGAN measurement.",
)
_TIMEGAN_WARMUP = flags.DEFINE_integer(
    "timegan_warmup", 1, "Untimed TimeGAN steps before each measurement (>= 1)."
)
_GEN_REPEATS = flags.DEFINE_integer(
    "gen_repeats",
    5,
    "Timed generation calls per measurement (each worker makes "
    "one untimed call before its first).",
)
_NUM_SEQUENCES = flags.DEFINE_integer(
    "num_sequences", 10_000, "Sines sequences (windows, for ydata) to train on."
)
_QUICK = flags.DEFINE_bool(
    "quick",
    False,
    "Fewer rounds and steps ("
    + ", ".join(f"{k}={v}" for k, v in QUICK.items())
    + ") unless given explicitly, and only the comparisons of keras_rgan's "
    "defaults: about 2 minutes once the venvs exist.",
)
_TIMEOUT = flags.DEFINE_integer(
    "timeout", 1800, "Seconds a worker may take to start or answer one request."
)
_OUTPUT = flags.DEFINE_string(
    "output",
    os.path.join(HERE, "results", "peers"),
    "Output stem: writes <stem>.md and <stem>.json.",
)


def setting(flag):
    """A flag's value, or its --quick value when --quick is on and it was not
    given explicitly."""
    if (
        _QUICK.value
        and flag.name in QUICK
        and not flags.FLAGS[flag.name].present
    ):
        return QUICK[flag.name]
    return flag.value


# === Venvs ===


def peer_venv(name, venv_dir):
    """The peer's venv record, as built by `benchmarks/setup_peers.py`
    (status "ready" or "missing"); never installs anything."""
    record = setup_peers.status(name, venv_dir)
    if record["status"] == "ready":
        print(
            f"[{name}] using the venv {record['venv']} (built "
            f"{record.get('created')} by benchmarks/setup_peers.py)"
        )
    else:
        print(setup_peers.skip_line(name, record), flush=True)
    return record


# === Workers ===


def worker_env(peer):
    if peer:  # Nothing of this project's environment leaks into a peer's.
        return setup_peers.peer_env()
    return setup_peers.worker_env()


class Worker:
    """A worker process: JSON config in argv, JSON lines out, requests in."""

    def __init__(self, name, python, script, config, log_path, peer):
        self.name = name
        self.log_path = log_path
        self.error = None
        self.info = None
        self._lines = queue.Queue()
        self._log = open(log_path, "w")
        self.process = subprocess.Popen(
            [python, os.path.join(WORKERS, script), json.dumps(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            env=worker_env(peer),
            cwd=tempfile.gettempdir(),
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def _answer(self, timeout):
        deadline = time.monotonic() + timeout
        line = ""
        while line is not None and not line.startswith("{"):
            try:
                line = self._lines.get(
                    timeout=max(0.0, deadline - time.monotonic())
                )
            except queue.Empty:
                self.error = f"No answer within {timeout} s."
                return None
        if line is None:
            self.process.wait()
            self.error = (
                f"Exited with code {self.process.returncode}; end of its log "
                f"({self.log_path}):\n{self.log_tail()}"
            )
            return None
        message = json.loads(line)
        if not message.get("ok"):
            self.error = message.get("error", "unknown error")
            return None
        return message

    def log_tail(self):
        self._log.flush()
        with open(self.log_path, errors="replace") as f:
            return tail(f.read(), 25)

    def wait_ready(self, timeout):
        message = self._answer(timeout)
        if message:
            self.info = message.get("info")
        return message

    def request(self, cmd, timeout, **args):
        if self.error:
            return None
        try:
            self.process.stdin.write(
                json.dumps({"cmd": cmd, "args": args}) + "\n"
            )
            self.process.stdin.flush()
        except OSError as error:
            self.error = f"Cannot write to the worker: {error}"
            return None
        return self._answer(timeout)

    def quit(self):
        """Asks the worker to quit (without waiting for it)."""
        if self.process.poll() is None and not self.process.stdin.closed:
            try:
                self.process.stdin.write('{"cmd": "quit"}\n')
                self.process.stdin.close()
            except OSError:
                pass

    def close(self):
        self.quit()
        if self.process.poll() is None:
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()  # Our own child, by its handle.
                self.process.wait()
        self._log.close()


def write_data(path, timeout):
    config = dict(base_config(path), task="write_data")
    result = subprocess.run(
        [
            sys.executable,
            os.path.join(WORKERS, "worker_ours.py"),
            json.dumps(config),
        ],
        capture_output=True,
        text=True,
        env=worker_env(False),
        timeout=timeout,
    )
    lines = result.stdout.strip().splitlines()
    if not lines or not json.loads(lines[-1]).get("ok"):
        raise RuntimeError(f"Could not write the data:\n{tail(result.stderr)}")


def base_config(data_path):
    return {
        "data_path": data_path,
        "num_sequences": _NUM_SEQUENCES.value,
        "seq_len": SEQ_LEN,
        "num_features": NUM_FEATURES,
        "hidden": HIDDEN,
        "batch_size": BATCH_SIZE,
        "num_generate": NUM_GENERATE,
        "warmup": _WARMUP.value,
        "pretrain_steps": 0,  # The peers' untimed pre-training phases: skipped.
        "startup_warmup": max(2, _TIMEGAN_WARMUP.value),
    }


# === Measuring ===


def measure(worker, comparison, timeout):
    """One measurement (median ms) on a worker, or None if it failed."""
    if worker is None or worker.error:
        return None
    if comparison["kind"] == "generate":
        message = worker.request(
            "generate", timeout, num=NUM_GENERATE, repeats=setting(_GEN_REPEATS)
        )
    elif worker.name[1].startswith("timegan"):
        message = worker.request(
            "train",
            timeout,
            steps=setting(_TIMEGAN_STEPS),
            warmup=_TIMEGAN_WARMUP.value,
        )
    else:
        message = worker.request(
            "train", timeout, steps=setting(_STEPS), warmup=_WARMUP.value
        )
    if message is None:
        print(f"    {worker.name} failed: {tail(worker.error, 3)}")
        return None
    return {"ms": message["ms"], "counters": message.get("counters")}


def overall(rounds, comparison):
    ours = [r["ours_ms"] for r in rounds if r["ours_ms"] is not None]
    peer = [r["peer_ms"] for r in rounds if r["peer_ms"] is not None]
    ratios = [r["ratio"] for r in rounds if r["ratio"] is not None]
    result = {
        "ours_ms": statistics.median(ours) if ours else None,
        "peer_ms": statistics.median(peer) if peer else None,
        "median_round_ratio": statistics.median(ratios) if ratios else None,
    }
    if result["ours_ms"] and result["peer_ms"]:
        k = comparison["our_steps_per_peer_step"]
        result["ratio"] = result["peer_ms"] / result["ours_ms"]
        result["work_matched_ratio"] = result["peer_ms"] / (
            k * result["ours_ms"]
        )
        # The goal is judged on the work-matched ratio (the stricter one);
        # the raw ratio's verdict is kept beside it.
        reaches = (
            (lambda r: r > comparison["goal"])
            if comparison["kind"] == "generate"
            else (lambda r: r >= comparison["goal"])
        )
        result["goal_met"] = reaches(result["work_matched_ratio"])
        result["goal_met_raw_ratio"] = reaches(result["ratio"])
    else:
        result.update(
            ratio=None,
            work_matched_ratio=None,
            goal_met=None,
            goal_met_raw_ratio=None,
        )
    return result


# === Report ===


def fmt(value, digits=1):
    return "—" if value is None else f"{value:.{digits}f}"


def goal_text(comparison, result):
    sign = ">" if comparison["kind"] == "generate" else ">="
    words = {True: "met", False: "NOT met", None: "not measured"}
    text = f"{sign} {comparison['goal']:g}x: {words[result['goal_met']]}"
    if (
        comparison["our_steps_per_peer_step"] != 1
        and result["goal_met"] is not None
    ):
        text += f" (on the raw ratio: {words[result['goal_met_raw_ratio']]})"
    return text


def table_lines(results):
    lines = [
        "| comparison | ours (ms) | peer (ms) | ratio per round | ratio | "
        "work-matched ratio | goal |",
        "| --- | ---: | ---: | --- | ---: | ---: | --- |",
    ]
    for comparison in COMPARISONS:
        entry = results["comparisons"].get(comparison["key"])
        if entry is None:
            continue
        o = entry["overall"]
        per_round = ", ".join(fmt(r["ratio"], 2) for r in entry["rounds"])
        unit = "step" if comparison["kind"] == "train" else "1,000 seq."
        lines.append(
            f"| {comparison['title']} (per {unit}) | {fmt(o['ours_ms'])} | "
            f"{fmt(o['peer_ms'])} | {per_round} | {fmt(o['ratio'], 2)} | "
            f"{fmt(o['work_matched_ratio'], 2)} | {goal_text(comparison, o)} |"
        )
    return lines


CAVEATS = [
    "Ratio = peer ms / our ms (above 1: ours is faster). Work-matched ratio = "
    "peer ms / (k x our ms), k = our steps needed to do at least one peer "
    "step's work: 1 for the GANs and generation, 2 for TimeGAN (a peer's "
    "joint-loop iteration makes 2 generator and 2 embedder updates and at most "
    "1 discriminator update; 2 of our joint steps make 2, 2 and 2, so this "
    "ratio understates ours a little). Goals are judged on the work-matched "
    "ratio.",
    "tsgm's GAN draws one noise vector per sequence: its generator reads 120 "
    "numbers reshaped to (24, 5), the same noise count and the same layers "
    "(LSTM(24), Dense(5, sigmoid); discriminator LSTM(24), Dense(1)) as ours, "
    "with equal parameter counts (under 'What a step is'). Both run Keras 3.15 "
    "/ TF 2.21 `fit` without XLA and do the same updates per step. The "
    "'RGAN train step' row is ours as it runs by default on a CPU: each LSTM "
    "one fused kernel (`FusedLSTM`: TensorFlow's BlockLSTM op and its "
    "gradient; the same arithmetic as Keras's LSTM, to about 1e-7). In the "
    "'(Keras LSTM loop, as tsgm)' row both run Keras's LSTM as a loop, so only "
    "per-step overheads can separate them; the '(Keras LSTM unrolled)' row "
    "runs Keras's LSTM unrolled into the graph (`unroll=True` with "
    "`standard_kernels()`). The TimeGAN rows use GRUs, which have no fused "
    "kernel: '(unrolled)' there is what `keras-rgan train --unroll=auto` does "
    "for sequences of at most 32 steps without a GPU.",
    "tsgm's TimeGAN supervisor has 3 GRU layers (ours and ydata's: 2, as in "
    "the TimeGAN paper), and tsgm runs each network as one RNN over stacked "
    "GRU cells where ours and ydata's stack GRU layers. Both peers' "
    "discriminators end in a sigmoid (cross-entropy on probabilities), ours "
    "in logits. Parameter counts are under 'What a step is'.",
    "ydata-synthetic runs on its own pins, TensorFlow 2.15 / Keras 2.15 "
    "(tf.keras); tsgm and keras_rgan on TensorFlow 2.21 / Keras 3.15.",
    "The peers' TimeGAN loops rebuild tf.data pipelines in Python at every "
    "draw: tsgm a noise pipeline (a Python generator), ydata-synthetic a noise "
    "pipeline and a data pipeline over all windows (converted to a tensor and "
    "shuffled anew), so ydata's step time grows with the number of windows "
    "(--num_sequences). Their steps are timed end to end inside their own "
    "`fit` loops (a stand-in for tqdm timestamps each iteration; their two "
    "pre-training phases are skipped: untimed, and the joint phase does the "
    "same work without them).",
    "Generation: ours is a traced tf.function returning a NumPy array; "
    "tsgm's GAN an eager generator call (converted to NumPy); tsgm's TimeGAN "
    "8 batches of 128, each from a new noise pipeline; ydata's `sample` draws "
    "1,000 noise sequences from a Python generator and returns 1,000 pandas "
    "DataFrames (its API's return type). Each worker makes one untimed call "
    "before its first timed one.",
    "Each worker is a separate process started once; measurements of a round "
    "run back to back (ours and the peer alternate who goes first), but other "
    "jobs may have been running on the machine: compare within a round, and "
    "prefer the medians.",
]


def write_report(results, path_md, path_json):
    with open(path_json, "w") as f:
        json.dump(results, f, indent=1)
    m = results["machine"]
    s = results["settings"]
    quick = (
        f" (peers: {', '.join(s['peers'])}; keras_rgan's defaults only: no "
        "Keras-loop or unrolled variants)"
        if s["quick"]
        else ""
    )
    measured = (
        ["Median ms per measurement, then the median over rounds:", ""]
        + table_lines(results)
        if results["comparisons"]
        else [
            "No comparison ran: no peer venv was built. Build them first, "
            f"in their own step: `{setup_peers.SETUP_COMMAND}`."
        ]
    )
    out = [
        "# keras_rgan against peer libraries: training step and generation "
        "time",
        "",
        "Measured by `benchmarks/peers.py` on this machine only, "
        f"{results['date']}: {m['machine']}, {m['cpu_count']} CPUs "
        f"({m['cpu_model']}), no GPU, Python {m['python']}; load average "
        f"{m['loadavg_start']} at the start and {m['loadavg_end']} at the end "
        "(other jobs were running: timings are noisy, ratios within a round "
        "were measured side by side). Other machines will give other numbers.",
        "",
        f"Settings: Sines {SEQ_LEN} steps x {NUM_FEATURES} features, "
        f"{s['num_sequences']} sequences, batch {BATCH_SIZE}, hidden {HIDDEN}; "
        f"{s['repeats']} interleaved rounds; per measurement "
        f"{s['steps']} timed GAN steps after {s['warmup']} untimed, "
        f"{s['timegan_steps']} timed TimeGAN steps after "
        f"{s['timegan_warmup']} untimed, "
        f"{s['gen_repeats']} timed generations of {NUM_GENERATE}. Quick run: "
        f"{s['quick']}{quick}. The workers started, traced and warmed up in "
        f"{results.get('workers_ready_s', 0)} s; the whole run took "
        f"{results['elapsed_s']} s.",
        "",
        *measured,
    ]
    if results["workers"]:
        out += ["", "## What a step is, per worker", ""]
    for name, worker in results["workers"].items():
        info = worker.get("info") or {}
        out.append(
            f"- **{name}**: "
            + (
                f"{info.get('model')}. Step: {info.get('step')}. "
                f"Generation: {info.get('generate')}. Parameters: "
                f"{info.get('parameters')}. Versions: {info.get('versions')}."
                if info
                else f"failed: `{tail(worker.get('error') or '', 3)}`"
            )
        )
    out += [
        "",
        "## Peer venvs (built beforehand by `benchmarks/setup_peers.py`)",
        "",
    ]
    for name, record in results["peers"].items():
        out.append(
            f"- **{name}** ({record['status']}), venv `{record['venv']}`:"
        )
        out += [f"    - `{c}`" for c in record["commands"]]
        if record.get("error"):
            out += ["", "  ```"]
            out += ["  " + line for line in record["error"].splitlines()]
            out += ["  ```"]
    failures = {
        k: v["error"] for k, v in results["workers"].items() if v.get("error")
    }
    if failures:
        out += ["", "## Failures", ""]
        for name, error in failures.items():
            out += [f"- **{name}**:", "", "  ```"]
            out += ["  " + line for line in tail(error, 15).splitlines()]
            out += ["  ```"]
    out += ["", "## Caveats", ""] + [f"- {c}" for c in CAVEATS]
    out += [
        "",
        "## Per round",
        "",
        "| comparison | round | first | ours (ms) | peer (ms) | ratio | "
        "peer counters |",
        "| --- | ---: | --- | ---: | ---: | ---: | --- |",
    ]
    for comparison in COMPARISONS:
        entry = results["comparisons"].get(comparison["key"])
        for r in (entry or {}).get("rounds", []):
            out.append(
                f"| {comparison['title']} | {r['round']} | {r['first']} | "
                f"{fmt(r['ours_ms'], 2)} | {fmt(r['peer_ms'], 2)} | "
                f"{fmt(r['ratio'], 2)} | {r.get('peer_counters') or ''} |"
            )
    with open(path_md, "w") as f:
        f.write("\n".join(out) + "\n")


def print_table(results):
    if not results["comparisons"]:
        return
    print()
    m = results["machine"]
    print(
        f"Measured on this machine ({m['machine']}, {m['cpu_count']} CPUs, "
        f"{m['cpu_model']}), {results['date']}; other jobs may have been "
        "running."
    )
    header = (
        f"{'comparison':52} {'ours ms':>9} {'peer ms':>9} {'ratio':>6} "
        f"{'work-m.':>7}  ratio per round; goal"
    )
    print(header)
    print("-" * len(header))
    for comparison in COMPARISONS:
        entry = results["comparisons"].get(comparison["key"])
        if entry is None:
            continue
        o = entry["overall"]
        per_round = ", ".join(fmt(r["ratio"], 2) for r in entry["rounds"])
        print(
            f"{comparison['title']:52} {fmt(o['ours_ms']):>9} "
            f"{fmt(o['peer_ms']):>9} {fmt(o['ratio'], 2):>6} "
            f"{fmt(o['work_matched_ratio'], 2):>7}  "
            f"[{per_round}]; {goal_text(comparison, o)}"
        )
    for name, record in results["peers"].items():
        if record["status"] == "missing":
            print(setup_peers.skip_line(name, record))
        elif record["status"] != "ready":
            error = tail(record.get("error") or "", 3)
            print(f"{name}: {record['status']}: {error}")
    for name, worker in results["workers"].items():
        if worker.get("error"):
            print(f"{name} failed: {tail(worker['error'], 2)}")


# === Main ===


def main(argv):
    del argv
    if _WARMUP.value < 1 or _TIMEGAN_WARMUP.value < 1:
        raise app.UsageError("--warmup and --timegan_warmup must be >= 1.")
    unknown = set(_PEERS.value) - set(PEERS)
    if unknown:
        raise app.UsageError(
            f"Unknown peers {sorted(unknown)}; known: {list(PEERS)}."
        )
    timeout = _TIMEOUT.value
    started = time.perf_counter()
    results = {
        "date": now(),
        "machine": {
            "machine": platform.machine(),
            "cpu_count": os.cpu_count(),
            "cpu_model": machine.cpu_model(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "loadavg_start": [round(v, 2) for v in os.getloadavg()],
        },
        "settings": {
            "quick": _QUICK.value,
            "peers": setting(_PEERS),
            "repeats": setting(_REPEATS),
            "steps": setting(_STEPS),
            "warmup": _WARMUP.value,
            "timegan_steps": setting(_TIMEGAN_STEPS),
            "timegan_warmup": _TIMEGAN_WARMUP.value,
            "gen_repeats": setting(_GEN_REPEATS),
            "num_sequences": _NUM_SEQUENCES.value,
            "batch_size": BATCH_SIZE,
            "seq_len": SEQ_LEN,
            "num_features": NUM_FEATURES,
            "hidden": HIDDEN,
            "num_generate": NUM_GENERATE,
        },
        "peers": {},
        "workers": {},
        "comparisons": {},
    }
    peers = [p for p in PEERS if p in setting(_PEERS)]
    for name in peers:
        results["peers"][name] = peer_venv(name, _VENV_DIR.value)
    ready = [p for p in peers if results["peers"][p]["status"] == "ready"]
    comparisons = [
        c
        for c in COMPARISONS
        if c["peer"][0] in ready
        and (not _QUICK.value or c["key"] in QUICK_COMPARISONS)
    ]
    if not comparisons:
        print(
            "No peer venv is built: nothing to compare, no worker started. "
            f"Build them first with `{setup_peers.SETUP_COMMAND}`.",
            flush=True,
        )
        finish(results, started, {}, None)
        return

    work_dir = tempfile.mkdtemp(prefix="keras_rgan_peers_")
    data_path = os.path.join(work_dir, "sines.npy")
    print(
        f"Writing the Sines data ({_NUM_SEQUENCES.value} x {SEQ_LEN} x "
        f"{NUM_FEATURES}); worker logs in {work_dir}",
        flush=True,
    )
    write_data(data_path, timeout)
    config = base_config(data_path)

    # Only the workers the comparisons need.
    needed = {c["ours"] for c in comparisons} | {c["peer"] for c in comparisons}
    workers = {}
    for side, task in WORKER_TASKS:
        if (side, task) not in needed:
            continue
        python = (
            sys.executable
            if side == "ours"
            else results["peers"][side]["python"]
        )
        script = "worker_ours.py" if side == "ours" else PEERS[side]["worker"]
        workers[(side, task)] = Worker(
            (side, task),
            python,
            script,
            dict(config, task=task),
            os.path.join(work_dir, f"{side}_{task}.log"),
            peer=side != "ours",
        )
    print(
        f"Started {len(workers)} workers; waiting until each has traced and "
        "warmed up ...",
        flush=True,
    )
    workers_started = time.perf_counter()
    for key, worker in workers.items():
        ok = worker.wait_ready(timeout)
        status = "ready" if ok else f"FAILED\n{tail(worker.error, 8)}"
        print(f"  {key[0]} {key[1]}: {status}", flush=True)
    results["workers_ready_s"] = round(time.perf_counter() - workers_started)
    print(f"Workers ready after {results['workers_ready_s']} s.", flush=True)

    for comparison in comparisons:
        results["comparisons"][comparison["key"]] = {"rounds": []}
    for round_index in range(setting(_REPEATS)):
        print(f"Round {round_index + 1}/{setting(_REPEATS)}", flush=True)
        for comparison in comparisons:
            ours_worker = workers.get(comparison["ours"])
            peer_worker = workers.get(comparison["peer"])
            order = (
                ["ours", "peer"] if round_index % 2 == 0 else ["peer", "ours"]
            )
            measured = {}
            for side in order:
                worker = ours_worker if side == "ours" else peer_worker
                measured[side] = measure(worker, comparison, timeout)
            ours, peer = measured["ours"], measured["peer"]
            ours_ms = ours["ms"]["median"] if ours else None
            peer_ms = peer["ms"]["median"] if peer else None
            ratio = peer_ms / ours_ms if ours_ms and peer_ms else None
            results["comparisons"][comparison["key"]]["rounds"].append(
                {
                    "round": round_index + 1,
                    "first": order[0],
                    "ours_ms": ours_ms,
                    "peer_ms": peer_ms,
                    "ratio": ratio,
                    "ours": ours,
                    "peer": peer,
                    "peer_counters": (peer or {}).get("counters"),
                }
            )
            print(
                f"  {comparison['title']:52} ours {fmt(ours_ms):>8} ms  peer "
                f"{fmt(peer_ms):>8} ms  ratio {fmt(ratio, 2)}",
                flush=True,
            )
    for comparison in comparisons:
        entry = results["comparisons"][comparison["key"]]
        entry["overall"] = overall(entry["rounds"], comparison)
        entry.update(
            title=comparison["title"],
            kind=comparison["kind"],
            goal=comparison["goal"],
            our_steps_per_peer_step=comparison["our_steps_per_peer_step"],
        )

    for worker in workers.values():  # All quit at once, then each is waited.
        worker.quit()
    for key, worker in workers.items():
        worker.close()
        results["workers"][f"{key[0]} {key[1]}"] = {
            "info": worker.info,
            "error": worker.error,
        }
    finish(results, started, workers, work_dir)


def finish(results, started, workers, work_dir):
    """Writes and prints the report; removes the worker logs unless a
    worker failed."""
    results["machine"]["loadavg_end"] = [round(v, 2) for v in os.getloadavg()]
    results["elapsed_s"] = round(time.perf_counter() - started, 1)
    os.makedirs(os.path.dirname(os.path.abspath(_OUTPUT.value)), exist_ok=True)
    path_md, path_json = _OUTPUT.value + ".md", _OUTPUT.value + ".json"
    write_report(results, path_md, path_json)
    print_table(results)
    print(
        f"\nWrote {path_md} and {path_json} ({results['elapsed_s']} s in all)."
    )
    if work_dir is None:
        return
    if any(worker.error for worker in workers.values()):
        print(f"Worker logs kept in {work_dir}.")
    else:
        shutil.rmtree(work_dir, ignore_errors=True)


if __name__ == "__main__":
    app.run(main)
