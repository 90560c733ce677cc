"""The quality suite: each model's defaults on data of the shapes users bring.

Every run is what a user does: `keras-rgan train` (through `train_lib`, the
model's default recipe) stopped at `--budget_minutes` of training if it has
not finished, the export scored by `keras-rgan evaluate` (`evaluate_lib`:
discriminative score as the reference computes it, mean of `--score_runs`
classifiers on equal numbers of real and generated sequences, its floor,
predictive, correlational, autocorrelation and marginal scores with their
real-versus-real references). Each run appends one JSON line to
`benchmarks/results/quality.jsonl`; `quality.md` is rewritten from all
lines, beside the published figures and the targets of issue 22.

    python benchmarks/quality.py --models=rgan --sets=sines,stocks --seeds=0,1,2

The data sets (`SETS`): Sines 24 x 5 and Stocks 24 x 6 (TimeGAN's), long
(Sines 128 x 5, Stocks 125 x 6: TSGBench's "Stock Long"), wide (Sines
24 x 28), univariate (Stocks' Close) and two small real sets from
`real_sets.py` (weekly CO2, camera patches), chosen before any tuning.
"""

import collections
import json
import os
import shutil
import sys
import tempfile
import time

import keras
import numpy as np
from absl import app
from absl import flags

from keras_rgan import evaluate_lib
from keras_rgan import recipes
from keras_rgan import train_lib
from keras_rgan.evaluation.discriminative import DEFAULT_RUNS

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import machine  # noqa: E402
import real_sets  # noqa: E402

SETS = {  # name: (train options, description)
    "sines": ({"dataset": "sines"}, "Sines, 24 steps x 5"),
    "stocks": ({"dataset": "stocks"}, "Stocks, 24 steps x 6"),
    "sines-long": ({"dataset": "sines", "seq_len": 128}, "Sines, 128 x 5"),
    "stocks-long": ({"dataset": "stocks", "seq_len": 125}, "Stocks, 125 x 6"),
    "sines-wide": (
        {"dataset": "sines", "num_features": 28},
        "Sines, 24 x 28",
    ),
    "stocks-close": (
        {"dataset": "stocks", "columns": ["Close"]},
        "Stocks' Close alone, 24 x 1",
    ),
    "co2": (
        {"dataset": "csv:{co2}", "time_column": "week", "stride": 2},
        "weekly CO2 (statsmodels), 24 x 1, stride 2",
    ),
    "camera": (
        {
            "dataset": "csv:{camera}",
            "id_column": "patch",
            "time_column": "row",
            "seq_len": 16,
        },
        "camera patches (scikit-image), 16 rows x 16 integer pixels",
    ),
}
# Discriminative targets (issue 22): today's best published models at 24
# steps, and what the suite asks of the long, wide and small real sets.
TARGETS = {
    "sines": 0.006,
    "stocks": 0.037,
    "sines-long": 0.10,
    "stocks-long": 0.10,
    "sines-wide": 0.05,
    "co2": 0.10,
    "camera": 0.10,
}
PUBLISHED = {  # discriminative / predictive, ../shared/BENCHMARKS.md
    "sines": [
        ("TimeGAN (NeurIPS 2019)", ".011 ± .008", ".093 ± .019"),
        ("RCGAN (as in TimeGAN)", ".022 ± .008", ".097 ± .001"),
        ("Diffusion-TS (ICLR 2024)", ".006 ± .007", ".093"),
        ("FM-TS (2024)", ".005", "—"),
    ],
    "stocks": [
        ("TimeGAN (NeurIPS 2019)", ".102 ± .021", ".038 ± .001"),
        ("RCGAN (as in TimeGAN)", ".196 ± .027", ".040 ± .001"),
        ("Diffusion-TS (ICLR 2024)", ".067 ± .015", ".036"),
        ("ImagenTime (NeurIPS 2024)", ".037 ± .006", ".036"),
        ("FM-TS (2024)", ".019", "—"),
    ],
}
SCORES = ("correlational", "autocorrelation", "marginal", "context_fid")
RESULTS_DIR = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "results"
)

