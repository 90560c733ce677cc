import os
import re
import subprocess
import sys

import numpy as np
import pytest
from absl.testing import flagsaver

from keras_rgan import cli
from keras_rgan import config
from keras_rgan.version import __version__

TINY_FLAGS = [
    "--num_sequences=64",
    "--seq_len=8",
    "--batch_size=16",
    "--epochs=1",
    "--units=4",
]


def run_cli(*args, cwd=None):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run(
        [sys.executable, "-m", "keras_rgan.cli", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=cwd,
    )


def test_train_then_generate_end_to_end(tmp_path):
    export_dir = str(tmp_path / "sines")
    result = run_cli("train", f"--export_dir={export_dir}", *TINY_FLAGS)
    assert result.returncode == 0, result.stderr[-3000:]
    last_line = result.stdout.strip().splitlines()[-1]
    assert last_line == os.path.join(export_dir, "1")
    assert os.path.isfile(os.path.join(last_line, "saved_model.pb"))

    for name in ("out.csv", "out.npy"):
        output = str(tmp_path / name)
        result = run_cli(
            "generate",
            f"--saved_model={last_line}",
            "--num_samples=3",
            "--seed=5",
            f"--output={output}",
        )
        assert result.returncode == 0, result.stderr[-3000:]
        assert result.stdout.strip().splitlines()[-1] == output
    samples = np.load(str(tmp_path / "out.npy"))
    assert samples.shape == (3, 8, 5)
    lines = (tmp_path / "out.csv").read_text().splitlines()
    assert lines[0] == "sequence,step,sine_0,sine_1,sine_2,sine_3,sine_4"
    assert len(lines) == 1 + 3 * 8
    first_row = [float(v) for v in lines[1].split(",")[2:]]
    np.testing.assert_allclose(first_row, samples[0, 0], rtol=1e-5)
    # Nothing is overwritten: the same output again is refused.
    result = run_cli(
        "generate", f"--saved_model={last_line}", f"--output={output}"
    )
    assert result.returncode == 2
    assert "exists already" in result.stderr


def test_a_bad_flag_exits_with_one_line_and_no_traceback():
    result = run_cli("train", "--seq_len=1", "--export_dir=/tmp/never")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "keras-rgan: error: seq_len must be at least 2, got 1."
    )
    assert not os.path.exists("/tmp/never")


def _bad_inputs(folder):
    """Writes one bad input file of each kind into `folder`."""
    os.makedirs(folder, exist_ok=True)
    np.save(os.path.join(folder, "nan.npy"), np.full((4, 24, 2), np.nan))
    np.save(os.path.join(folder, "inf.npy"), np.full((4, 24, 2), np.inf))
    np.save(os.path.join(folder, "rank2.npy"), np.zeros((4, 24)))
    np.save(os.path.join(folder, "text.npy"), np.array([["a"] * 24] * 4))
    with open(os.path.join(folder, "words.csv"), "w") as f:
        f.write("a,b\n" + "1,x\n" * 30)
    open(os.path.join(folder, "empty.csv"), "w").close()
    with open(os.path.join(folder, "short.csv"), "w") as f:
        f.write("a,b\n" + "1,2\n" * 10)
    with open(os.path.join(folder, "file"), "w") as f:
        f.write("not a folder")
    x = np.zeros((4, 24, 2))
    np.savez(
        os.path.join(folder, "negative.npz"),
        x=x,
        labels=np.array([0, 1, -1, 0]),
    )
    np.savez(os.path.join(folder, "fewer.npz"), x=x, labels=np.array([0, 1]))
    np.savez(os.path.join(folder, "nolabels.npz"), x=x)


