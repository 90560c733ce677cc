"""The `keras-rgan` command line: `train`, `generate` and `evaluate`.

  keras-rgan train --dataset=sines --export_dir=saved_models/sines
  keras-rgan generate --saved_model=saved_models/sines/1 --num_samples=10 \
      --output=samples.csv
  keras-rgan evaluate --saved_model=saved_models/sines/1 --output_dir=eval

`keras-rgan --help` lists the commands, `keras-rgan COMMAND --help` the
flags of one. Each command takes only its own flags (`COMMAND_FLAGS`);
absl's own (--flagfile, --verbosity, ...) go with any. The binary only
turns flags into a `config.TrainConfig` (one flag per declared option) and
calls the library. A bad flag exits with status 2 and one line naming it.
"""

import copy
import os
import sys

from absl import app
from absl import flags

from keras_rgan import config as config_lib
from keras_rgan import train_lib
from keras_rgan.evaluation.discriminative import DEFAULT_RUNS
from keras_rgan.version import __version__

FLAGS = flags.FLAGS

# === train: one flag per training option (keras_rgan/config.py) ===
_TRAIN_FLAGS = config_lib.define_flags(FLAGS)

# === generate and evaluate ===
_SAVED_MODEL = flags.DEFINE_string(
    "saved_model",
    None,
    "An exported version folder, e.g. saved_models/sines/1. Required.",
)
_NUM_SAMPLES = flags.DEFINE_integer(
    "num_samples", 100, "Sequences to generate."
)
_OUTPUT = flags.DEFINE_string(
    "output",
    None,
    "Output FILE.npy (the padded numeric array), FILE.csv or FILE.parquet "
    "(your table's columns, long format, written in chunks); never "
    "overwritten. Required.",
)
_OUTPUT_DIR = flags.DEFINE_string(
    "output_dir", None, "Folder for scores.json and the plots. Required."
)
_SCORE_RUNS = flags.DEFINE_integer(
    "score_runs",
    DEFAULT_RUNS,
    "Classifier runs averaged into the discriminative score (and its floor).",
)

COMMANDS = {
    "train": "Train a model and export it as the next version.",
    "generate": "Generate sequences from an export to .npy, .csv or .parquet.",
    "evaluate": "Score an export against its data: scores.json and plots.",
}
_USAGE = {
    "train": "train --export_dir=DIR [--model_dir=DIR] [flags]",
    "generate": "generate --saved_model=DIR --output=FILE [flags]",
    "evaluate": "evaluate --saved_model=DIR --output_dir=DIR [flags]",
}
# The flags each command takes, in the order its help lists them (one a
# line: a new flag is one line more); a flag of another command is refused.
# absl's own flags go with any command.
COMMAND_FLAGS = {
    "train": tuple(_TRAIN_FLAGS),
    "generate": (
        "saved_model",
        "output",
        "num_samples",
        "seed",
    ),
    "evaluate": (
        "saved_model",
        "output_dir",
        "dataset",
        "num_samples",
        "seed",
        "score_runs",
    ),
}
# (command, flag): (help, default) where a command reads a shared flag its
# own way; a default of None keeps the flag's.
_OWN_HELP = {
    ("generate", "seed"): (
        "Seed of the noise: the same seed gives the same sequences.",
        None,
    ),
    ("evaluate", "dataset"): (
        "The data set to compare with (a --dataset of train).",
        "the one recorded in the export",
    ),
    ("evaluate", "num_samples"): (
        "Sequences to generate.",
        "as many as the real training sequences",
    ),
    ("evaluate", "seed"): (
        "Seed of the generated sequences and of the post-hoc models.",
        None,
    ),
}
_HELP_ARGS = ("-h", "-?", "--help", "-help", "--helpshort", "-helpshort")
_LONG_LIST = 10  # a refused flag's error lists at most this many flags


class CommandError(Exception):
    """A problem with the command line, reported as one line."""


