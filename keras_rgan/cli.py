"""The `keras-rgan` command line: `train`, `generate` and `evaluate`.

  keras-rgan train --dataset=sines --export_dir=saved_models/sines
  keras-rgan generate --saved_model=saved_models/sines/1 --num_samples=10 \
      --output=samples.csv
  keras-rgan evaluate --saved_model=saved_models/sines/1 --output_dir=eval

The binary only turns flags into a `config.TrainConfig` (one flag per
declared option) and calls the library. A bad flag value exits with
status 2 and one line naming it.
"""

import os
import sys

from absl import app
from absl import flags

from keras_rgan import config as config_lib
from keras_rgan import train_lib

COMMANDS = ("train", "generate", "evaluate")
FLAGS = flags.FLAGS

# === train: one flag per training option (keras_rgan/config.py) ===
_TRAIN_FLAGS = config_lib.define_flags(FLAGS)
for _name in _TRAIN_FLAGS:
    flags.declare_key_flag(_name)

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


def _train():
    try:
        config = config_lib.from_flags(_TRAIN_FLAGS)
        if not config.run.export_dir and not config.run.model_dir:
            raise ValueError(
                "Give --export_dir or --model_dir, or nothing is kept."
            )
        prepared = train_lib.prepare(config)
    except (ValueError, TypeError, OSError) as error:
        raise CommandError(str(error)) from None
    try:
        result = train_lib.train(config, prepared=prepared)
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
        _SAVED_MODEL.value,
        _NUM_SAMPLES.value,
        FLAGS.seed,
        _OUTPUT.value,
    )
    print(os.path.abspath(path))


def _evaluate():
    from keras_rgan import evaluate_lib

    if not _SAVED_MODEL.value:
        raise CommandError("--saved_model is required.")
    if not _OUTPUT_DIR.value:
        raise CommandError("--output_dir is required.")
    # Without --dataset, the data set recorded in the export is used.
    dataset = FLAGS.dataset if FLAGS["dataset"].present else None
    config = evaluate_lib.EvaluateConfig(
        saved_model=_SAVED_MODEL.value,
        output_dir=_OUTPUT_DIR.value,
        dataset=dataset,
        num_samples=_NUM_SAMPLES.value
        if FLAGS["num_samples"].present
        else None,
        seed=FLAGS.seed,
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