@pytest.fixture(autouse=True)
def bad_inputs(tmp_path):
    _bad_inputs(str(tmp_path))


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "--dataset=npy:TMP/nan.npy"], "NaN or inf value(s)"),
        (["train", "--dataset=npy:TMP/inf.npy"], "NaN or inf value(s)"),
        (["train", "--dataset=npy:TMP/rank2.npy"], "got rank 2"),
        (["train", "--dataset=npy:TMP/text.npy"], "expected numbers"),
        (["train", "--dataset=csv:TMP/words.csv"], "Column 'b' of"),
        (["train", "--dataset=csv:TMP/empty.csv"], "is empty"),
        (
            ["train", "--dataset=csv:TMP/short.csv"],
            "10 rows, fewer than seq_len=24",
        ),
        (
            ["train", "--dataset=npz:TMP/negative.npz"],
            "labels must be >= 0, got -1",
        ),
        (["train", "--dataset=npz:TMP/fewer.npz"], "2 labels for 4 sequences"),
        (["train", "--dataset=npz:TMP/nolabels.npz"], "missing ['labels']"),
        (["train", "--conditional"], "--conditional needs labelled data"),
        (["train", "--export_dir=TMP/file"], "is a file, not a folder"),
        (["train", "--model_dir=TMP/file"], "is a file, not a folder"),
        (["train", "--strategy=tpu"], "flag --strategy=tpu: value should be"),
        (["train", "--clipnorm=0"], "clipnorm must be positive"),
        (
            ["train", "--max_num_samples=0"],
            "max_num_samples and max_length must be positive",
        ),
        (["train", "--dataset=mnist"], "Unknown dataset 'mnist'"),
        (["train", "--model=gpt"], "flag --model=gpt: value should be"),
        (["train", "--seq_len=1"], "seq_len must be at least 2"),
        (["train", "--batch_size=0"], "batch_size must be a positive integer"),
        (["train", "--epochs=0"], "epochs must be a positive integer"),
        (["train", "--dataset=csv:/no/such.csv"], "No such file: /no/such.csv"),
        (["train", "--dataset=npy:/no/such.npy"], "No such file: /no/such.npy"),
        (["train", "--batch_size=lots"], "flag --batch_size=lots"),
        (["train", "--no_such_flag=1"], "no_such_flag"),
        (["train", "--model=crgan", "--cell=rnn"], "Unknown cell 'rnn'"),
        (
            ["train", "--model=crgan", "--condition_steps=30"],
            "condition_steps must be in [0, seq_len=24)",
        ),
        (["train", "--dense_units=a,b"], "--dense_units must be integers"),
        (["train", "--value_bounds=a,b"], "--value_bounds must be numbers"),
        (["train", "--value_bounds=1,0"], "value_bounds must be pairs"),
        (
            ["train", "--target_epsilon=0"],
            "target_epsilon must be a number above 0",
        ),
        (
            ["train", "--target_epsilon=3", "--model=timegan"],
            "supervised phases",
        ),
        (
            ["train", "--dataset=csv:TMP/short.csv", "--id_column=zzz"],
            "The id column 'zzz' is not in",
        ),
        (
            ["train", "--time_column=t"],
            "static_columns and label_column apply to tables",
        ),
        (
            [
                "train",
                "--dataset=csv:TMP/short.csv",
                "--categorical_columns=zzz",
            ],
            "Categorical column(s) ['zzz'] not found",
        ),
        (
            [
                "train",
                "--model=timegan",
                "--dataset=csv:TMP/short.csv",
                "--id_column=a",
                "--batch_size=1",
            ],
            "TimeGAN takes neither labels nor variable lengths",
        ),
        (["train", "--dataset=tfds:mnsit"], "Unknown TFDS dataset 'mnsit'"),
        (
            ["fit"],
            "Expected a command, one of train, generate, evaluate; got fit",
        ),
        (["evaluate", "--output_dir=x"], "--saved_model is required"),
        (
            ["evaluate", "--saved_model=/no/model", "--output_dir=x"],
            "No SavedModel at /no/model",
        ),
        (["train", "extra"], "Unexpected arguments: extra"),
        (["generate", "--output=x.npy"], "--saved_model is required"),
        (
            ["generate", "--saved_model=/no/model", "--output=x.npy"],
            "No SavedModel at /no/model",
        ),
        (
            ["generate", "--units=4", "--saved_model=m", "--output=x.npy"],
            "--units does not apply to generate; it takes --saved_model, "
            "--output, --num_samples, --seed (keras-rgan generate --help).",
        ),
        (
            ["evaluate", "--epochs=3", "--saved_model=m", "--output_dir=x"],
            "--epochs does not apply to evaluate; it takes --saved_model,",
        ),
        (
            ["train", "--saved_model=m", "--output=x.npy"],
            "--output, --saved_model do not apply to train; keras-rgan "
            "train --help lists its flags.",
        ),
        (
            # absl's own flags go with any command.
            ["generate", "--verbosity=-1", "--saved_model=/no/model"],
            "--output is required",
        ),
    ],
)
def test_bad_flags_are_named_before_training(argv, message, capsys, tmp_path):
    argv = ["keras-rgan", *(a.replace("TMP", str(tmp_path)) for a in argv)]
    if argv[1] == "train" and not any("_dir=" in a for a in argv):
        argv.append(f"--export_dir={tmp_path / 'exports'}")
    with flagsaver.flagsaver():
        with pytest.raises(SystemExit) as exit_info:
            cli._main_reporting_errors(cli._parse_flags(argv))
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("keras-rgan: error: ")
    assert message in err[0]
    assert not os.path.exists(tmp_path / "exports")