def top_help():
    """`keras-rgan --help`: the commands and where to get more."""
    width = max(map(len, COMMANDS))
    lines = [
        f"keras-rgan {__version__}: recurrent GANs for sequences and time "
        "series.",
        "",
        "usage: keras-rgan COMMAND [flags]",
        "",
        "commands:",
        *(f"  {c:<{width}}  {about}" for c, about in COMMANDS.items()),
        "",
        "keras-rgan COMMAND --help (or keras-rgan help COMMAND) lists the",
        "flags of COMMAND, with their defaults.",
        "",
        "With any command: --flagfile=FILE (more flags, one a line),",
        "absl's logging flags (--verbosity, --logtostderr, ...);",
        "--helpfull lists every flag; --version prints the version.",
    ]
    return "\n".join(lines)


def _flag_help(command, name):
    """absl's help of flag `name` as `command` reads it."""
    flag = copy.deepcopy(FLAGS[name])
    flag.help, default = _OWN_HELP.get((command, name), (flag.help, None))
    if default is None and flag.default is None:
        # absl shows no None default; say it, unless the help does.
        told = any(w in flag.help.lower() for w in ("default", "required"))
        default = None if told else "none"
    if default is not None:
        flag.default_as_str = default
    one = flags.FlagValues()
    one[name] = flag
    return one.get_help(prefix="  ", include_special_flags=False)


def command_help(command):
    """`keras-rgan COMMAND --help`: its flags with help and default."""
    sections = {}
    groups = {}
    if command == "train":
        groups = {n: g for n, (g, _) in config_lib.options().items()}
    for name in COMMAND_FLAGS[command]:
        sections.setdefault(groups.get(name, ""), []).append(name)
    lines = [
        f"keras-rgan {command}: {COMMANDS[command]}",
        "",
        f"usage: keras-rgan {_USAGE[command]}",
    ]
    for group, names in sections.items():
        lines += ["", f"{group} flags:" if group else "flags:"]
        lines += [_flag_help(command, name) for name in names]
    lines += ["", "keras-rgan --help lists the commands and absl's flags."]
    return "\n".join(lines)


def _exit_early(argv):
    """Prints the version or help and exits 0 if `argv` asks for it."""
    args = argv[1 : argv.index("--")] if "--" in argv else argv[1:]
    words = [a for a in args if not a.startswith("-")]
    if "--version" in args:
        text = f"keras-rgan {__version__}"
    elif "--helpfull" in args:
        text = "\n".join([top_help(), "", "Every flag:", FLAGS.get_help()])
    elif any(a in _HELP_ARGS for a in args) or words[:1] == ["help"]:
        command = next((w for w in words if w in COMMANDS), None)
        text = command_help(command) if command else top_help()
    else:
        return
    try:
        print(text, flush=True)
    except BrokenPipeError:  # e.g. `keras-rgan train --help | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(0)


def _check_flags(command):
    """Refuses the flags given that are another command's."""
    ours = COMMAND_FLAGS[command]
    others = sorted(set().union(*COMMAND_FLAGS.values()) - set(ours))
    given = [f"--{name}" for name in others if FLAGS[name].present]
    if not given:
        return
    verb = "does" if len(given) == 1 else "do"
    if len(ours) <= _LONG_LIST:
        takes = ", ".join(f"--{name}" for name in ours)
        where = f"it takes {takes} (keras-rgan {command} --help)"
    else:
        where = f"keras-rgan {command} --help lists its flags"
    raise CommandError(
        f"{', '.join(given)} {verb} not apply to {command}; {where}."
    )


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
        raise CommandError(
            "--output is required (FILE.npy, FILE.csv or FILE.parquet)."
        )
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
        score_runs=_SCORE_RUNS.value,
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
    """Runs the command of `argv` (parsed flags removed)."""
    if len(argv) < 2 or argv[1] not in COMMANDS:
        given = argv[1] if len(argv) > 1 else "nothing"
        raise CommandError(
            f"Expected a command, one of {', '.join(COMMANDS)}; got {given} "
            "(keras-rgan --help)."
        )
    if len(argv) > 2:
        raise CommandError(f"Unexpected arguments: {' '.join(argv[2:])}")
    _check_flags(argv[1])
    {"train": _train, "generate": _generate, "evaluate": _evaluate}[argv[1]]()


def _fail(message):
    print(f"keras-rgan: error: {message}", file=sys.stderr)
    sys.exit(2)


def _parse_flags(argv):
    _exit_early(argv)
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
