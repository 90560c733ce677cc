"""Sample quality of training recipes: TimeGAN's scores against training time.

Trains each recipe on each data set for each seed with `train_lib` (what
`keras-rgan train` runs), and every `--eval_every` epochs scores the model:
the discriminative and predictive scores of docs/quality.md (synthetic set
the size of the real one, scaled with the real data's scaler). Each run
appends one JSON line to `benchmarks/results/recipe_sweep.jsonl` (so a
long sweep can run in parts), then `benchmarks/results/recipe_sweep.md` is
rewritten from all lines, beside the published figures.

    python benchmarks/recipe_sweep.py --recipes=rgan --datasets=sines \
        --seeds=0,1,2

Evaluation time is excluded from the reported training time.
"""

import collections
import json
import os
import platform
import time

import keras
import numpy as np
from absl import app
from absl import flags

from keras_rgan import recipes
from keras_rgan import train_lib
from keras_rgan.evaluation import discriminative_scores
from keras_rgan.evaluation import predictive_score

PLAIN = {  # The earlier defaults: non-saturating loss, Adam 1e-3 / 0.5.
    # Recipes keep what they meant when they ran: later defaults are off.
    "lr_decay": "none",
    "select_every": 0,
    "latent_dim": 4,
    "sequence_latent_dim": 0,
    "g_learning_rate": 1e-3,
    "d_learning_rate": 1e-3,
    "beta_1": 0.5,
    "generator_ema": 0.0,
    "loss": "non_saturating",
    "d_steps": 1,
}
WGAN = {  # Per-sequence latent code, generator EMA, WGAN-GP.
    **PLAIN,
    "latent_dim": 2,
    "sequence_latent_dim": 4,
    "generator_ema": 0.999,
    "loss": "wgan_gp",
    "d_steps": 2,
    "g_learning_rate": 2e-4,
    "d_learning_rate": 2e-4,
    "beta_1": 0.0,
}
# The recipe that `keras-rgan train`'s defaults (TrainConfig, with its
# default --epochs) are; "default" trains whatever the defaults are now.
# The default keeps the last epoch; its figures are the last epochs of the
# `-d5-select-all` runs (the selection's scoring leaves the training as it
# is: tests/train_lib_test.py).
DEFAULT_RECIPE = "rgan-seq-latent-ema-wgan-cosine-d5"
RECIPES = {
    # "rgan" below is the plain GAN.
    "default": {},
    "rgan": dict(PLAIN),
    "rgan-seq-latent": {**PLAIN, "latent_dim": 2, "sequence_latent_dim": 4},
    "rgan-seq-latent-per-step": {
        **PLAIN,
        "latent_dim": 2,
        "sequence_latent_dim": 4,
        "per_step_logits": True,
    },
    "rgan-64x2-seq-latent": {
        **PLAIN,
        "latent_dim": 2,
        "sequence_latent_dim": 4,
        "units": 64,
        "num_layers": 2,
    },
    "rgan-seq-latent-ema": {
        **PLAIN,
        "latent_dim": 2,
        "sequence_latent_dim": 4,
        "generator_ema": 0.999,
    },
    "rgan-seq-latent-lr2e-4": {
        **PLAIN,
        "latent_dim": 2,
        "sequence_latent_dim": 4,
        "g_learning_rate": 2e-4,
        "d_learning_rate": 2e-4,
    },
    "rgan-seq-latent-ema-lr5e-4": {
        **PLAIN,
        "latent_dim": 2,
        "sequence_latent_dim": 4,
        "generator_ema": 0.999,
        "g_learning_rate": 5e-4,
        "d_learning_rate": 5e-4,
    },
    "rgan-seq-latent-ema-wgan": WGAN,
    # The same with both learning rates decayed to 0 along a half cosine
    # over the run (--epochs sets its length).
    "rgan-seq-latent-ema-wgan-cosine": {**WGAN, "lr_decay": "cosine"},
    # Against the discriminator winning on small data (Stocks): one
    # discriminator update per step, or a larger generator and discriminator.
    "rgan-seq-latent-ema-wgan-cosine-d1": {
        **WGAN,
        "lr_decay": "cosine",
        "d_steps": 1,
    },
    "rgan-seq-latent-ema-wgan-cosine-64": {
        **WGAN,
        "lr_decay": "cosine",
        "units": 64,
    },
    # The cosine recipe keeping its best-scoring epoch (scored every 20 or 10).
    "rgan-seq-latent-ema-wgan-cosine-select": {
        **WGAN,
        "lr_decay": "cosine",
        "select_every": 20,
    },
    "rgan-seq-latent-ema-wgan-cosine-select10": {
        **WGAN,
        "lr_decay": "cosine",
        "select_every": 10,
    },
    # Against the Sines plateau near 0.03 from epoch 80 on: twice the units,
    # or a per-sequence code of 16 dimensions (Sines draws 10 numbers per
    # sequence, a frequency and a phase per feature; 4 cannot carry them).
    "rgan-seq-latent-ema-wgan-cosine-64-select": {
        **WGAN,
        "lr_decay": "cosine",
        "units": 64,
        "select_every": 20,
    },
    "rgan-seq16-latent-ema-wgan-cosine-select": {
        **WGAN,
        "lr_decay": "cosine",
        "sequence_latent_dim": 16,
        "select_every": 20,
    },
    # No per-step noise, only a 16-dimensional per-sequence code: per-step
    # noise made the generated Sines jitter from step to step (real Sines
    # are smooth), which a classifier can see.
    "rgan-seq16-only-ema-wgan-cosine-select": {
        **WGAN,
        "lr_decay": "cosine",
        "latent_dim": 0,
        "sequence_latent_dim": 16,
        "select_every": 20,
    },
    # A stronger critic (5 updates per generator update, as in the WGAN-GP
    # paper) against the roughness of generated Sines; run at 120 epochs to
    # stay in the 15-minute budget.
    "rgan-seq-latent-ema-wgan-cosine-d5-select": {
        **WGAN,
        "lr_decay": "cosine",
        "d_steps": 5,
        "select_every": 20,
    },
    "rgan-seq-latent-ema-wgan-cosine-d5": {
        **WGAN,
        "lr_decay": "cosine",
        "d_steps": 5,
        "select_every": 0,
    },
    # The same, its selection scoring against all training sequences (up to
    # 10,000; train_lib.SELECTION_SEQUENCES) instead of 1,000 as in the
    # -d5-select rows, at 8,400 steps (Sines 120 epochs, Stocks 336).
    "rgan-seq-latent-ema-wgan-cosine-d5-select-all": {
        **WGAN,
        "lr_decay": "cosine",
        "d_steps": 5,
        "select_every": 20,
    },
    # The RGAN paper's critic: a score per step, averaged over time.
    "rgan-seq-latent-ema-wgan-cosine-per-step-select": {
        **WGAN,
        "lr_decay": "cosine",
        "per_step_logits": True,
        "select_every": 20,
    },
    # TimeGAN's own recipe (keras_rgan.recipes.TIMEGAN) when it ran: the
    # paper's networks, Adam 1e-3 / 0.5, its own losses (no loss, d_steps or
    # lr_decay to choose).
    "timegan": {
        "model": "timegan",
        "select_every": 0,
        "units": 24,
        "num_layers": 3,
        "latent_dim": 5,
        "sequence_latent_dim": 0,
        "embedding_epochs": 20,
        "supervised_epochs": 20,
        "g_learning_rate": 1e-3,
        "d_learning_rate": 1e-3,
        "beta_1": 0.5,
        "generator_ema": 0.0,
    },
    "crgan-tanh": {**PLAIN, "model": "crgan", "cell": "tanh"},
    "crgan-lstm-seq-latent": {
        **PLAIN,
        "model": "crgan",
        "cell": "lstm",
        "latent_dim": 2,
        "sequence_latent_dim": 4,
    },
}
PUBLISHED = {  # TimeGAN paper, Table 2 (see docs/quality.md)
    "sines": {
        "TimeGAN": (".011 ± .008", ".093 ± .019"),
        "RCGAN": (".022 ± .008", ".097 ± .001"),
    },
    "stocks": {
        "TimeGAN": (".102 ± .021", ".038 ± .001"),
        "RCGAN": (".196 ± .027", ".040 ± .001"),
    },
}
NOTES = [  # Appended to quality.md: what the rows above cannot say.
    "- `rgan-seq-latent-ema-wgan-cosine` is the default of `keras-rgan train` "
    "(at its default 200 epochs): `rgan-seq-latent-ema-wgan` with both "
    "learning rates decayed to 0 along a half cosine over the run "
    "(`--lr_decay`). Its scores still swing between evaluation points in "
    "mid-run; the decay makes the end of the run settle (Sines, seeds 0 to 2, "
    "final 0.006 / 0.026 / 0.033).",
    "- `rgan-seq-latent-ema-wgan` rows with 3 seeds were labelled `default` "
    "when they ran (it was the default then); at 100 epochs (7,000 steps) "
    "their Sines curves gave 0.064 ± 0.007.",
    "- Each discriminative score is itself noisy: its 3 classifier runs often "
    "differ by 0.02 to 0.05 on one model (`discriminative_runs` in "
    "quality.jsonl).",
    "- Train times: most runs shared the 2-core CPU with other jobs (other "
    "trainings, the test suite), which stretched them 1.5 to 3 times. On the "
    "idle machine the default recipe's step takes about 23 ms with the "
    "recurrences unrolled (`--unroll=auto`, from this session) and 38 ms as a "
    "loop (benchmarks/results/train_step.md): 200 Sines epochs (14,000 steps) "
    "are about 5.5 minutes of steps.",
    "- Stocks with the decay: at 200 epochs (5,000 steps, the default) one "
    "seed scored 0.248; at 150 epochs (3,750 steps) three seeds scored 0.351, "
    "0.154 and 0.195 (0.233 ± 0.085); at 560 epochs (14,000 steps, as many "
    "steps as the Sines default) three seeds scored 0.361, 0.302 and 0.430.",
    "- Stocks without the decay at 150 epochs: seeds 0 to 2 (session 2, scored "
    "every 25 epochs) 0.145, 0.244, 0.029 (0.139 ± 0.088); seeds 3 to 5 (this "
    "session, every 50 epochs, grouped with session 2's one-seed row of the "
    "same interval) 0.275, 0.367, 0.224. Over all six seeds: 0.214 ± 0.105, "
    "above RCGAN's .196: the earlier three-seed row was a lucky draw. No "
    "recipe measured so far meets the Stocks target over more than three "
    "seeds; at every length the Stocks curves still swing by 0.1 to 0.2 "
    "between evaluation points.",
    "- Stocks, 200 epochs with the decay, scored every 100 epochs (with the "
    "fused LSTM kernel): one discriminator update per step "
    "(`-cosine-d1`) 0.359, 0.384, 0.383, worse than the default's two; 64 "
    "units (`-cosine-64`) one seed, 0.144 at 100 epochs and 0.271 at 200 "
    "(its other seeds were not run).",
    "- `rgan-seq-latent-ema-wgan-cosine-select` (the default of `keras-rgan "
    "train` from session 5): the cosine recipe with `--select_every=20`: every "
    "20 epochs `KeepBestSamples` scores the samples (2 classifiers of 1,000 "
    "steps against 1,000 training sequences) and the best epoch's model is "
    "kept. Each run has two points: the last epoch's model (scored by "
    "ScoreCurve before the selection restores) and the selected model, "
    "scored again with 5 fresh classifiers and fresh samples "
    "(`selected_epoch`). Stocks, 200 epochs, seeds 0 to 2: selected epochs "
    "140, 200 and 100; selected 0.041, 0.118 and 0.273 (0.144 ± 0.097) "
    "against 0.220, 0.227 and 0.318 (0.255 ± 0.045) for the last epoch of "
    "the same runs. Selection and the reported score compare with the same "
    "training sequences (other classifiers, other samples), as choosing a "
    "checkpoint by a validation score would. The selection's scoring took "
    "240 to 276 s of each run (about 25 s per scoring; its time is included "
    "in the row's time). `-select10` (every 10 epochs, seed 0) chose epoch "
    "140 too.",
    "- Sines with selection (the default), 200 epochs, seeds 0 to 2 (seed 0 "
    "in session 5, 1 and 2 in session 6): the selection chose epochs 100, "
    "80 and 120; selected 0.027, 0.030 and 0.038 (0.032 ± 0.005) against "
    "0.030, 0.033 and 0.033 for the last epochs: above RCGAN's .022, and "
    "selection does not help here, since from epoch 80 on the selection's "
    "scores sit on a plateau (0.025 to 0.05) inside their own noise. "
    "Predictive 0.201, 0.194, 0.205 (real data 0.187). Seed 0 shared the "
    "CPU with the test suite (34 min in all); seed 2 ran alone: 6.7 min of "
    "steps and 1.6 min of selection scoring (8.3 min). The earlier "
    "`-cosine` rows without selection (0.006, 0.026, 0.033) had one lucky "
    "seed: the same recipe's last epochs here are 0.030 to 0.033.",
    "- Against that plateau (session 6, Sines, 200 epochs, selection every "
    "20): a 16-dimensional per-sequence code (`rgan-seq16-...`, seed 0; Sines "
    "draws 10 numbers per sequence) scored 0.030 at the last epoch and 0.034 "
    "selected, no better; 64 units (`-cosine-64-select`, seed 0) scored 0.057 "
    "at the last epoch after 13.3 min of steps (over budget with the "
    "selection; stopped before its selected model was rescored, so it has no "
    "row); the RGAN paper's critic, a score per step averaged over time "
    "(`-per-step-select`, seed 0), was far worse with WGAN-GP: 0.371 at the "
    "last epoch, 0.276 selected. No per-step noise and a 16-dimensional code "
    "(`rgan-seq16-only-...`, seed 0), against the step-to-step jitter seen in "
    "generated Sines (the shipped Sines export's mean absolute second "
    "difference is 0.017, real Sines' 0.0007): 0.041 at the last epoch and "
    "selected, worse. What the generated Sines get wrong is measured by "
    "`benchmarks/sines_shape.py` (results/sines_shape.md): step-to-step "
    "roughness, distance from any sine, the spread of first values.",
    "- A stronger critic on Sines (`-cosine-d5-select`: 5 critic updates per "
    "generator update, 120 epochs, 8,400 steps, 8.3 min of steps and 1.1 of "
    "selection scoring, seed 0): 0.016 at the last epoch with predictive "
    "0.188 (real data 0.187); the selection chose epoch 60, which rescored "
    "0.023. The first recipe below RCGAN's .022 at its last epoch on this "
    "seed. Seeds 1 and 2: last epoch 0.013 and 0.017 (3 seeds: 0.015 ± 0.002, "
    "below RCGAN's .022, not yet the default), selected 0.016 and 0.028 (the "
    "selection chose worse epochs on noisy scores); predictive 0.194 and "
    "0.202.",
    "- The same on Stocks at 120 epochs (3,000 steps; session 7, 5 "
    "classifiers per score): the selection chose the last epoch on all 3 "
    "seeds, so each seed's two scores are one model scored twice: 0.141 and "
    "0.334, 0.234 and 0.134, 0.227 and 0.206 (10-classifier means 0.238, "
    "0.184, 0.217: 0.213, above RCGAN's .196). The selection's own scores "
    "were still falling at the end (0.11, 0.05, 0.04), so Stocks was "
    "under-trained: 120 epochs of 25 batches are 3,000 steps, Sines' 120 "
    "are 8,400. At 336 Stocks epochs (8,400 steps, seed 0, 10 classifiers, "
    "selection against 1,000 sequences): 0.312 at epoch 112, 0.054 at 224, "
    "0.075 at 336, the selected epoch 260 0.021; 7.3 min of steps and 3.0 "
    "of selection on the idle machine. Hence the default's budget in steps "
    "(8,400: `recipes.DEFAULT_TRAIN_STEPS`) instead of epochs.",
    "- `-d5-select-all` is the default since session 7: the d5 recipe at "
    "8,400 steps, its selection scoring against all training sequences (up "
    "to 10,000; 1,000 before) to cut the selection's noise, and every "
    "reported score the mean of 10 classifiers.",
    "- Single classifiers disagree wildly on Stocks: the 15 classifier runs "
    "behind the selected Stocks scores range from 0.001 to 0.459, and one "
    "model (seed 1, epoch 200) scored 0.227 with five classifiers and 0.118 "
    "with five others. The standard error of the 3-seed mean is about "
    "0.06 (0.097 / √3) on Stocks.",
    "- Stocks, cosine over 100 epochs (one seed, an interrupted sweep, no "
    "row): 0.329 at epoch 100.",
    "- `timegan`: one seed; 20 embedding, 20 supervised and 60 joint epochs "
    "with the plain optimizer settings (Adam 1e-3, beta_1 0.5).",
]
RESULTS_DIR = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "results"
)

