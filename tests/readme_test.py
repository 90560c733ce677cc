"""The README's Python examples run as written (on a smaller budget)."""

import os
import re

README = os.path.join(os.path.dirname(os.path.dirname(__file__)), "README.md")
SMALLER = [
    ("n=10_000", "n=256"),
    ("epochs = 108", "epochs = 1"),
    ("1_000, seed", "10, seed"),
]


def python_blocks():
    with open(README) as f:
        return re.findall(r"```python\n(.*?)```", f.read(), flags=re.S)


def test_the_quick_start_trains_saves_and_exports(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = python_blocks()[0]
    for old, new in SMALLER:
        assert old in code, f"README quick start no longer contains {old!r}"
        code = code.replace(old, new)
    namespace = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert namespace["samples"].shape == (10, 24, 5)
    assert os.path.isfile(tmp_path / "sines.keras")
    assert os.path.isfile(
        tmp_path / "saved_models" / "sines" / "1" / "saved_model.pb"
    )


def test_the_crgan_example_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    setup = python_blocks()[0]
    for old, new in SMALLER:
        setup = setup.replace(old, new)
    setup = setup.split("gan = keras_rgan.RGAN(")[0]
    code = python_blocks()[1]
    for old, new in [("epochs=100", "epochs=1"), ("1_000, seed", "50, seed")]:
        assert old in code, f"README CRGAN example no longer contains {old!r}"
        code = code.replace(old, new)
    namespace = {}
    exec(
        compile(
            setup + "\nlast_12_steps = x[:3, :12]\n" + code, "README.md", "exec"
        ),
        namespace,
    )
    assert namespace["forecasts"].shape == (3, 24, 5)
    assert namespace["series"].shape == (1, 50, 5)
