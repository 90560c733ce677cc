"""The `keras-rgan` command line: `train`, `generate` and `evaluate`.

  keras-rgan train --dataset=sines --export_dir=saved_models/sines
  keras-rgan generate --saved_model=saved_models/sines/1 --num_samples=10 \
      --output=samples.csv
  keras-rgan evaluate --saved_model=saved_models/sines/1 --output_dir=eval

The binary only turns flags into a `train_lib.TrainConfig` and calls the
library. A bad flag value exits with status 2 and one line naming it.
"""

import os
import sys

from absl import app
from absl import flags

from keras_rgan import train_lib

COMMANDS = ("train", "generate", "evaluate")
FLAGS = flags.FLAGS
_DEFAULTS = train_lib.TrainConfig()

# === train ===
_DATASET = flags.DEFINE_string(
    "dataset",
    _DEFAULTS.dataset,
    "sines | stocks | csv:PATH | npy:PATH | npz:PATH (labelled: arrays x, labels) "
    "| tfds:NAME (a prepared TFDS image or sequence data set; images are "
    "sequences of rows, e.g. tfds:mnist with --seq_len=28).",
)
_ID_COLUMN = flags.DEFINE_string(
    "id_column",
    None,
    "Long-format CSV: the column naming each row's sequence. Sequences of "
    "different lengths are padded (and masked) or windowed to --seq_len.",
)
_TIME_COLUMN = flags.DEFINE_string(
    "time_column",
    None,
    "Long-format CSV: the column ordering each sequence's steps.",
)
_TFDS_SPLIT = flags.DEFINE_string(
    "tfds_split", _DEFAULTS.tfds_split, "Split read from tfds:NAME."
)
_STREAM = flags.DEFINE_bool(
    "stream",
    False,
    "Stream csv:PATH from disk in chunks each epoch instead of loading it "
    "(for files too large for memory; one series, no --id_column).",
)
_SHUFFLE_BUFFER = flags.DEFINE_integer(
    "shuffle_buffer",
    _DEFAULTS.shuffle_buffer,
    "Windows held for shuffling with --stream.",
)
_TFDS_DATA_DIR = flags.DEFINE_string(
    "tfds_data_dir",
    None,
    "TFDS data folder for tfds:NAME (default: TFDS_DATA_DIR or ~/tensorflow_datasets).",
)
_CONDITIONAL = flags.DEFINE_bool(
    "conditional",
    False,
    "Label-conditional training (RCGAN) on a labelled data set (npz:PATH, "
    "tfds:NAME with a label).",
)
_MODEL = flags.DEFINE_string(
    "model", _DEFAULTS.model, "Model: rgan | crgan | timegan."
)
_SEQ_LEN = flags.DEFINE_integer(
    "seq_len", _DEFAULTS.seq_len, "Steps per sequence."
)
_BATCH_SIZE = flags.DEFINE_integer(
    "batch_size", _DEFAULTS.batch_size, "Global batch size."
)
_EPOCHS = flags.DEFINE_integer(
    "epochs",
    _DEFAULTS.epochs,
    "Training epochs. Default: as many as make about "
    f"{train_lib.DEFAULT_TRAIN_STEPS:,} train steps (Sines 120, Stocks 336).",
)
_SEED = flags.DEFINE_integer(
    "seed",
    _DEFAULTS.seed,
    "Seed of data generation, shuffling, weights, noise.",
)
_EXPORT_DIR = flags.DEFINE_string(
    "export_dir", None, "Base folder of the exported versions (TF Serving)."
)
_MODEL_DIR = flags.DEFINE_string(
    "model_dir",
    None,
    "Folder for the trained model.keras and the backup "
    "that a rerun of the same command resumes from.",
)
_LATENT_DIM = flags.DEFINE_integer(
    "latent_dim",
    _DEFAULTS.latent_dim,
    "Noise dimensions drawn afresh per step (0: only the per-sequence code).",
)
_SEQUENCE_LATENT_DIM = flags.DEFINE_integer(
    "sequence_latent_dim",
    _DEFAULTS.sequence_latent_dim,
    "Noise dimensions drawn once per sequence, repeated at every step.",
)
_PER_STEP_LOGITS = flags.DEFINE_bool(
    "per_step_logits",
    _DEFAULTS.per_step_logits,
    "The discriminator gives a logit per step (losses averaged over time).",
)
_UNITS = flags.DEFINE_integer("units", _DEFAULTS.units, "LSTM units per layer.")
_NUM_LAYERS = flags.DEFINE_integer(
    "num_layers", _DEFAULTS.num_layers, "LSTM layers per player."
)
_CELL = flags.DEFINE_string(
    "cell",
    None,
    "Recurrent cell of crgan (tanh | lstm | gru; default tanh) "
    "or timegan (default gru).",
)
_EMBEDDING_EPOCHS = flags.DEFINE_integer(
    "embedding_epochs",
    _DEFAULTS.embedding_epochs,
    "timegan: epochs of phase 1.",
)
_SUPERVISED_EPOCHS = flags.DEFINE_integer(
    "supervised_epochs",
    _DEFAULTS.supervised_epochs,
    "timegan: epochs of phase 2.",
)
_DENSE_UNITS = flags.DEFINE_list(
    "dense_units", [], "Sizes of tanh dense layers after the recurrent ones."
)
_CONDITION_STEPS = flags.DEFINE_integer(
    "condition_steps",
    _DEFAULTS.condition_steps,
    "crgan: real prefix steps the generator continues (0: none).",
)
_G_LEARNING_RATE = flags.DEFINE_float(
    "g_learning_rate", _DEFAULTS.g_learning_rate, "Generator learning rate."
)
_D_LEARNING_RATE = flags.DEFINE_float(
    "d_learning_rate", _DEFAULTS.d_learning_rate, "Discriminator learning rate."
)
_LOSS = flags.DEFINE_string(
    "loss", _DEFAULTS.loss, "GAN loss: non_saturating | wgan_gp."
)
_D_STEPS = flags.DEFINE_integer(
    "d_steps", _DEFAULTS.d_steps, "Discriminator updates per generator update."
)
_CLIPNORM = flags.DEFINE_float(
    "clipnorm", None, "Clip each player's gradient to this global norm."
)
_GENERATOR_EMA = flags.DEFINE_float(
    "generator_ema",
    _DEFAULTS.generator_ema,
    "Momentum of a moving average of the generator's weights, used for "
    "samples and exports (0: off).",
)
_LR_DECAY = flags.DEFINE_string(
    "lr_decay",
    _DEFAULTS.lr_decay,
    "Learning-rate schedule: auto | none | cosine (from the learning rate to "
    "0 over the whole run). auto: cosine for rgan and crgan, none for timegan.",
)
_BETA_1 = flags.DEFINE_float(
    "beta_1", _DEFAULTS.beta_1, "Adam's beta_1 (both players)."
)
_COLUMNS = flags.DEFINE_list(
    "columns", None, "CSV columns to use (default all)."
)
_STRIDE = flags.DEFINE_integer(
    "stride", _DEFAULTS.stride, "Steps between CSV window starts."
)
_HOLDOUT_FRACTION = flags.DEFINE_float(
    "holdout_fraction",
    _DEFAULTS.holdout_fraction,
    "Share of the data held out from training (for the memorisation check).",
)
_SELECT_EVERY = flags.DEFINE_integer(
    "select_every",
    _DEFAULTS.select_every,
    "Score samples every N epochs (discriminative score against up to 10,000 "
    "training sequences) and save and export the best epoch's model; 0 (the "
    "default) keeps the last epoch's.",
)
_NUM_SEQUENCES = flags.DEFINE_integer(
    "num_sequences",
    _DEFAULTS.num_sequences,
    "Number of sine sequences; at most this many examples of tfds:NAME.",
)
_NUM_FEATURES = flags.DEFINE_integer(
    "num_features", _DEFAULTS.num_features, "Number of sine features."
)
_STEPS_PER_EXECUTION = flags.DEFINE_integer(
    "steps_per_execution",
    _DEFAULTS.steps_per_execution,
    "Steps per tf.function call.",
)
_STRATEGY = flags.DEFINE_string(
    "strategy",
    "default",
    "default | mirrored (all local devices) | multi_worker "
    "(MultiWorkerMirroredStrategy from TF_CONFIG; only the chief exports).",
)
_DETERMINISTIC = flags.DEFINE_bool(
    "deterministic",
    False,
    "Deterministic ops: with the same --seed on the same machine, training "
    "gives bit-identical weights (slower on a GPU).",
)
_UNROLL = flags.DEFINE_enum(
    "unroll",
    _DEFAULTS.unroll,
    list(train_lib.UNROLL),
    "Unroll the recurrences into the graph: faster on CPU for short "
    "sequences, no cuDNN on GPU. auto: on for seq_len <= "
    f"{train_lib.AUTO_UNROLL_MAX_STEPS} when no GPU is visible.",
)
_JIT_COMPILE = flags.DEFINE_bool(
    "jit_compile", _DEFAULTS.jit_compile, "XLA-compile the train step."
)