_RECIPES = flags.DEFINE_list(
    "recipes", ["rgan"], f"Recipes: {', '.join(RECIPES)}."
)
_DATASETS = flags.DEFINE_list(
    "datasets", ["sines"], "Data sets: sines, stocks."
)
_SEEDS = flags.DEFINE_list("seeds", ["0"], "Training seeds.")
_EPOCHS = flags.DEFINE_integer(
    "epochs",
    None,
    "Training epochs per run (default: keras-rgan train's, "
    f"{recipes.DEFAULT_TRAIN_STEPS:,} steps).",
)
_EVAL_EVERY = flags.DEFINE_integer(
    "eval_every", 25, "Epochs between evaluations."
)
_PREDICTIVE = flags.DEFINE_bool(
    "predictive", True, "Also compute the predictive score."
)
_CLASSIFIER_RUNS = flags.DEFINE_integer(
    "classifier_runs",
    3,
    "Fresh post-hoc classifiers (seeds) per discriminative score; their mean "
    "is reported, as the paper's mean over runs.",
)
_OUTPUT = flags.DEFINE_string(
    "output",
    os.path.join(RESULTS_DIR, "recipe_sweep.jsonl"),
    "JSON-lines results file.",
)


class ScoreCurve(keras.callbacks.Callback):
    """Scores the model every `every` epochs and after the last; keeps
    training time apart."""

    def __init__(self, real, every, predictive, classifier_runs):
        super().__init__()
        self.real, self.every, self.predictive = real, every, predictive
        self.classifier_runs = classifier_runs
        self.points = []
        self.training_seconds = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.training_seconds += time.perf_counter() - self._start
        last = epoch + 1 == self.params.get("epochs")
        if (epoch + 1) % self.every and not last:
            return
        self.score(self.model, epoch)

    def score(self, model, epoch, selected_epoch=None, steps=None):
        """Appends a point for `model` after `epoch` (from 0) epochs, or for
        the model of `selected_epoch` (from 1) chosen by the end of `epoch`."""
        offset = 0 if selected_epoch is None else 500
        synthetic = model.generate(len(self.real), seed=epoch + offset)
        runs = discriminative_scores(
            self.real,
            synthetic,
            runs=self.classifier_runs,
            seed=1000 * epoch + offset,
            scaler=model.scaler,
        )
        point = {
            "epoch": epoch + 1,
            "steps": steps or int(model.g_optimizer.iterations),
            "train_seconds": round(self.training_seconds, 1),
            "discriminative": float(np.mean(runs)),
            "discriminative_runs": runs,
        }
        if selected_epoch is not None:
            point["selected_epoch"] = selected_epoch
        if self.predictive:
            point["predictive"] = predictive_score(
                self.real, synthetic, scaler=model.scaler, seed=epoch + offset
            )
        print(json.dumps(point), flush=True)
        self.points.append(point)