def _exit_output(argv, capsys):
    """Parses `argv` in process; the exit status and stdout."""
    with flagsaver.flagsaver():
        with pytest.raises(SystemExit) as exit_info:
            cli._parse_flags(["keras-rgan", *argv])
    return exit_info.value.code, capsys.readouterr().out


@pytest.mark.parametrize(
    "argv", [["--help"], ["-h"], ["help"], ["--helpshort"], ["help", "fit"]]
)
def test_help_lists_the_commands(argv, capsys):
    code, out = _exit_output(argv, capsys)
    assert code == 0
    for command, about in cli.COMMANDS.items():
        assert f"  {command}  " in out and about in out
    assert "keras-rgan COMMAND --help" in out
    assert "--flagfile" in out


def _flags_listed(text):
    return set(re.findall(r"^  --(?:\[no\])?(\w+):", text, re.MULTILINE))


@pytest.mark.parametrize(
    "argv",
    [
        ["train", "--help"],
        ["help", "train"],
        ["-h", "train"],
        ["generate", "--help"],
        ["evaluate", "--seed=3", "--help"],
    ],
)
def test_command_help_lists_its_flags_only(argv, capsys):
    command = next(a for a in argv if a in cli.COMMANDS)
    code, out = _exit_output(argv, capsys)
    assert code == 0
    assert out.startswith(f"keras-rgan {command}: {cli.COMMANDS[command]}")
    assert _flags_listed(out) == set(cli.COMMAND_FLAGS[command])


def test_train_help_shows_every_option_with_help_and_default(capsys):
    _, out = _exit_output(["train", "--help"], capsys)
    assert _flags_listed(out) == set(config.options())
    assert "model flags:" in out and "run flags:" in out
    assert "  --seq_len: Steps per sequence.\n    (default: '24')" in out
    assert "  --units: Recurrent units per layer. Default: the model's" in out
    assert "  --g_learning_rate: Generator learning rate." in out
    assert "  --export_dir: Base folder of the exported versions" in out
    assert "--saved_model" not in out and "--output_dir" not in out


def test_generate_and_evaluate_help_tell_their_defaults(capsys):
    _, out = _exit_output(["generate", "--help"], capsys)
    assert (
        "  --num_samples: Sequences to generate.\n    (default: '100')" in out
    )
    assert "  --seed: Seed of the noise" in out
    assert "--units" not in out and "--output_dir" not in out
    _, out = _exit_output(["evaluate", "--help"], capsys)
    assert "(default: the one recorded in the export)" in out
    assert "(default: as many as the real training sequences)" in out
    assert "--units" not in out and "--output:" not in out


def test_version(capsys):
    assert _exit_output(["--version"], capsys) == (
        0,
        f"keras-rgan {__version__}\n",
    )


def test_flagfile_flags_are_scoped_too(tmp_path, capsys):
    flagfile = tmp_path / "flags"
    flagfile.write_text("--saved_model=/no/model\n--output=x.npy\n")
    argv = ["keras-rgan", "generate", f"--flagfile={flagfile}"]
    with flagsaver.flagsaver():
        with pytest.raises(SystemExit) as exit_info:
            cli._main_reporting_errors(cli._parse_flags(argv))
    assert exit_info.value.code == 2
    assert "No SavedModel at /no/model" in capsys.readouterr().err
    flagfile.write_text("--saved_model=/no/model\n--epochs=3\n")
    argv = ["keras-rgan", "evaluate", f"--flagfile={flagfile}"]
    with flagsaver.flagsaver():
        with pytest.raises(SystemExit) as exit_info:
            cli._main_reporting_errors(cli._parse_flags(argv))
    assert exit_info.value.code == 2
    assert "--epochs does not apply to evaluate" in capsys.readouterr().err


def test_the_binary_helps_and_refuses_a_flag_of_another_command():
    result = run_cli("--help")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "commands:" in result.stdout and "  evaluate  " in result.stdout
    result = run_cli("evaluate", "--epochs=3", "--saved_model=m")
    assert result.returncode == 2
    errors = [
        line
        for line in result.stderr.splitlines()
        if line.startswith("keras-rgan")
    ]
    assert errors == [
        "keras-rgan: error: --epochs does not apply to evaluate; it takes "
        "--saved_model, --output_dir, --dataset, --num_samples, --seed, "
        "--score_runs (keras-rgan evaluate --help)."
    ]
