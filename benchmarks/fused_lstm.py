"""Fused LSTM kernel against Keras's LSTM ops, by layer size.

For a grid of (batch, steps, inputs, units), times one LSTM layer's forward
and backward pass (a compiled `tf.function` computing the gradients of a
loss on its outputs) three ways, interleaved, median of `--rounds`:

- `fused`: `FusedLSTM`'s one-kernel path (BlockLSTMV2 and its gradient),
  forced at every size for this measurement;
- `loop`: Keras's LSTM as a `while` loop (`standard_kernels()`);
- `unrolled`: Keras's LSTM unrolled (`unroll=True`, `standard_kernels()`).

This is the measurement behind
`keras_rgan.layers.fused_lstm.MAX_FUSED_STEP_WORK`: the fused path is used
only up to that many multiply-adds per step (batch x (inputs + units) x 4
units).

    python benchmarks/fused_lstm.py            # 10 sizes, 3 rounds
    python benchmarks/fused_lstm.py --quick    # 3 sizes, 2 rounds

Writes `benchmarks/results/fused_lstm.md` and `.json`.
"""

import os
import sys
import time

import numpy as np
import tensorflow as tf
from absl import app
from absl import flags

from keras_rgan.layers import FusedLSTM
from keras_rgan.layers import fused_lstm
from keras_rgan.layers import standard_kernels

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import machine  # noqa: E402

RESULTS_DIR = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "results"
)
SIZES = [  # (batch, steps, inputs, units)
    (128, 24, 5, 24),
    (128, 24, 5, 32),
    (128, 24, 5, 48),
    (128, 24, 5, 64),
    (256, 24, 5, 32),
    (512, 24, 5, 32),
    (128, 100, 5, 32),
    (256, 100, 5, 32),
    (256, 100, 28, 32),
    (256, 100, 28, 128),
]
QUICK_SIZES = [(128, 24, 5, 32), (128, 24, 5, 64), (256, 100, 28, 32)]
_QUICK = flags.DEFINE_bool("quick", False, "Three sizes, two rounds.")
_ROUNDS = flags.DEFINE_integer("rounds", 3, "Interleaved rounds.")
_OUTPUT = flags.DEFINE_string(
    "output", os.path.join(RESULTS_DIR, "fused_lstm"), "Output stem."
)


def compiled_pass(batch, steps, inputs, units, setting):
    """A traced forward-and-backward pass of one LSTM layer."""
    x = tf.constant(
        np.random.default_rng(0).uniform(size=(batch, steps, inputs)),
        tf.float32,
    )
    layer = FusedLSTM(
        units, return_sequences=True, unroll=setting == "unrolled"
    )
    layer.build(x.shape)

    @tf.function
    def run():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(layer(x)))
        return tape.gradient(loss, layer.trainable_variables)

    if setting == "fused":
        run()
    else:
        with standard_kernels():
            run()
    return run


def ms_per_call(fn, calls):
    fn()
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return 1000 * (time.perf_counter() - start) / calls


def main(argv):
    del argv
    sizes, rounds = (QUICK_SIZES, 2) if _QUICK.value else (SIZES, _ROUNDS.value)
    settings = ("fused", "loop", "unrolled")
    # Measure the fused kernel at every size, past the threshold too.
    threshold = fused_lstm.MAX_FUSED_STEP_WORK
    fused_lstm.MAX_FUSED_STEP_WORK = float("inf")
    rows = []
    for size in sizes:
        calls = 10 if size[1] >= 100 else 50
        passes = {s: compiled_pass(*size, s) for s in settings}
        times = {s: [] for s in settings}
        for _ in range(rounds):
            for setting in settings:
                times[setting].append(ms_per_call(passes[setting], calls))
        batch, steps, inputs, units = size
        row = {
            "batch": batch,
            "steps": steps,
            "inputs": inputs,
            "units": units,
            "step_work": batch * (inputs + units) * 4 * units,
            "ms": {s: float(np.median(t)) for s, t in times.items()},
        }
        for other in ("loop", "unrolled"):
            row[f"{other} / fused"] = machine.medians(
                times["fused"], times[other]
            )[2]
        rows.append(row)
        print(row, flush=True)
    quick_flag = " --quick" if _QUICK.value else ""
    lines = [
        "# Fused LSTM kernel against Keras's LSTM ops",
        "",
        f"Measured by `benchmarks/fused_lstm.py{quick_flag}` on "
        f"{machine.describe()}, {machine.today()}: one LSTM layer's compiled "
        f"forward and backward pass, {rounds} interleaved rounds, medians. "
        "Ratios above 1: the fused kernel is faster. Step work = batch x "
        "(inputs + units) x 4 units multiply-adds per step; `FusedLSTM` uses "
        f"the fused kernel up to {threshold:,} (`MAX_FUSED_STEP_WORK`).",
        "",
        "| batch | steps | inputs | units | step work | fused ms | loop ms | "
        "unrolled ms | loop / fused | unrolled / fused |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['batch']} | {r['steps']} | {r['inputs']} | {r['units']} | "
            f"{r['step_work']:,} | {r['ms']['fused']:.2f} | "
            f"{r['ms']['loop']:.2f} | {r['ms']['unrolled']:.2f} | "
            f"{r['loop / fused']:.2f} | {r['unrolled / fused']:.2f} |"
        )
    machine.write_results(_OUTPUT.value, lines, {"rows": rows})


if __name__ == "__main__":
    app.run(main)
