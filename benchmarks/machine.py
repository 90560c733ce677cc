"""The machine a benchmark ran on, for the results it writes, and the
summary of side-by-side measurements."""

import os
import platform
import time

import numpy as np


def cpu_model():
    """The CPU model name from /proc/cpuinfo (Linux), else the platform's."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe():
    """E.g. `x86_64, 2 cores (Intel Xeon ...), no GPU`."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    cores = f"{platform.machine()}, {os.cpu_count()} cores ({cpu_model()})"
    return f"{cores}, {len(gpus)} GPU" if gpus else f"{cores}, no GPU"


def today():
    return time.strftime("%Y-%m-%d")


def write_results(stem, lines, payload):
    """Prints the markdown `lines`, writes them to `stem.md` and the
    JSON-serialisable `payload` (plus the machine) to `stem.json`."""
    import json

    text = "\n".join(lines) + "\n"
    print(text)
    os.makedirs(os.path.dirname(os.path.abspath(stem)), exist_ok=True)
    with open(stem + ".md", "w") as f:
        f.write(text)
    with open(stem + ".json", "w") as f:
        json.dump(
            {"machine": describe(), "date": today(), **payload}, f, indent=2
        )


def medians(denominators, numerators):
    """Median of each side and median of the per-round ratios
    numerator / denominator (each ratio compares one round's side-by-side
    measurements)."""
    return (
        float(np.median(denominators)),
        float(np.median(numerators)),
        float(np.median([n / d for n, d in zip(numerators, denominators)])),
    )