_MODELS = flags.DEFINE_list(
    "models", ["rgan"], f"Models: {', '.join(recipes.RECIPES)}."
)
_SETS = flags.DEFINE_list("sets", ["sines"], f"Data sets: {', '.join(SETS)}.")
_SEEDS = flags.DEFINE_list("seeds", ["0"], "Training seeds.")
_BUDGET = flags.DEFINE_float(
    "budget_minutes", 15.0, "Training stops after this many minutes."
)
_OPTIONS = flags.DEFINE_string(
    "options",
    "{}",
    "JSON object of train options over the model's defaults (experiments); "
    "name the row with --variant.",
)
_VARIANT = flags.DEFINE_string(
    "variant", "defaults", "Row name of --options ('defaults' for none)."
)
_SCORE_RUNS = flags.DEFINE_integer(
    "score_runs",
    DEFAULT_RUNS,
    "Classifiers per discriminative score.",
)
_DATA_DIR = flags.DEFINE_string(
    "data_dir",
    os.path.join(tempfile.gettempdir(), "keras_rgan_real_sets"),
    "Where real_sets.py writes the small real sets' CSVs.",
)
_OUTPUT = flags.DEFINE_string(
    "output", os.path.join(RESULTS_DIR, "quality.jsonl"), "JSON-lines file."
)
_PLOTS = flags.DEFINE_string(
    "plots",
    os.path.join(RESULTS_DIR, "quality_plots"),
    "Where seed 0's real-and-generated picture of each row is copied.",
)


class TrainingBudget(keras.callbacks.Callback):
    """Stops training once `minutes` have passed since it began; counts the
    steps taken."""

    def __init__(self, minutes):
        super().__init__()
        self.seconds = 60.0 * minutes
        self.steps = self.steps_before_epoch = 0
        self.stopped = False

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        # Called once per execution of `steps_per_execution` steps, with the
        # index of its last step.
        self.steps = self.steps_before_epoch + batch + 1
        if time.perf_counter() - self.start > self.seconds:
            self.stopped = self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        self.steps_before_epoch = self.steps


def train_options(name, data_dir):
    """The train options of data set `name`, its CSV written if needed."""
    options = dict(SETS[name][0])
    kind, _, path = options["dataset"].partition(":")
    if path.startswith("{"):
        options["dataset"] = f"{kind}:{real_sets.write(path[1:-1], data_dir)}"
    return options


def run(model, set_name, seed, variant_options, work_dir):
    config = train_lib.TrainConfig.from_options(
        **train_options(set_name, _DATA_DIR.value),
        model=model,
        seed=seed,
        verbose=0,
        export_dir=os.path.join(work_dir, "export"),
        **variant_options,
    )
    prepared = train_lib.prepare(config)
    planned = prepared.config.run.epochs * prepared.data.steps_per_epoch
    budget = TrainingBudget(_BUDGET.value)
    start, cpu_start = time.perf_counter(), time.process_time()
    result = train_lib.train(config, callbacks=[budget], prepared=prepared)
    train_seconds = time.perf_counter() - start
    train_cores = (time.process_time() - cpu_start) / train_seconds
    start = time.perf_counter()
    scores, table = evaluate_lib.evaluate(
        evaluate_lib.EvaluateConfig(
            saved_model=result.export_path,
            output_dir=os.path.join(work_dir, "evaluate"),
            seed=seed,
            score_runs=_SCORE_RUNS.value,
        )
    )
    print(table, flush=True)
    if seed == 0:
        os.makedirs(_PLOTS.value, exist_ok=True)
        shutil.copy(
            os.path.join(work_dir, "evaluate", "sequences.png"),
            os.path.join(
                _PLOTS.value, f"{set_name}-{model}-{_VARIANT.value}.png"
            ),
        )
    return {
        "set": set_name,
        "model": model,
        "variant": _VARIANT.value,
        "options": variant_options,
        "seed": seed,
        "train_shape": list(prepared.data.train.sequences.shape),
        "planned_steps": planned,
        "steps": budget.steps,
        "stopped_at_budget": budget.stopped,
        "budget_minutes": _BUDGET.value,
        "train_seconds": round(train_seconds, 1),
        # Cores this process kept busy while training (2 at most here):
        # well below that, other jobs shared the CPU.
        "train_cores_used": round(train_cores, 2),
        "evaluate_seconds": round(time.perf_counter() - start, 1),
        "machine": machine.describe(),
        "date": time.strftime("%Y-%m-%d"),
        "scores": {
            key: value
            for key, value in scores.items()
            if key not in ("saved_model", "mmd", "diversity", "memorisation")
        },
    }


def _mean_std(values, digits=3):
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{np.mean(values):.{digits}f} ± {np.std(values):.{digits}f}"


