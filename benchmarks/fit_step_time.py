"""Measures ms per training step under `model.fit`, side by side in one run.

Builds each model as `keras-rgan train` would (TrainConfig defaults: 32
units, 1 layer, batch 128, Sines 24 x 5), discards warm-up steps (tracing),
then times `--steps` steps for every model, `steps_per_execution` and
`jit_compile` setting, `--repeats` times in turn, so the figures of one line
were measured under the same machine load as the others.

    python benchmarks/fit_step_time.py --steps=300
"""

import os
import platform
import time

from absl import app
from absl import flags

import keras_rgan
from keras_rgan import train_lib

MODELS = {
    "rgan": {},
    "crgan-lstm": {"model": "crgan", "cell": "lstm"},
    "crgan-tanh": {"model": "crgan", "cell": "tanh"},
    "crgan-tanh-k12": {"model": "crgan", "cell": "tanh", "condition_steps": 12},
}

_STEPS = flags.DEFINE_integer("steps", 300, "Timed steps per measurement.")
_REPEATS = flags.DEFINE_integer("repeats", 2, "Measurements per setting.")
_MODELS = flags.DEFINE_list("models", list(MODELS), "Models to time.")
_SPE = flags.DEFINE_list("steps_per_execution", ["1"], "steps_per_execution values.")
_JIT = flags.DEFINE_list("jit_compile", ["false"], "jit_compile values.")


def build(name, steps_per_execution, jit_compile):
    config = train_lib.TrainConfig(
        steps_per_execution=steps_per_execution,
        jit_compile=jit_compile,
        **MODELS[name],
    )
    return train_lib.build_model(config, num_features=5)


def main(argv):
    del argv
    x = keras_rgan.data.sine_waves(10_000, 24, 5, seed=0)
    dataset = keras_rgan.data.make_dataset(x, 128, seed=0).repeat()
    settings = [
        (name, int(spe), jit == "true")
        for name in _MODELS.value
        for spe in _SPE.value
        for jit in _JIT.value
    ]
    models = {s: build(*s) for s in settings}
    for (_, spe, _), model in models.items():
        model.fit(dataset, steps_per_epoch=2 * spe, epochs=1, verbose=0)
    times = {s: [] for s in settings}
    for _ in range(_REPEATS.value):
        for setting, model in models.items():
            start = time.perf_counter()
            model.fit(dataset, steps_per_epoch=_STEPS.value, epochs=1, verbose=0)
            times[setting].append(
                (time.perf_counter() - start) / _STEPS.value * 1000.0
            )
    print(f"Measured on this machine: {platform.machine()}, {os.cpu_count()} "
          f"cores; batch 128, Sines 24 x 5, 32 units, 1 layer; "
          f"{_STEPS.value} steps x {_REPEATS.value} repeats, interleaved.")
    print(f"{'model':16} {'spe':>4} {'jit':>5}  ms/step (each repeat)  best")
    for (name, spe, jit), values in times.items():
        runs = " ".join(f"{v:6.2f}" for v in values)
        print(f"{name:16} {spe:4d} {str(jit):>5}  {runs}  {min(values):6.2f}")


if __name__ == "__main__":
    app.run(main)
