"""Training step time: `model.fit` against a bare compiled step.

For RGAN and CRGAN at a small (B=128, T=24, F=5, hidden 24) and a larger
(B=256, T=100, F=28, hidden 128) size, with the default recipe of
`keras-rgan train` (WGAN-GP, two discriminator updates per step), times:

- `bare`: `tf.function(model.train_step)` called in a Python loop on the same
  `tf.data` pipeline: the same variables and losses, none of fit's machinery;
- `fit spe=1` and `fit spe=32`: `model.fit` with `steps_per_execution` 1, 32;

without `jit_compile` (`--jit=off,on` adds XLA-compiled variants: with the
default WGAN-GP recipe an XLA step measured 15.9 s against 91 ms without on
this CPU, so they are opt-in), each with three ways of running the
recurrences (`--recurrence`):

- `loop`: Keras's LSTM as a `while` loop (`unroll=False`, standard kernels);
- `unrolled`: Keras's LSTM unrolled into the graph (`unroll=True`);
- `fused`: what `keras-rgan train` does on a CPU: `FusedLSTM`'s one-kernel
  LSTM where it applies, and `--unroll=auto` (unrolled up to
  `recipes.AUTO_UNROLL_MAX_STEPS` steps) for the gradient penalty's
  second-order pass, which needs the standard kernels.

This benchmark is the measurement behind both defaults. Variants run
interleaved, round after round, so each ratio compares measurements taken
side by side (the machines are noisy); the median over rounds is reported.

    python benchmarks/train_step.py               # full
    python benchmarks/train_step.py --quick       # about a minute

`--quick` times RGAN only, at the small size, with the recurrences of
`keras-rgan train` on a CPU (`fused`), the bare step against `fit spe=32`
(the `keras-rgan train` default), 2 rounds of 32 steps: two variants to
build and trace instead of the full run's 30.

Writes `benchmarks/results/train_step.md` and `.json`.
"""

import contextlib
import itertools
import os
import sys
import time

import keras
import numpy as np
import tensorflow as tf
from absl import app
from absl import flags

from keras_rgan import CRGAN
from keras_rgan import RGAN
from keras_rgan.data import make_dataset
from keras_rgan.data import sine_waves
from keras_rgan.layers import standard_kernels

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import machine  # noqa: E402  (benchmarks/machine.py)

SIZES = {
    "small": dict(batch_size=128, seq_len=24, features=5, units=24),
    "large": dict(batch_size=256, seq_len=100, features=28, units=128),
}
VARIANTS = ("bare", "fit spe=1", "fit spe=32")
# --quick: RGAN, small, fused; the bare step against fit's default.
QUICK = dict(
    rounds=2,
    steps=32,
    models=["rgan"],
    sizes=["small"],
    recurrences=["fused"],
    variants=("bare", "fit spe=32"),
)
# How each recurrence setting is built: the recipe's `unroll`, and whether
# LSTMs keep Keras's standard kernels.
RECURRENCES = {
    "loop": ("off", True),
    "unrolled": ("on", True),
    "fused": ("auto", False),
}
MODELS = {"rgan": RGAN, "crgan": CRGAN}
RESULTS_DIR = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "results"
)

_QUICK = flags.DEFINE_bool("quick", False, "Fewer steps and rounds.")
_ROUNDS = flags.DEFINE_integer("rounds", 3, "Interleaved rounds.")
_STEPS = flags.DEFINE_integer(
    "steps",
    64,
    "Timed steps per measurement (a quarter of it at the large size).",
)
_MODELS = flags.DEFINE_list("models", ["rgan", "crgan"], "Models.")
_SIZES = flags.DEFINE_list("sizes", ["small", "large"], "Sizes.")
_JIT = flags.DEFINE_list(
    "jit",
    ["off"],
    "jit_compile settings (off, on). `on` is not in the default run: with the "
    "default WGAN-GP recipe an XLA-compiled step measured 15.9 s on this "
    "2-core CPU against 91 ms without (results/train_step.md).",
)
_RECURRENCE = flags.DEFINE_list(
    "recurrence",
    list(RECURRENCES),
    f"Recurrence settings: {', '.join(RECURRENCES)}.",
)
_LARGE_UNROLLED = flags.DEFINE_bool(
    "large_unrolled",
    False,
    "Also time the unrolled setting at the large size (T=100): `--unroll=auto` "
    "never unrolls it, and session 3 measured a 41 s trace for 1.09x there.",
)
_OUTPUT = flags.DEFINE_string(
    "output", os.path.join(RESULTS_DIR, "train_step"), "Output stem."
)