# === generate ===
_SAVED_MODEL = flags.DEFINE_string(
    "saved_model",
    None,
    "An exported version folder, e.g. saved_models/sines/1.",
)
_NUM_SAMPLES = flags.DEFINE_integer(
    "num_samples", 100, "Sequences to generate."
)
_OUTPUT = flags.DEFINE_string("output", None, "Output FILE.npy or FILE.csv.")

# === evaluate ===
_OUTPUT_DIR = flags.DEFINE_string(
    "output_dir", None, "evaluate: folder for scores.json and the plots."
)


class CommandError(Exception):
    """A problem with the command line, reported as one line."""


def _integers(values, name):
    try:
        return [int(v) for v in values]
    except ValueError:
        raise CommandError(
            f"--{name} must be integers, got {values}."
        ) from None


def _train():
    config = train_lib.TrainConfig(
        dataset=_DATASET.value,
        model=_MODEL.value,
        seq_len=_SEQ_LEN.value,
        batch_size=_BATCH_SIZE.value,
        epochs=_EPOCHS.value,
        seed=_SEED.value,
        export_dir=_EXPORT_DIR.value,
        model_dir=_MODEL_DIR.value,
        latent_dim=_LATENT_DIM.value,
        sequence_latent_dim=_SEQUENCE_LATENT_DIM.value,
        per_step_logits=_PER_STEP_LOGITS.value,
        units=_UNITS.value,
        num_layers=_NUM_LAYERS.value,
        cell=_CELL.value,
        dense_units=_integers(_DENSE_UNITS.value, "dense_units"),
        condition_steps=_CONDITION_STEPS.value,
        embedding_epochs=_EMBEDDING_EPOCHS.value,
        supervised_epochs=_SUPERVISED_EPOCHS.value,
        g_learning_rate=_G_LEARNING_RATE.value,
        d_learning_rate=_D_LEARNING_RATE.value,
        generator_ema=_GENERATOR_EMA.value,
        lr_decay=_LR_DECAY.value,
        beta_1=_BETA_1.value,
        clipnorm=_CLIPNORM.value,
        loss=_LOSS.value,
        d_steps=_D_STEPS.value,
        columns=_COLUMNS.value,
        stride=_STRIDE.value,
        holdout_fraction=_HOLDOUT_FRACTION.value,
        select_every=_SELECT_EVERY.value,
        num_sequences=_NUM_SEQUENCES.value,
        num_features=_NUM_FEATURES.value,
        steps_per_execution=_STEPS_PER_EXECUTION.value,
        jit_compile=_JIT_COMPILE.value,
        unroll=_UNROLL.value,
        deterministic=_DETERMINISTIC.value,
        strategy=_STRATEGY.value,
        conditional=_CONDITIONAL.value,
        id_column=_ID_COLUMN.value,
        time_column=_TIME_COLUMN.value,
        tfds_split=_TFDS_SPLIT.value,
        tfds_data_dir=_TFDS_DATA_DIR.value,
        stream=_STREAM.value,
        shuffle_buffer=_SHUFFLE_BUFFER.value,
    )
    if not config.export_dir and not config.model_dir:
        raise CommandError(
            "Give --export_dir or --model_dir, or nothing is kept."
        )
    try:
        data = train_lib.load_data(config)
    except (ValueError, TypeError, OSError) as error:
        raise CommandError(str(error)) from None
    try:
        result = train_lib.train(config, data=data)
    except train_lib.TrainingDiverged as error:
        print(f"keras-rgan: {error}", file=sys.stderr)
        sys.exit(1)
    if result.model_path:
        print(f"Saved the Keras model to {result.model_path}")
    if result.export_path:
        print(os.path.abspath(result.export_path))


