"""Prepare data -> build model -> fit -> save -> export: what
`keras-rgan train` runs, plain Python, testable without flags."""

import dataclasses
import time

import keras
import tensorflow as tf

from keras_rgan import distribute
from keras_rgan import model_dir as model_dir_lib
from keras_rgan import recipes
from keras_rgan.callbacks import DivergenceGuard
from keras_rgan.callbacks import KeepBestSamples
from keras_rgan.callbacks import PrivacyBudget
from keras_rgan.callbacks import TrainingDiverged
from keras_rgan.config import TrainConfig
from keras_rgan.data.prepared import prepare as prepare_data
from keras_rgan.export import check_export_options
from keras_rgan.export import export_saved_model
from keras_rgan.models.crgan import CRGAN
from keras_rgan.models.latent_gan import LatentGAN
from keras_rgan.models.rgan import RGAN
from keras_rgan.models.timegan import TimeGAN
from keras_rgan.privacy import DpTraining

MODELS = {
    "rgan": RGAN,
    "crgan": CRGAN,
    "timegan": TimeGAN,
    "latent_gan": LatentGAN,
}

__all__ = ["TrainConfig", "TrainingDiverged", "prepare", "train"]


@dataclasses.dataclass
class Preparation:
    """Everything a run needs, made before any training: the config with
    its epochs (and noise multiplier) resolved, the prepared data, the
    compiled model, the strategy it was built under and, for private
    training, its `DpTraining` plan."""

    config: TrainConfig
    data: object  # keras_rgan.data.prepared.PreparedData
    model: keras.Model
    strategy: tf.distribute.Strategy
    privacy: DpTraining | None = None


@dataclasses.dataclass
class TrainResult:
    model: keras.Model
    history: keras.callbacks.History
    export_path: str | None
    model_path: str | None
    feature_names: list
    seconds: float
    # The `KeepBestSamples` callback of `select_every` (scores, best epoch).
    selection: KeepBestSamples | None = None


def num_epochs(epochs, train_steps, steps_per_epoch):
    """`epochs`, or for None as many epochs of `steps_per_epoch` train steps
    as make about `train_steps` (at least one).

    >>> num_epochs(None, 8400, steps_per_epoch=70)  # Sines
    120
    >>> num_epochs(3, 8400, steps_per_epoch=70)
    3
    """
    if epochs is not None:
        return epochs
    return max(1, round(train_steps / max(1, steps_per_epoch)))


def build_model(config, data, epochs):
    """The compiled GAN `config` names, from its recipe, for `data` (a
    `PreparedData`: its scaler, labels and lengths) trained `epochs` epochs,
    private if `config.privacy` says so (its noise multiplier resolved).
    """
    private = config.privacy.enabled
    return MODELS[config.model.name].for_data(
        data,
        seed=config.run.seed,
        steps_per_execution=distribute.steps_per_execution(
            config.run.steps_per_execution, data.steps_per_epoch
        ),
        jit_compile=config.run.jit_compile,
        dp_l2_norm_clip=config.privacy.dp_l2_norm_clip if private else None,
        dp_noise_multiplier=config.privacy.dp_noise_multiplier,
        **{
            **config.recipe_options(),
            "train_steps": epochs * data.steps_per_epoch,
        },
    )


def prepare(config):
    """Reads the data and builds the model `config` asks for: every check
    of the user's input runs here, before any training.

    A multi-worker strategy is made first, before other TensorFlow work.
    """
    strategy = distribute.make_strategy(config.run.strategy)
    if config.run.export_dir:
        check_export_options(config.run.export_dir, config.run.max_num_samples)
    data = prepare_data(config.data, config.run.seed)
    private = config.privacy.enabled
    chosen_by_auto = config.model.name == "auto"
    if chosen_by_auto:
        # Resolved here: saved, exported and resumed as the model's name.
        config = config.replace(
            model=recipes.auto_model(data.numeric_windows, private)
        )
    if private:
        config = _private_run(config, data)
    try:
        recipe = recipes.resolve(config.model.name, config.recipe_options())
    except ValueError as error:
        if not chosen_by_auto:
            raise
        raise ValueError(
            f"--model=auto chose {config.model.name} for windows of "
            f"{data.spec.seq_len} steps x {data.num_features} features, and "
            f"{error} Name the model with --model."
        ) from None
    train_steps = recipe["train_steps"]
    if private:
        train_steps = recipes.PRIVATE_TRAIN_STEPS
    epochs = num_epochs(config.run.epochs, train_steps, data.steps_per_epoch)
    # epochs=None resolved here: saved, exported and resumed as a number.
    config = config.replace(epochs=epochs)
    plan = None
    if private:
        plan = _privacy_plan(config, data, recipe, epochs)
        # Resolved here too: a resume recomputes the same noise multiplier
        # for the same planned steps, or the model_dir check names it.
        config = config.replace(
            dp_noise_multiplier=plan.noise_multiplier, dp_delta=plan.delta
        )
    if config.run.model_dir:
        model_dir_lib.check(config.run.model_dir, config.to_json())
    keras.utils.set_random_seed(config.run.seed)
    if config.run.deterministic:
        # Same seed, same machine -> bit-identical weights and samples.
        tf.config.experimental.enable_op_determinism()
    with strategy.scope():
        model = build_model(config, data, epochs)
    return Preparation(config, data, model, strategy, plan)


