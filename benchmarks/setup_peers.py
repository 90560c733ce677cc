"""Builds the peer libraries' virtual environments for `benchmarks/peers.py`.

A separate step, run once per machine before any timed benchmark run:

    python benchmarks/setup_peers.py              # builds what is missing
    python benchmarks/setup_peers.py --rebuild    # builds them all anew

Each peer gets its own venv under `--venv_dir` (default
`~/.cache/keras_rgan_benchmarks/venvs/<peer>`), never the project's
dependencies: `python -m venv`, `pip install <its pinned packages>` from
PyPI (TensorFlow twice: about 5 GB installed for both peers; 161 s on a
fresh 2-core machine), then an import check. A venv that
passed them gets a marker file recording the commands; an existing one is
checked by importing it again. Every command is printed before it runs.

`benchmarks/peers.py` and `benchmarks/run_all.py` only use venvs built here:
they never install anything. A peer whose venv is missing is skipped, with
a printed line saying how to build it.
"""

import argparse
import datetime
import json
import os
import shlex
import subprocess
import sys
import time

DEFAULT_VENV_DIR = os.path.join(
    os.path.expanduser("~"), ".cache", "keras_rgan_benchmarks", "venvs"
)
SETUP_COMMAND = "python benchmarks/setup_peers.py"
MARKER = "keras_rgan_benchmarks.json"

PEERS = {
    "tsgm": {
        # tsgm's statsmodels pin breaks on pandas 3.
        "packages": ["tsgm[tensorflow]==0.1.0", "pandas<3"],
        "import_check": 'import os; os.environ.setdefault("KERAS_BACKEND", '
        '"tensorflow"); import tsgm.models.cgan, tsgm.models.timeGAN',
        "worker": "worker_tsgm.py",
    },
    "ydata-synthetic": {
        "packages": ["ydata-synthetic==2.0.1"],
        # 2.0.1's __init__ calls an undefined `warn`.
        "import_check": "import builtins, warnings; "
        "builtins.warn = warnings.warn; "
        "import ydata_synthetic.synthesizers.timeseries",
        "worker": "worker_ydata.py",
    },
}


# The peers `peers.py --quick` (and so `run_all.py --quick`) compares with:
# tsgm's GAN and TimeGAN cover both of our models; ydata-synthetic's worker
# alone spends about a minute tracing before it is ready, so it is in the
# full run only.
QUICK_PEERS = ["tsgm"]


def now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(
        timespec="seconds"
    )


def tail(text, lines=40):
    return "\n".join(text.strip().splitlines()[-lines:])


def worker_env():
    """The environment of every benchmark worker process."""
    env = dict(os.environ)
    env.update(
        KERAS_BACKEND="tensorflow",
        TF_CPP_MIN_LOG_LEVEL="2",
        YDATA_SYNTHETIC_NO_ANALYTICS="1",
        PYTHONUNBUFFERED="1",
    )
    return env


def peer_env():
    """The environment of a peer's processes: a worker's, without this
    project's paths (nothing of its environment leaks into them)."""
    env = worker_env()
    for key in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):
        env.pop(key, None)
    return env


def commands(name, venv_dir):
    """The commands that build the peer's venv (as argument lists)."""
    path = os.path.join(venv_dir, name)
    python = os.path.join(path, "bin", "python")
    return [
        [sys.executable, "-m", "venv", "--clear", path],
        [python, "-m", "pip", "install", *PEERS[name]["packages"]],
        [python, "-c", PEERS[name]["import_check"]],
    ]


def status(name, venv_dir):
    """The peer's venv as a record: `status` is "ready" (built by this
    script, which recorded how) or "missing", with the venv's path, its
    Python and the build commands. Installs nothing."""
    path = os.path.join(venv_dir, name)
    python = os.path.join(path, "bin", "python")
    record = {
        "venv": path,
        "python": python,
        "commands": [shlex.join(c) for c in commands(name, venv_dir)],
    }
    marker = os.path.join(path, MARKER)
    if os.path.exists(marker) and os.path.exists(python):
        with open(marker) as f:
            record.update(json.load(f))
        record["status"] = "ready"
    else:
        record.update(
            status="missing",
            error=f"No built venv at {path}: build the peer venvs first, "
            f"in their own step: `{SETUP_COMMAND}`.",
        )
    return record