def run(recipe, dataset, seed):
    config = train_lib.TrainConfig.from_options(
        dataset=dataset,
        seed=seed,
        epochs=_EPOCHS.value,
        verbose=0,
        **RECIPES[recipe],
    )
    prepared = train_lib.prepare(config)
    data = prepared.data
    curve = ScoreCurve(
        data.train.sequences,
        _EVAL_EVERY.value,
        _PREDICTIVE.value,
        _CLASSIFIER_RUNS.value,
    )
    result = train_lib.train(config, callbacks=[curve], prepared=prepared)
    epochs = prepared.config.run.epochs
    if result.selection and result.selection.best_epoch:
        # The model train() returns is the epoch KeepBestSamples chose: score
        # it with fresh classifiers (other seeds) and samples. Its time
        # includes the selection's scoring.
        curve.training_seconds += result.selection.seconds
        curve.score(
            result.model,
            epochs - 1,
            selected_epoch=result.selection.best_epoch,
            steps=epochs * data.steps_per_epoch,
        )
    return {
        "classifier_runs": _CLASSIFIER_RUNS.value,
        "recipe": recipe,
        "dataset": dataset,
        "seed": seed,
        "batch_size": config.data.batch_size,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores (CPU)",
        "date": time.strftime("%Y-%m-%d"),
        "curve": curve.points,
        **(
            {
                "selection_scores": result.selection.scores,
                "selection_seconds": round(result.selection.seconds, 1),
            }
            if result.selection
            else {}
        ),
    }