def _private_run(config, data):
    """`config` for differentially private training (unrolled recurrences,
    which per-sequence gradients need), or a `ValueError` naming what
    private training cannot do with it."""
    run = config.run
    refusals = [
        (
            not data.train_in_memory,
            "--stream (each batch is drawn from all "
            "training sequences, which a stream does not hold)",
        ),
        (
            run.select_every,
            "--select_every (choosing the best epoch reads real training data)",
        ),
        (
            run.strategy == "multi_worker",
            "--strategy=multi_worker (each "
            "worker would draw its own batches; use mirrored)",
        ),
        (
            config.model.unroll == "off",
            "--unroll=off (per-sequence gradients need unrolled recurrences)",
        ),
    ]
    refused = [reason for refuse, reason in refusals if refuse]
    if refused:
        raise ValueError(
            "Differentially private training cannot run with "
            + "; ".join(refused)
            + "."
        )
    return config.replace(unroll="on")


def _privacy_plan(config, data, recipe, epochs):
    settings = config.privacy
    return DpTraining.planned(
        num_examples=data.num_sequences,
        batch_size=data.spec.batch_size,
        steps=epochs * data.steps_per_epoch,
        target_epsilon=settings.target_epsilon,
        noise_multiplier=settings.dp_noise_multiplier,
        l2_norm_clip=settings.dp_l2_norm_clip,
        delta=settings.dp_delta,
        per_batch=recipe.get("d_steps", 1),
    )


def train(config, callbacks=None, prepared=None):
    """Trains a GAN as `config` says, saves it and exports it.

    Trains with `model.fit` on the prepared data's tf.data pipeline, saves
    `model_dir/model.keras` (if `model_dir` is set) and exports the next
    version under `export_dir` (if set). With `model_dir`, the same call
    after a crash resumes from the last completed epoch (`model_dir.py`); a
    NaN or infinite loss stops training with `TrainingDiverged` naming the
    step. With `select_every`, the saved and exported model is the one of
    the epoch whose samples scored best (`KeepBestSamples`).

    Args:
        config: a `TrainConfig`.
        callbacks: list of extra Keras callbacks.
        prepared: the `Preparation` of `prepare(config)`, if already made.

    Returns:
        A `TrainResult`.

    Example:

    >>> config = TrainConfig.from_options(
    ...     num_sequences=64, batch_size=32, seq_len=8, units=4, epochs=1,
    ...     verbose=0)
    >>> train(config).model.generate(2, seed=0).shape
    (2, 8, 5)
    """
    prepared = prepared or prepare(config)
    config, data, model = prepared.config, prepared.data, prepared.model
    strategy, plan = prepared.strategy, prepared.privacy
    run = config.run
    selection = None
    callbacks = list(callbacks or []) + [DivergenceGuard()]
    budget = plan and PrivacyBudget(
        plan, data.steps_per_epoch, verbose=run.verbose != 0
    )
    if budget:
        callbacks.append(budget)
    if run.select_every:
        selection = KeepBestSamples.for_data(
            data, run.select_every, run.seed, verbose=run.verbose != 0
        )
        callbacks.append(selection)
    model_dir = run.model_dir and distribute.worker_dir(run.model_dir, strategy)
    if model_dir:
        callbacks += model_dir_lib.callbacks(
            model_dir,
            config.to_json(),
            real=data.train.sequences,
            write_logs=distribute.is_chief(strategy),
        )
    start = time.perf_counter()
    history = _fit(model, data, run, callbacks, model_dir, plan is not None)
    seconds = time.perf_counter() - start
    model_path = model_dir and model_dir_lib.save(model, model_dir)
    export_path = None
    if run.export_dir and distribute.is_chief(strategy):
        export_path = export_saved_model(
            model,
            run.export_dir,
            feature_names=data.feature_names,
            max_num_samples=run.max_num_samples,
            metadata={
                "data": data.record(),
                "history": history.history,
                "training_seconds": round(seconds, 1),
                **({"selection": selection.metadata()} if selection else {}),
                **(
                    {"privacy": _privacy_record(budget, data)} if budget else {}
                ),
            },
        )
    return TrainResult(
        model,
        history,
        export_path,
        model_path or None,
        data.feature_names,
        seconds,
        selection,
    )


def _privacy_record(budget, data):
    """The export's privacy record: the budget spent, and whether the
    scaler's bounds are public (`value_bounds`) or read from the data."""
    return {
        **budget.record(),
        "public_bounds": data.spec.value_bounds is not None,
    }


def _fit(model, data, run, callbacks, model_dir, sampled):
    try:
        return model.fit(
            data.dataset(sampled=sampled),
            epochs=run.epochs,
            callbacks=callbacks,
            shuffle=False,
            verbose="auto" if run.verbose is None else run.verbose,
        )
    except TrainingDiverged as error:
        where = (
            "the last good weights (end of the last completed epoch) are in "
            f"{model_dir_lib.backup_dir(model_dir)}"
            if model_dir
            else "no weights were kept: pass model_dir to keep the last good "
            "ones"
        )
        raise TrainingDiverged(f"Training diverged: {error} {where}.") from None