def skip_line(name, record):
    """The line printed when a peer is skipped for want of its venv."""
    return (
        f"[{name}] SKIPPED: no peer venv at {record['venv']}. Build the "
        f"peer venvs first, in their own untimed step: `{SETUP_COMMAND}` "
        "(installs about 5 GB from PyPI, ~3 minutes)."
    )


def check(name, venv_dir):
    """Imports the peer in its built venv; returns (ok, output tail)."""
    command = commands(name, venv_dir)[-1]
    result = subprocess.run(
        command, capture_output=True, text=True, env=peer_env()
    )
    return result.returncode == 0, tail(result.stdout + result.stderr, 10)


def build(name, venv_dir):
    """Builds the peer's venv anew, printing each command; returns its
    record (status "ready" or "install_failed" / "import_failed")."""
    record = status(name, venv_dir)
    marker = os.path.join(record["venv"], MARKER)
    if os.path.exists(marker):
        os.remove(marker)  # A half-rebuilt venv is not ready.
    os.makedirs(venv_dir, exist_ok=True)
    print(f"[{name}] building its venv:", flush=True)
    log = []
    for command in commands(name, venv_dir):
        print(f"    $ {shlex.join(command)}", flush=True)
        result = subprocess.run(
            command, capture_output=True, text=True, env=peer_env()
        )
        log.append(result.stdout + result.stderr)
        if result.returncode:
            stage = "import" if command[1] == "-c" else "install"
            record.update(
                status=f"{stage}_failed",
                error=f"`{shlex.join(command)}` exited "
                f"{result.returncode}:\n" + tail(log[-1]),
            )
            print(f"[{name}] {stage} failed:\n{record['error']}")
            return record
    created = now()
    with open(marker, "w") as f:
        json.dump(
            {"commands": record["commands"], "created": created}, f, indent=1
        )
    record.pop("error", None)
    record.update(
        status="ready", created=created, install_log_tail=tail(log[1], 5)
    )
    return record


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--venv_dir",
        default=DEFAULT_VENV_DIR,
        help="Folder of the peers' venvs (one subfolder per peer).",
    )
    parser.add_argument(
        "--peers",
        default=",".join(PEERS),
        help=f"Comma-separated peers to set up (default: {','.join(PEERS)}).",
    )
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="Build every venv anew, even those already built.",
    )
    args = parser.parse_args()
    names = [n for n in args.peers.split(",") if n]
    unknown = set(names) - set(PEERS)
    if unknown:
        parser.error(f"Unknown peers {sorted(unknown)}; known: {list(PEERS)}.")
    print(
        f"Setting up the peer venvs for benchmarks/peers.py under "
        f"{args.venv_dir} (a separate step: no benchmark runs here).",
        flush=True,
    )
    failed = []
    for name in names:
        started = time.perf_counter()
        record = status(name, args.venv_dir)
        if record["status"] == "ready" and not args.rebuild:
            ok, output = check(name, args.venv_dir)
            if ok:
                print(
                    f"[{name}] ready: {record['venv']} (built "
                    f"{record.get('created')}; imports checked)"
                )
                continue
            print(f"[{name}] built but its import fails; rebuilding:\n{output}")
        record = build(name, args.venv_dir)
        seconds = time.perf_counter() - started
        if record["status"] == "ready":
            print(f"[{name}] ready after {seconds:.0f} s: {record['venv']}")
        else:
            failed.append(name)
    if failed:
        print(f"Failed: {', '.join(failed)} (see above).")
        return 1
    print(
        "All peer venvs ready; `python benchmarks/run_all.py --quick` and "
        "`python benchmarks/peers.py` will use them."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
