"""The privacy-utility table: what differentially private training costs.

Each row is `keras-rgan train` (through `train_lib`) of RGAN with the
private defaults (the recipe for `recipes.PRIVATE_TRAIN_STEPS` steps; a
row's `--options` change it, e.g. one critic update a step) at a target
epsilon, or the same without DP, scored by `keras-rgan
evaluate` (`evaluate_lib`): discriminative and predictive scores, and the
two membership-inference attacks (training sequences against held-out
ones). Stocks holds out 4 blocks spread through the series
(`--holdout_blocks=4`), so members and non-members share neither days nor
price levels. `--step_cost` times a private discriminator step against the
usual one, side by side in one process.

    python benchmarks/privacy.py --sets=sines,stocks --epsilons=none,10,3,1
    python benchmarks/privacy.py --step_cost --sets= --epsilons=

Rows are appended to `benchmarks/results/privacy.jsonl`; `privacy.md` is
rewritten from all of them.
"""

import json
import os
import sys
import tempfile
import time

import keras
from absl import app
from absl import flags

from keras_rgan import evaluate_lib
from keras_rgan import recipes
from keras_rgan import train_lib
from keras_rgan.data.sines import sine_waves

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import machine  # noqa: E402

SETS = {
    "sines": {"dataset": "sines"},
    "stocks": {"dataset": "stocks", "holdout_blocks": 4},
}
PRIVATE_RECIPE = "private defaults"
RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")

_SETS = flags.DEFINE_list("sets", ["sines", "stocks"], "Data sets.")
_EPSILONS = flags.DEFINE_list(
    "epsilons", ["none", "10", "3", "1"], "Target epsilons (none: no DP)."
)
_SEED = flags.DEFINE_integer("seed", 0, "Training and scoring seed.")
_SCORE_RUNS = flags.DEFINE_integer(
    "score_runs", 5, "Classifiers per discriminative score."
)
_STEP_COST = flags.DEFINE_bool(
    "step_cost", False, "Time private against usual train steps."
)
_OPTIONS = flags.DEFINE_string(
    "options",
    "{}",
    "JSON object of train options over the private recipe, for every row "
    '(e.g. {"d_steps": 5}); name the rows with --variant.',
)
_VARIANT = flags.DEFINE_string(
    "variant", PRIVATE_RECIPE, "Row name of --options."
)
_OUTPUT = flags.DEFINE_string(
    "output", os.path.join(RESULTS, "privacy.jsonl"), "JSON-lines file."
)


def run(set_name, target_epsilon, seed, work_dir):
    """One training and evaluation; the JSON row."""
    private = (
        {} if target_epsilon is None else {"target_epsilon": target_epsilon}
    )
    # Without DP, the private recipe's step count, so the rows differ only
    # in DP.
    options = json.loads(_OPTIONS.value)
    config = train_lib.TrainConfig.from_options(
        model="rgan",
        unroll="on",
        seed=seed,
        verbose=0,
        export_dir=os.path.join(work_dir, "export"),
        **private,
        **{**SETS[set_name], **options},
    )
    prepared = train_lib.prepare(config)
    if not private and "epochs" not in options:
        steps_per_epoch = prepared.data.steps_per_epoch
        epochs = train_lib.num_epochs(
            None, recipes.PRIVATE_TRAIN_STEPS, steps_per_epoch
        )
        prepared = train_lib.prepare(config.replace(epochs=epochs))
    result = train_lib.train(config, prepared=prepared)
    scores, table = evaluate_lib.evaluate(
        evaluate_lib.EvaluateConfig(
            saved_model=result.export_path,
            output_dir=os.path.join(work_dir, "evaluate"),
            seed=seed,
            score_runs=_SCORE_RUNS.value,
        )
    )
    print(table, flush=True)
    plan = prepared.privacy
    return {
        "set": set_name,
        "variant": _VARIANT.value,
        "options": options,
        "d_steps": result.model.d_steps,
        "target_epsilon": target_epsilon,
        "seed": seed,
        "train_shape": list(prepared.data.train.sequences.shape),
        "batch_size": prepared.data.spec.batch_size,
        "epochs": len(result.history.epoch),
        "steps": int(result.model.g_optimizer.iterations),
        "noise_multiplier": plan and plan.noise_multiplier,
        "epsilon": scores["privacy"].get("epsilon"),
        "delta": scores["privacy"].get("delta"),
        "train_seconds": round(result.seconds, 1),
        "machine": machine.describe(),
        "date": machine.today(),
        "scores": {
            key: scores.get(key)
            for key in (
                "discriminative",
                "discriminative_floor",
                "predictive",
                "predictive_real",
                "membership_distance",
                "membership_discriminator",
            )
        },
    }


def step_cost(rounds=5, steps=40):
    """Seconds per train step of RGAN's private and usual discriminator
    step (Sines 24 x 5, batch 128, one critic update, unrolled), timed in
    alternating rounds of `steps` after a warm-up."""
    data = sine_waves(128 * steps, 24, 5, seed=0).astype("float32")
    models = {
        name: recipes_model(private)
        for name, private in (("usual", False), ("private", True))
    }
    times = {name: [] for name in models}
    for name, model in models.items():
        model.fit(data[:256], batch_size=128, epochs=1, verbose=0)
    for _ in range(rounds):
        for name, model in models.items():
            start = time.perf_counter()
            model.fit(data, batch_size=128, epochs=1, verbose=0)
            times[name].append((time.perf_counter() - start) / steps)
    usual, private, ratio = machine.medians(times["usual"], times["private"])
    return {
        "kind": "step_cost",
        "usual_seconds": usual,
        "private_seconds": private,
        "ratio": ratio,
        "rounds": times,
        "machine": machine.describe(),
        "date": machine.today(),
    }