def _generate():
    from keras_rgan import generate_lib

    if not _SAVED_MODEL.value:
        raise CommandError("--saved_model is required.")
    if not _OUTPUT.value:
        raise CommandError("--output is required (FILE.npy or FILE.csv).")
    try:
        generate_lib.check_request(
            _SAVED_MODEL.value, _NUM_SAMPLES.value, _OUTPUT.value
        )
    except (ValueError, OSError) as error:
        raise CommandError(str(error)) from None
    path = generate_lib.generate_to_file(
        _SAVED_MODEL.value, _NUM_SAMPLES.value, _SEED.value, _OUTPUT.value
    )
    print(os.path.abspath(path))


def _evaluate():
    from keras_rgan import evaluate_lib

    if not _SAVED_MODEL.value:
        raise CommandError("--saved_model is required.")
    if not _OUTPUT_DIR.value:
        raise CommandError("--output_dir is required.")
    # Without --dataset, the data set recorded in the export is used.
    dataset = _DATASET.value if FLAGS["dataset"].present else None
    config = evaluate_lib.EvaluateConfig(
        saved_model=_SAVED_MODEL.value,
        output_dir=_OUTPUT_DIR.value,
        dataset=dataset,
        num_samples=_NUM_SAMPLES.value
        if FLAGS["num_samples"].present
        else None,
        seed=_SEED.value,
    )
    try:
        config.validate()
        metadata = evaluate_lib.read_metadata(config.saved_model)
        evaluate_lib.load_real_data(metadata, config.dataset)
    except (ValueError, TypeError, OSError) as error:
        raise CommandError(str(error)) from None
    _, table = evaluate_lib.evaluate(config)
    print(table)
    print(os.path.abspath(config.output_dir))


def main(argv):
    if len(argv) < 2 or argv[1] not in COMMANDS:
        given = argv[1] if len(argv) > 1 else "nothing"
        raise CommandError(
            f"Expected a command, one of {', '.join(COMMANDS)}; got {given}."
        )
    if len(argv) > 2:
        raise CommandError(f"Unexpected arguments: {' '.join(argv[2:])}")
    {"train": _train, "generate": _generate, "evaluate": _evaluate}[argv[1]]()


def _fail(message):
    print(f"keras-rgan: error: {message}", file=sys.stderr)
    sys.exit(2)


def _parse_flags(argv):
    try:
        return FLAGS(argv)
    except flags.Error as error:
        _fail(error)


def _main_reporting_errors(argv):
    try:
        main(argv)
    except CommandError as error:
        _fail(error)


def run():
    """The console-script entry point of `keras-rgan`."""
    app.run(_main_reporting_errors, flags_parser=_parse_flags)


if __name__ == "__main__":
    run()
