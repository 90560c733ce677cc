import os
import subprocess
import sys

import numpy as np
import pytest
from absl.testing import flagsaver

from keras_rgan import cli

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
        (["train", "--dataset=csv:TMP/short.csv"], "fewer than seq_len=24"),
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
        (
            ["train", "--dataset=csv:TMP/short.csv", "--id_column=zzz"],
            "The id column 'zzz' is not in",
        ),
        (
            ["train", "--time_column=t"],
            "id_column and time_column apply to csv:PATH",
        ),
        (
            ["train", "--dataset=csv:TMP/short.csv", "--time_column=a"],
            "time_column needs id_column",
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
