"""What every worker of `benchmarks/peers.py` shares.

Standard library only: this module runs in every peer's own virtual
environment. A worker is started as `python worker_X.py '<json config>'`,
answers one JSON line when it is ready (or has failed), then one JSON line per
request read from stdin (`{"cmd": "train" | "generate" | "quit", "args": {}}`),
so the orchestrator can interleave measurements of several long-lived workers.
Anything a library prints goes to stderr (the worker's log), never into the
protocol.
"""

import importlib.metadata
import itertools
import json
import os
import statistics
import sys
import time
import traceback


class Channel:
    """JSON lines to the orchestrator on the original stdout; requests from
    stdin."""

    def __init__(self):
        self._out = os.fdopen(os.dup(1), "w", buffering=1)
        os.dup2(2, 1)  # From here on, fd 1 (any print, any library) is stderr.
        sys.stdout = sys.stderr

    def send(self, **message):
        self._out.write(json.dumps(message) + "\n")
        self._out.flush()

    def recv(self):
        line = sys.stdin.readline()
        return json.loads(line) if line.strip() else {"cmd": "quit"}


def versions(*packages):
    """Installed versions of distributions, by their pip names."""
    found = {}
    for package in packages:
        try:
            found[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            found[package] = None
    return found


def summarise(values):
    return {
        "values": [round(v, 4) for v in values],
        "median": statistics.median(values),
        "mean": statistics.fmean(values),
        "count": len(values),
    }


def step_ms_from_stamps(stamps, warmup):
    """Milliseconds of each step after the first `warmup`, from `stamps`: the
    start time followed by the end time of every step."""
    durations = [(b - a) * 1000.0 for a, b in zip(stamps, stamps[1:])]
    return durations[warmup:]


_WARMED = set()


def time_calls(fn, repeats, key):
    """Milliseconds of each of `repeats` calls; the first time a `key` is
    timed, one untimed warm-up call comes first."""
    if key not in _WARMED:
        fn()
        _WARMED.add(key)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000.0)
    return times


def keras_fit_step_ms(keras, model, dataset, steps, warmup):
    """Per-step milliseconds of `model.fit` on a repeating dataset: one epoch
    of `warmup + steps` steps, timestamped at every batch end by a callback;
    the first `warmup` steps are dropped."""
    stamps = []

    class BatchTimer(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            if not stamps:
                stamps.append(time.perf_counter())

        def on_train_batch_end(self, batch, logs=None):
            stamps.append(time.perf_counter())

    model.fit(
        dataset,
        steps_per_epoch=warmup + steps,
        epochs=1,
        verbose=0,
        callbacks=[BatchTimer()],
    )
    return step_ms_from_stamps(stamps, warmup)


def serve(channel, info, handlers):
    """Announces readiness, then answers requests until "quit"."""
    channel.send(ok=True, ready=True, info=info)
    while True:
        request = channel.recv()
        if request["cmd"] == "quit":
            return
        channel.send(
            ok=True, **handlers[request["cmd"]](**request.get("args", {}))
        )


def run(main):
    """Runs `main(config, channel)`; any exception becomes an error message
    (the orchestrator records it) and a non-zero exit."""
    channel = Channel()
    try:
        main(json.loads(sys.argv[1]), channel)
    except BaseException:  # noqa: BLE001 - reported, not hidden.
        channel.send(ok=False, error=traceback.format_exc())
        return 1
    return 0


class PausingLoop:
    """Stands in for `tqdm` in a peer's TimeGAN module, to time its own `fit`.

    Those `fit`s run three phases of `epochs` iterations each in plain Python
    loops wrapped in `tqdm(range(epochs), desc=...)`. This stand-in lets the
    two pre-training phases run `pretrain_steps` iterations only (they are not
    timed; 0 skips them), and makes the joint phase (`joint_desc`) an endless
    loop that pauses between iterations to answer the orchestrator: a "train"
    request lets `warmup + steps` more iterations of the peer's own loop run
    and reports the time of each (end to end, everything the loop body does);
    "generate" calls the peer's sampling API; "quit" ends the loop, so `fit`
    returns. The first `startup_warmup` joint iterations (graph tracing) run
    before the worker says it is ready.

    `counters` (a dict the worker increments, e.g. discriminator updates) are
    reported as their change over the timed iterations.
    """

    def __init__(
        self,
        channel,
        joint_desc,
        pretrain_descs,
        pretrain_steps,
        startup_warmup,
        info_fn,
        generate_fn,
    ):
        self.channel = channel
        self.joint_desc = joint_desc
        self.pretrain_descs = set(pretrain_descs)
        self.pretrain_steps = pretrain_steps
        self.startup_warmup = startup_warmup
        self.info_fn = info_fn
        self.generate_fn = generate_fn
        self.counters = {}
        self.joint_iterations = 0

    def counting(self, name, fn):
        """`fn`, wrapped to add one to `counters[name]` per call."""

        def counted(*args, **kwargs):
            self.counters[name] = self.counters.get(name, 0) + 1
            return fn(*args, **kwargs)

        return counted

    def __call__(self, iterable=None, *args, desc=None, **kwargs):
        if desc == self.joint_desc:
            return self._joint(iterable)
        if desc in self.pretrain_descs:
            return itertools.islice(iterable, self.pretrain_steps)
        return iterable

    def trange(self, *args, desc=None, **kwargs):
        return self(range(*args), desc=desc)

    def _joint(self, iterable):
        items = iter(iterable)
        for _ in range(self.startup_warmup):
            yield next(items)
            self.joint_iterations += 1
        self.channel.send(ok=True, ready=True, info=self.info_fn())
        while True:
            request = self.channel.recv()
            args = request.get("args", {})
            if request["cmd"] == "quit":
                return
            if request["cmd"] == "generate":
                times = time_calls(
                    lambda: self.generate_fn(args["num"]),
                    args["repeats"],
                    "generate",
                )
                self.channel.send(ok=True, ms=summarise(times))
                continue
            warmup, steps = args["warmup"], args["steps"]
            for _ in range(warmup):
                yield next(items)
                self.joint_iterations += 1
            before = dict(self.counters)
            stamps = [time.perf_counter()]
            for _ in range(steps):
                yield next(items)
                self.joint_iterations += 1
                stamps.append(time.perf_counter())
            changes = {
                key: value - before.get(key, 0)
                for key, value in self.counters.items()
            }
            self.channel.send(
                ok=True,
                ms=summarise(step_ms_from_stamps(stamps, 0)),
                counters=changes,
            )