def build(model, size, steps_per_execution, jit, unroll):
    """The default recipe of `model` (LSTM cells), sized by `size`."""
    options = dict(units=size["units"], unroll=unroll)
    if model == "crgan":
        options["cell"] = "lstm"
    return MODELS[model].from_recipe(
        size["features"],
        size["seq_len"],
        steps_per_execution=steps_per_execution,
        jit_compile=jit,
        **options,
    )


def dataset_for(size):
    x = sine_waves(
        size["batch_size"] * 8, size["seq_len"], size["features"], seed=0
    )
    return make_dataset(x, size["batch_size"], seed=0).repeat()


class EpochTimer(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds = time.perf_counter() - self.start


class Runner:
    """One way of running training steps, built (and traced) once: each
    `time(steps)` call then times `steps` more steps, in ms/step."""

    def __init__(self, model, size_name, variant, jit, recurrence):
        size = SIZES[size_name]
        keras.utils.set_random_seed(0)
        self.bare = variant == "bare"
        spe = 1 if self.bare else int(variant.split("=")[1])
        self.spe = spe
        unroll, self.standard = RECURRENCES[recurrence]
        self.gan = build(model, size, spe, jit and not self.bare, unroll)
        self.dataset = dataset_for(size)
        if self.bare:
            self.step = tf.function(self.gan.train_step, jit_compile=jit)
            self.iterator = iter(self.dataset)
        self.time(spe)  # Warm-up: traces (and compiles) outside the timing.

    def time(self, steps):
        # Tracing happens in the first call; the context decides its kernels.
        with standard_kernels() if self.standard else contextlib.nullcontext():
            return self._time(steps)

    def _time(self, steps):
        if self.bare:
            start = time.perf_counter()
            for _ in range(steps):
                logs = self.step(next(self.iterator))
            float(logs["d_loss"])  # Waits for the last step.
            return 1000 * (time.perf_counter() - start) / steps
        steps = max(self.spe, steps // self.spe * self.spe)
        timer = EpochTimer()
        self.gan.fit(
            self.dataset,
            steps_per_epoch=steps,
            epochs=1,
            callbacks=[timer],
            verbose=0,
        )
        return 1000 * timer.seconds / steps


def main(argv):
    del argv
    unknown = set(_RECURRENCE.value) - set(RECURRENCES)
    if unknown:
        raise app.UsageError(
            f"Unknown --recurrence {sorted(unknown)}; "
            f"expected {list(RECURRENCES)}."
        )
    if _QUICK.value:
        rounds, steps = QUICK["rounds"], QUICK["steps"]
        models, sizes = QUICK["models"], QUICK["sizes"]
        recurrences, variants = QUICK["recurrences"], QUICK["variants"]
    else:
        rounds, steps = _ROUNDS.value, _STEPS.value
        models, sizes = _MODELS.value, _SIZES.value
        recurrences, variants = _RECURRENCE.value, VARIANTS
    keys = [
        (model, size, variant, jit, recurrence)
        for model in models
        for size in sizes
        for jit in _JIT.value
        for recurrence in recurrences
        for variant in variants
        if not (
            size == "large"
            and recurrence == "unrolled"
            and not _LARGE_UNROLLED.value
        )
    ]
    times = {key: [] for key in keys}
    runners, traces = {}, {}
    for key in keys:
        started = time.perf_counter()
        try:
            runners[key] = Runner(*key[:3], key[3] == "on", key[4])
        except Exception as error:  # noqa: BLE001 - reported, not hidden
            print(f"{key}: failed: {type(error).__name__}: {str(error)[:200]}")
        traces[key] = time.perf_counter() - started
    # The first call of a step after other steps were traced measured up to
    # 3x slower on this machine (a one-off per runner); one untimed call of
    # each, after all are built, keeps it out of the rounds.
    for key, runner in list(runners.items()):
        try:
            runner.time(runner.spe)
        except Exception as error:  # noqa: BLE001 - reported, not hidden
            print(f"{key}: failed: {type(error).__name__}: {str(error)[:200]}")
            del runners[key]
    for round_index in range(rounds):
        for key in keys:
            model, size, variant, jit, recurrence = key
            size_steps = steps if size == "small" else max(8, steps // 4)
            try:
                ms = runners[key].time(size_steps)
            except Exception as error:  # noqa: BLE001 - reported, not hidden
                ms = float("nan")
                print(
                    f"{key}: failed: {type(error).__name__}: {str(error)[:200]}"
                )
            times[key].append(ms)
            print(
                f"round {round_index + 1} {model} {size} jit={jit} "
                f"{recurrence} {variant}: {ms:.1f} ms/step",
                flush=True,
            )

    rows = []
    for model, size, jit, recurrence in itertools.product(
        models, sizes, _JIT.value, recurrences
    ):
        if (model, size, "bare", jit, recurrence) not in times:
            continue
        bare = times[(model, size, "bare", jit, recurrence)]
        for variant in variants[1:]:
            fit = times[(model, size, variant, jit, recurrence)]
            bare_ms, fit_ms, ratio = machine.medians(bare, fit)
            rows.append(
                {
                    "model": model,
                    "size": size,
                    "jit_compile": jit,
                    "recurrence": recurrence,
                    "variant": variant,
                    "bare_ms": bare_ms,
                    "fit_ms": fit_ms,
                    "ratio": ratio,
                }
            )
    quick_flag = " --quick" if _QUICK.value else ""
    lines = [
        "# Training step: `model.fit` against a bare compiled step",
        "",
        f"Measured by `benchmarks/train_step.py{quick_flag}` on "
        f"{machine.describe()}, {machine.today()}; {rounds} interleaved "
        f"rounds of {steps} steps ({max(8, steps // 4)} at the large size), "
        "medians. Default recipe of `keras-rgan train` (WGAN-GP, its default "
        "number of discriminator updates per step), LSTM cells. Goal: fit "
        "within 1.05x of the bare step."
        + (
            " Quick run: RGAN, small size, fused recurrences, the bare step "
            "against fit spe=32 only."
            if _QUICK.value
            else ""
        ),
        "",
        "| model | size | jit_compile | recurrence | fit variant | "
        "bare ms/step | fit ms/step | fit / bare |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['model']} | {row['size']} | {row['jit_compile']} | "
            f"{row['recurrence']} | {row['variant']} | {row['bare_ms']:.1f} | "
            f"{row['fit_ms']:.1f} | {row['ratio']:.2f} |"
        )
    speedups = recurrence_rows(times, traces, models, sizes, recurrences)
    if not speedups:  # Else the build times are in the recurrence table.
        lines += [
            "",
            "Build, trace and first steps, per variant: "
            + ", ".join(
                f"{' '.join(key[:3])} {seconds:.1f} s"
                for key, seconds in traces.items()
            )
            + ".",
        ]
    if speedups:
        lines += [
            "",
            "## Recurrence settings against the fused default",
            "",
            "Medians over rounds; ratios are the median of per-round ratios "
            "(the setting's ms / fused ms), above 1: the fused default is "
            "faster. Build is the time to build, trace (and compile) the "
            "variant and run its first steps.",
            "",
            "| model | size | jit_compile | variant | "
            + " | ".join(f"{r} ms/step" for r in RECURRENCES)
            + " | loop / fused | unrolled / fused | build s ("
            + ", ".join(RECURRENCES)
            + ") |",
            "|---|---|---|---|" + "---|" * (len(RECURRENCES) + 3),
        ]
        for row in speedups:
            lines.append(
                f"| {row['model']} | {row['size']} | {row['jit_compile']} | "
                f"{row['variant']} | "
                + " | ".join(f"{row['ms'][r]:.1f}" for r in RECURRENCES)
                + f" | {row['loop / fused']:.2f} | "
                f"{row['unrolled / fused']:.2f} | "
                + ", ".join(f"{row['build_s'][r]:.1f}" for r in RECURRENCES)
                + " |"
            )
    machine.write_results(
        _OUTPUT.value,
        lines,
        {
            "rows": rows,
            "recurrences": speedups,
            "raw": {" | ".join(key): value for key, value in times.items()},
        },
    )


def recurrence_rows(times, traces, models, sizes, recurrences):
    """Each recurrence setting against the fused default, per model, size,
    jit setting and variant (NaN for a setting that did not run)."""
    if "fused" not in recurrences or len(recurrences) < 2:
        return []
    rows = []
    for model, size, jit, variant in itertools.product(
        models, sizes, _JIT.value, VARIANTS
    ):

        def measured(recurrence):
            return times.get(
                (model, size, variant, jit, recurrence), [float("nan")]
            )

        row = {
            "model": model,
            "size": size,
            "jit_compile": jit,
            "variant": variant,
        }
        row["ms"] = {r: float(np.median(measured(r))) for r in RECURRENCES}
        for other in ("loop", "unrolled"):
            row[f"{other} / fused"] = machine.medians(
                measured("fused"), measured(other)
            )[2]
        row["build_s"] = {
            r: traces.get((model, size, variant, jit, r), float("nan"))
            for r in RECURRENCES
        }
        rows.append(row)
    return rows


if __name__ == "__main__":
    app.run(main)
