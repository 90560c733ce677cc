"""Generation speed: samples per second and latency (p50, p99).

For 1, 100 and 10,000 sequences, times three ways of generating from one
trained-size RGAN (Sines, 24 x 5, the default recipe's sizes):

- `generate`: `model.generate(n, seed)` (NumPy out, original units);
- `raw generator`: the generator network called on noise in a compiled
  `tf.function` (scaled space: the floor of what any path can do);
- `SavedModel`: the exported `serving_default` signature, loaded with
  `tf.saved_model.load` (what TF Serving runs).

Calls are interleaved (generate, raw, SavedModel, generate, ...), so their
ratios compare measurements taken side by side. Goal: the SavedModel's
throughput at least 0.5x the raw generator's.

    python benchmarks/generation.py [--quick]

Writes `benchmarks/results/generation.md` and `.json`.
"""

import json
import os
import sys
import tempfile
import time

import numpy as np
import tensorflow as tf
from absl import app
from absl import flags

from keras_rgan import RGAN
from keras_rgan import export_saved_model

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import machine  # noqa: E402

RESULTS_DIR = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "results"
)
_QUICK = flags.DEFINE_bool("quick", False, "Fewer calls.")
_CALLS = flags.DEFINE_integer(
    "calls", 50, "Timed calls per path and size (10,000: a fifth)."
)
_OUTPUT = flags.DEFINE_string(
    "output", os.path.join(RESULTS_DIR, "generation"), "Output stem."
)


def paths(gan, export_path):
    loaded = tf.saved_model.load(export_path)
    serving = loaded.signatures["serving_default"]

    @tf.function(reduce_retracing=True)
    def raw(noise):
        return gan.generator(noise)

    def generate(n, seed):
        return gan.generate(n, seed=seed)

    def raw_generator(n, seed):
        noise = gan.noise_from_seed(tf.constant(n), tf.constant(seed, tf.int64))
        return raw(noise).numpy()

    def saved_model(n, seed):
        out = serving(
            num_samples=tf.constant(n), seed=tf.constant(seed, tf.int64)
        )
        return out["sequences"].numpy()

    return {
        "generate": generate,
        "raw generator": raw_generator,
        "SavedModel": saved_model,
    }


def main(argv):
    del argv
    gan = RGAN.from_recipe(num_features=5, seq_len=24, seed=0)
    export_path = export_saved_model(gan, tempfile.mkdtemp(), warmup=False)
    functions = paths(gan, export_path)
    calls = 10 if _QUICK.value else _CALLS.value
    rows = []
    for n in (1, 100, 10_000):
        count = max(3, calls // 5) if n == 10_000 else calls
        for function in functions.values():  # Warm-up: trace every path.
            function(n, 0)
        latencies = {name: [] for name in functions}
        for call in range(count):
            for name, function in functions.items():
                start = time.perf_counter()
                function(n, call)
                latencies[name].append(time.perf_counter() - start)
        raw_rate = n / np.median(latencies["raw generator"])
        for name, seconds in latencies.items():
            rate = n / np.median(seconds)
            rows.append(
                {
                    "samples": n,
                    "path": name,
                    "calls": count,
                    "p50_ms": 1000 * float(np.percentile(seconds, 50)),
                    "p99_ms": 1000 * float(np.percentile(seconds, 99)),
                    "samples_per_s": float(rate),
                    "vs_raw": float(rate / raw_rate),
                }
            )
            print(json.dumps(rows[-1]), flush=True)
    quick_flag = " --quick" if _QUICK.value else ""
    lines = [
        "# Generation speed",
        "",
        f"Measured by `benchmarks/generation.py{quick_flag}` on "
        f"{machine.describe()}, {machine.today()}. RGAN with the default "
        "sizes (LSTM 32 units, 1 layer; Sines 24 x 5); calls interleaved "
        "across paths. `vs raw` is throughput relative to the raw generator "
        "(goal for the SavedModel: at least 0.5).",
        "",
        "| samples | path | calls | p50 ms | p99 ms | samples/s | vs raw |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['samples']:,} | {row['path']} | {row['calls']} | "
            f"{row['p50_ms']:.2f} | {row['p99_ms']:.2f} | "
            f"{row['samples_per_s']:,.0f} | {row['vs_raw']:.2f} |"
        )
    machine.write_results(_OUTPUT.value, lines, {"rows": rows})


if __name__ == "__main__":
    app.run(main)