def write_markdown(rows, path):
    groups = collections.defaultdict(list)
    for row in rows:
        groups[(row["set"], row["model"], row["variant"])].append(row)
    order = {name: k for k, name in enumerate(SETS)}
    lines = [
        "# The quality suite (measured by benchmarks/quality.py)",
        "",
        "Each run: `keras-rgan train` with the model's defaults (or the "
        "options of its variant), training stopped at the budget if not "
        "finished, the export scored by `keras-rgan evaluate`. "
        "Discriminative: the reference's score (128 real + 128 synthetic "
        "per classifier step), mean of `classifiers` runs per seed (10 by "
        "default since 2026-12-04, as TimeGAN's main_timegan.py; 5 before) "
        "on equal numbers of real and generated sequences; `floor` is the "
        "same score of two halves of the real training data. Predictive: "
        "train on synthetic, test on real (MAE; `real` trains on the real "
        "training data). Correlational, autocorrelation, marginal scores "
        "and Context-FID with their real-half-versus-real-half floors in "
        "brackets. Mean ± std over training seeds; lower is better "
        "everywhere. Machine and wall times as measured.",
        "",
        "| data | model | seeds | classifiers | steps (planned) | train min | "
        "disc. | "
        "per seed | floor | target | pred. (real) | corr. (floor) | "
        "autocorr. (floor) | marginal (floor) | Context-FID (floor) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for key in sorted(groups, key=lambda k: (order.get(k[0], 99), k[1:])):
        runs = groups[key]
        set_name, model, variant = key
        s = [r["scores"] for r in runs]
        name = model if variant == "defaults" else f"{model} ({variant})"
        steps = f"{int(np.mean([r['steps'] for r in runs])):,}"
        if any(r["stopped_at_budget"] for r in runs):
            steps += f" ({runs[0]['planned_steps']:,}, budget)"
        classifiers = "/".join(
            sorted({str(len(x["discriminative_runs"])) for x in s})
        )
        per_seed = ", ".join(f"{x['discriminative']:.3f}" for x in s)
        stats = [
            f"{_mean_std([x.get(n) for x in s])} "
            f"({_mean_std([x.get(n + '_floor') for x in s])})"
            for n in SCORES
        ]
        target = TARGETS.get(set_name)
        lines.append(
            f"| {set_name} | {name} | {len(runs)} | {classifiers} | {steps} | "
            f"{np.mean([r['train_seconds'] for r in runs]) / 60:.1f} | "
            f"**{_mean_std([x['discriminative'] for x in s])}** | "
            f"{per_seed} | "
            f"{_mean_std([x['discriminative_floor'] for x in s])} | "
            f"{'—' if target is None else f'{target:.3f}'} | "
            f"{_mean_std([x.get('predictive') for x in s], 4)} "
            f"({_mean_std([x.get('predictive_real') for x in s], 4)}) | "
            + " | ".join(stats)
            + " |"
        )
    lines += [
        "",
        "Data sets: "
        + "; ".join(f"`{name}` {text}" for name, (_, text) in SETS.items())
        + ". Machine: "
        + (rows[0]["machine"] if rows else "—")
        + ". Training times include any other jobs sharing the CPU "
        "(`train_cores_used` in the JSON lines: the cores the run kept "
        "busy).",
        "",
        "## Published (24 steps; ../shared/BENCHMARKS.md)",
        "",
        "| data | model | disc. | pred. |",
        "|---|---|---|---|",
    ]
    for set_name, models in PUBLISHED.items():
        for model, disc, pred in models:
            lines.append(f"| {set_name} | {model} | {disc} | {pred} |")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main(argv):
    del argv
    unknown = set(_SETS.value) - set(SETS)
    unknown |= set(_MODELS.value) - set(recipes.RECIPES)
    if unknown:
        raise app.UsageError(f"Unknown data sets or models {sorted(unknown)}.")
    variant_options = json.loads(_OPTIONS.value)
    if variant_options and _VARIANT.value == "defaults":
        raise app.UsageError("Name the --options' row with --variant.")
    os.makedirs(os.path.dirname(_OUTPUT.value), exist_ok=True)
    for set_name in _SETS.value:
        for model in _MODELS.value:
            for seed in _SEEDS.value:
                with tempfile.TemporaryDirectory() as work_dir:
                    row = run(
                        model, set_name, int(seed), variant_options, work_dir
                    )
                with open(_OUTPUT.value, "a") as f:
                    f.write(json.dumps(row) + "\n")
                print(json.dumps(row), flush=True)
    with open(_OUTPUT.value) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    markdown = os.path.splitext(_OUTPUT.value)[0] + ".md"
    write_markdown(rows, markdown)
    print(open(markdown).read())


if __name__ == "__main__":
    app.run(main)