def recipes_model(private):
    from keras_rgan.models.rgan import RGAN

    dp = dict(dp_l2_norm_clip=1.0, dp_noise_multiplier=1.0) if private else {}
    keras.utils.set_random_seed(0)
    return RGAN.from_recipe(
        5, seq_len=24, unroll="on", d_steps=1, steps_per_execution=8, **dp
    )


def _cell(attack, key):
    if not attack or key not in attack:
        return "—"
    return f"{attack[key]:.3f}"


def write_markdown(rows, path):
    runs = [r for r in rows if r.get("kind") != "step_cost"]
    costs = [r for r in rows if r.get("kind") == "step_cost"]
    lines = [
        "# Privacy and utility (measured by benchmarks/privacy.py)",
        "",
        "RGAN with the private defaults (RGAN's recipe for "
        f"{recipes.PRIVATE_TRAIN_STEPS:,} steps of 128, unrolled; rows "
        "named otherwise change one option) at each target epsilon, and "
        "the same without DP. Delta is "
        "1/n^1.1 for n training sequences. Discriminative score: mean of "
        "the classifiers' runs (lower is better; the floor of real against "
        "real is in the quality table); predictive: train on synthetic, "
        "test on real (MAE). Membership attacks: AUC of training sequences "
        "against held-out ones (0.5: no leak), and the true-positive rate "
        "at 1% false positives. Stocks holds out 4 blocks spread through "
        "the series (`--holdout_blocks=4`), so members and non-members "
        "share neither days nor price levels. One seed per row; times as "
        "measured on the machine named below, other jobs sharing its CPU.",
        "",
        "| data | recipe | epsilon (target) | delta | noise multiplier | "
        "steps x critic updates | train min | disc. | pred. | attack AUC: "
        "distance | TPR@1%FPR | attack AUC: discriminator | TPR@1%FPR |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    order = {None: 0}
    for row in sorted(
        runs,
        key=lambda r: (
            r["set"],
            r.get("variant", PRIVATE_RECIPE),
            order.get(r["target_epsilon"], 1),
            -(r["target_epsilon"] or 0),
        ),
    ):
        s = row["scores"]
        target = row["target_epsilon"]
        epsilon = (
            "no DP" if target is None else f"{row['epsilon']:.2f} ({target:g})"
        )
        delta = "—" if row["delta"] is None else f"{row['delta']:.1e}"
        noise = (
            "—"
            if row["noise_multiplier"] is None
            else f"{row['noise_multiplier']:.2f}"
        )
        distance, logit = (
            s["membership_distance"],
            s["membership_discriminator"],
        )
        lines.append(
            f"| {row['set']} | {row.get('variant', PRIVATE_RECIPE)} | "
            f"{epsilon} | {delta} | {noise} | "
            f"{row['steps']:,} x {row.get('d_steps', 1)} | "
            f"{row['train_seconds'] / 60:.1f} | "
            f"{s['discriminative']:.3f} | {s['predictive']:.4f} | "
            + " | ".join(
                _cell(attack, key)
                for attack in (distance, logit)
                for key in ("auc", "tpr_at_1pct_fpr")
            )
            + " |"
        )
    if costs:
        cost = costs[-1]
        lines += [
            "",
            "## Cost of a private step",
            "",
            "RGAN's recipe on Sines 24 x 5, batch 128, one discriminator "
            "update per step, unrolled; median seconds per train step over "
            f"{len(cost['rounds']['usual'])} alternating rounds in one "
            "process, after a warm-up:",
            "",
            "| usual step | private step | private / usual |",
            "|---|---|---|",
            f"| {cost['usual_seconds']:.4f} s | {cost['private_seconds']:.4f} "
            f"s | {cost['ratio']:.2f}x |",
        ]
    machines = sorted({r["machine"] for r in rows})
    lines += ["", "Machine: " + "; ".join(machines) + "."]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main(argv):
    del argv
    unknown = set(_SETS.value) - set(SETS)
    if unknown:
        raise app.UsageError(f"Unknown data sets {sorted(unknown)}.")
    epsilons = [None if e == "none" else float(e) for e in _EPSILONS.value]

    def keep(row):
        with open(_OUTPUT.value, "a") as f:
            f.write(json.dumps(row) + "\n")
        print(json.dumps(row), flush=True)

    if _STEP_COST.value:
        keep(step_cost())
    for set_name in _SETS.value:
        for target in epsilons:
            with tempfile.TemporaryDirectory() as work_dir:
                keep(run(set_name, target, _SEED.value, work_dir))
    with open(_OUTPUT.value) as f:
        rows = [json.loads(line) for line in f if line.strip()]
    markdown = os.path.splitext(_OUTPUT.value)[0] + ".md"
    write_markdown(rows, markdown)
    print(open(markdown).read())


if __name__ == "__main__":
    app.run(main)
