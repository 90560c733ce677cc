"""Time to quality: training time until the discriminative score on Sines
first drops below a threshold (.05), with the default recipe, on this CPU.

Trains `keras-rgan train`'s defaults (without sample selection) on Sines,
scores the model every `--eval_every` epochs (default 25) (the
discriminative score of `benchmarks/recipe_sweep.py`, mean of
`--classifier_runs` classifiers) and stops at the first score below
`--threshold`. Training time excludes the scoring.

    python benchmarks/time_to_quality.py            # trains (about 10 minutes)
    python benchmarks/time_to_quality.py --quick    # reads the recorded curves

`--quick` trains nothing: it reads the score-against-time curves that
`benchmarks/recipe_sweep.py` recorded for the default recipe at the default
number of steps (`benchmarks/results/recipe_sweep.jsonl`; if none is recorded
there, the recipe's runs of other lengths, saying so) and reports their
first point below the threshold. The full run writes
`benchmarks/results/time_to_quality.md`.
"""

import json
import os
import sys

from absl import app
from absl import flags

from keras_rgan import recipes
from keras_rgan import train_lib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import machine  # noqa: E402
import quality  # noqa: E402  (its flags --eval_every, --classifier_runs apply here too)
from quality import ScoreCurve  # noqa: E402

RESULTS_DIR = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "results"
)
_QUICK = flags.DEFINE_bool(
    "quick", False, "Read the recorded curves instead of training."
)
_THRESHOLD = flags.DEFINE_float(
    "threshold", 0.05, "Discriminative score to reach."
)
_MAX_EPOCHS = flags.DEFINE_integer(
    "max_epochs",
    None,
    "Give up after this many epochs; also the length of the learning-rate "
    "schedule. Default: the default budget of keras-rgan train "
    f"({recipes.DEFAULT_TRAIN_STEPS:,} steps).",
)
_SEED = flags.DEFINE_integer("seed", 0, "Training seed.")
_OUTPUT = flags.DEFINE_string(
    "time_to_quality_output",
    os.path.join(RESULTS_DIR, "time_to_quality.md"),
    "Markdown output.",
)
_QUALITY = os.path.join(RESULTS_DIR, "recipe_sweep.jsonl")


class StopBelow(ScoreCurve):
    """A `ScoreCurve` that stops training at the first score below a
    threshold."""

    def __init__(self, threshold, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.threshold = threshold

    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, logs)
        if (
            self.points
            and self.points[-1]["epoch"] == epoch + 1
            and (self.points[-1]["discriminative"] < self.threshold)
        ):
            self.model.stop_training = True


def first_below(curve, threshold):
    return next((p for p in curve if p["discriminative"] < threshold), None)


def from_recorded(threshold):
    """Table lines from the recorded curves of the default recipe on Sines
    at the default budget, else (none recorded there) at any budget; and a
    note saying which."""
    with open(_QUALITY) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    rows = [
        r
        for r in rows
        if r["recipe"] == quality.DEFAULT_RECIPE
        and r["dataset"] == "sines"
        and r["curve"]
    ]
    budget = recipes.DEFAULT_TRAIN_STEPS
    at_budget = [r for r in rows if r["curve"][-1]["steps"] == budget]
    if at_budget:
        rows = at_budget
        note = f"the default budget of {budget:,} steps"
    else:
        note = (
            f"none recorded at the default budget of {budget:,} steps: runs "
            "of other lengths, whose cosine schedules decay at other rates"
        )
    lines = []
    for row in rows:
        point = first_below(row["curve"], threshold)
        every = row["curve"][0]["epoch"] if row["curve"] else 0
        reached = (
            f"{point['train_seconds'] / 60:.1f} min ({point['steps']} steps, "
            f"score {point['discriminative']:.3f})"
            if point
            else "not reached"
        )
        lines.append(
            f"| {row['seed']} | {row['date']} | every {every} epochs of "
            f"{row['curve'][-1]['steps']:,} steps | {reached} | "
            f"{row['machine']} |"
        )
    return lines, note


def main(argv):
    del argv
    threshold = _THRESHOLD.value
    header = [
        "# Time to quality (Sines, default recipe)",
        "",
        "Training time (scoring excluded) until the discriminative score "
        f"first drops below {threshold}. Scores are checked only at "
        "evaluation points, so the true time can be earlier by up to one "
        "evaluation interval.",
        "",
        "| seed | date | scored | first below threshold | machine |",
        "|---|---|---|---|---|",
    ]
    if _QUICK.value:
        lines, budget = from_recorded(threshold)
        note = (
            "\nFrom the curves recorded by `benchmarks/recipe_sweep.py` for "
            f"{quality.DEFAULT_RECIPE} ({budget}; `--quick` trains "
            "nothing).\n"
        )
    else:
        # The recipe's training alone: no sample selection, which would only
        # add its own scoring between epochs.
        config = train_lib.TrainConfig.from_options(
            seed=_SEED.value,
            epochs=_MAX_EPOCHS.value,
            verbose=0,
            select_every=0,
        )
        prepared = train_lib.prepare(config)
        curve = StopBelow(
            threshold,
            prepared.data.train.sequences,
            quality._EVAL_EVERY.value,
            False,
            quality._CLASSIFIER_RUNS.value,
        )
        train_lib.train(config, callbacks=[curve], prepared=prepared)
        point = first_below(curve.points, threshold)
        last_steps = curve.points[-1]["steps"] if curve.points else 0
        reached = (
            f"{point['train_seconds'] / 60:.1f} min ({point['steps']} steps, "
            f"score {point['discriminative']:.3f})"
            if point
            else f"not reached in {last_steps} steps"
        )
        every = quality._EVAL_EVERY.value
        lines = [
            f"| {_SEED.value} | {machine.today()} | every {every} epochs | "
            f"{reached} | {machine.describe()} |"
        ]
        note = (
            "\nCurve: "
            + ", ".join(
                f"{p['train_seconds'] / 60:.1f} min: {p['discriminative']:.3f}"
                for p in curve.points
            )
            + "\n"
        )
    text = "\n".join(header + lines) + "\n" + note
    print(text)
    if not _QUICK.value:
        with open(_OUTPUT.value, "w") as f:
            f.write(text)


if __name__ == "__main__":
    app.run(main)
