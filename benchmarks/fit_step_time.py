"""Measures ms per training step of the default `keras-rgan train` model.

Trains the default RGAN (TrainConfig defaults) on Sines with `model.fit`,
discards a warm-up epoch (tracing), then times `--steps` steps and prints
ms/step for each `--steps_per_execution` value, side by side in one run.

    python benchmarks/fit_step_time.py --steps=400
"""

import platform
import time

from absl import app
from absl import flags

import keras_rgan
from keras_rgan import train_lib

_STEPS = flags.DEFINE_integer("steps", 400, "Timed steps per setting.")
_SPE = flags.DEFINE_list(
    "steps_per_execution", ["1", "32"], "Values of steps_per_execution."
)
_JIT = flags.DEFINE_list("jit_compile", ["false", "true"], "XLA settings.")


def time_fit(steps_per_execution, jit_compile, steps):
    config = train_lib.TrainConfig(
        steps_per_execution=steps_per_execution, jit_compile=jit_compile
    )
    data, scaler = train_lib.load_data(config)
    dataset = keras_rgan.data.make_dataset(
        scaler.transform(data.sequences), config.batch_size, seed=0
    ).repeat()
    model = train_lib.build_model(config, data.sequences.shape[-1], scaler)
    warmup = 2 * steps_per_execution
    model.fit(dataset, steps_per_epoch=warmup, epochs=1, verbose=0)
    start = time.perf_counter()
    model.fit(dataset, steps_per_epoch=steps, epochs=1, verbose=0)
    return (time.perf_counter() - start) / steps * 1000.0


def main(argv):
    del argv
    defaults = train_lib.TrainConfig()
    print(
        f"Default RGAN: LSTM units={defaults.units}, layers={defaults.num_layers}, "
        f"batch={defaults.batch_size}, seq_len={defaults.seq_len}, features=5"
    )
    print(f"Machine: {platform.processor() or platform.machine()}, "
          f"{__import__('os').cpu_count()} cores")
    for jit in _JIT.value:
        for spe in _SPE.value:
            ms = time_fit(int(spe), jit == "true", _STEPS.value)
            print(f"fit, steps_per_execution={spe:>3}, jit_compile={jit:5}: "
                  f"{ms:6.2f} ms/step (measured on this machine)")


if __name__ == "__main__":
    app.run(main)