def _mean_std(values):
    return f"{np.mean(values):.3f} ± {np.std(values):.3f}" if values else "n/a"


def write_markdown(rows, path):
    groups = collections.defaultdict(list)
    for row in rows:  # Runs of one recipe but other lengths (or scoring
        # intervals, which were sweeps of their own) stay apart.
        curve = row["curve"] or [{"steps": 0, "epoch": 0}]
        key = (
            row["dataset"],
            row["recipe"],
            curve[-1]["steps"],
            curve[0]["epoch"],
        )
        groups[key].append(row)
    lines = [
        "# Recipe sweep (measured by benchmarks/recipe_sweep.py)",
        "",
        "Rows up to 2026-12-02 scored with the earlier discriminative score "
        "(each classifier step drew 128 sequences from the mixed pool; the "
        "reference draws 128 real and 128 synthetic): lower than the "
        "reference's figures. The quality suite (`benchmarks/quality.py`, "
        "results/quality.md) re-measures with the reference's score.",
        "",
        "Discriminative and predictive scores as defined in docs/quality.md "
        "(lower is better), synthetic set the size of the real one. `final` "
        "is the model at the end of training; `best` the best evaluated point "
        "of each run (choosing it needs a score computed during training). "
        "Mean ± std over training seeds; each discriminative score is itself "
        "the mean of `classifier_runs` fresh classifiers (1 in the earliest "
        "rows). Time is training time on the machine named, excluding "
        "evaluation.",
        "",
        "| data | recipe | seeds | steps | train time | disc. (final) "
        "| disc. (best) | pred. (final) | machine |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for (dataset, recipe, *_), runs in sorted(groups.items()):
        finals = [r["curve"][-1] for r in runs if r["curve"]]
        best = [
            min(p["discriminative"] for p in r["curve"])
            for r in runs
            if r["curve"]
        ]
        predictive = [p["predictive"] for p in finals if "predictive" in p]
        lines.append(
            f"| {dataset} | {recipe} | {len(runs)} | "
            f"{int(np.mean([p['steps'] for p in finals]))} | "
            f"{np.mean([p['train_seconds'] for p in finals]) / 60:.1f} min | "
            f"{_mean_std([p['discriminative'] for p in finals])} | "
            f"{_mean_std(best)} | "
            f"{_mean_std(predictive)} | "
            f"{runs[0]['machine']} |"
        )
    lines += [
        "",
        "## Published (TimeGAN paper, Table 2)",
        "",
        "| data | model | disc. | pred. |",
        "|---|---|---|---|",
    ]
    for dataset, models in PUBLISHED.items():
        for model, (disc, pred) in models.items():
            lines.append(f"| {dataset} | {model} | {disc} | {pred} |")
    lines += ["", "## Score against training time", ""]
    for (dataset, recipe, *_), runs in sorted(groups.items()):
        for r in runs:
            curve = ", ".join(
                f"{p['train_seconds'] / 60:.1f} min: {p['discriminative']:.3f}"
                for p in r["curve"]
            )
            lines.append(f"- {dataset} / {recipe} / seed {r['seed']}: {curve}")
    lines += ["", "## Notes", ""] + NOTES
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main(argv):
    del argv
    unknown = set(_RECIPES.value) - set(RECIPES)
    if unknown:
        raise app.UsageError(f"Unknown recipes {sorted(unknown)}.")
    os.makedirs(os.path.dirname(_OUTPUT.value), exist_ok=True)
    for dataset in _DATASETS.value:
        for recipe in _RECIPES.value:
            for seed in _SEEDS.value:
                row = run(recipe, dataset, int(seed))
                with open(_OUTPUT.value, "a") as f:
                    f.write(json.dumps(row) + "\n")
    with open(_OUTPUT.value) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    markdown = os.path.splitext(_OUTPUT.value)[0] + ".md"
    write_markdown(rows, markdown)
    print(open(markdown).read())


if __name__ == "__main__":
    app.run(main)
