"""The Python examples of the README and docs/ run as written (on a smaller
budget). Fragments that cannot run alone are fenced without a language."""

import glob
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(ROOT, "README.md")
MODELS = os.path.join(ROOT, "docs", "models.md")
PRIVACY = os.path.join(ROOT, "docs", "privacy.md")
SMALLER = [
    ("n=10_000", "n=256"),
    ("epochs = 108", "epochs = 1"),
    ("1_000, seed", "10, seed"),
]
CRGAN_SMALLER = [
    ("n=10_000", "n=256"),
    ("epochs=100", "epochs=1"),
    ("1_000, seed", "50, seed"),
]


def python_blocks(path=README):
    with open(path) as f:
        return re.findall(r"```python\n(.*?)```", f.read(), flags=re.S)


def block_with(path, needle):
    """The one python block of `path` that contains `needle`."""
    blocks = [code for code in python_blocks(path) if needle in code]
    assert len(blocks) == 1, f"{path}: {len(blocks)} blocks with {needle!r}"
    return blocks[0]


def smaller(code, replacements, where):
    for old, new in replacements:
        assert old in code, f"{where} no longer contains {old!r}"
        code = code.replace(old, new)
    return code


def quick_start():
    return block_with(README, "sine_waves")


def table_example():
    return block_with(README, "from_dataframe")


def serving_example():
    return block_with(README, "tf.saved_model.load(")


def crgan_example():
    return block_with(MODELS, "keras_rgan.CRGAN(")


def test_the_quick_start_trains_saves_and_exports(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = smaller(quick_start(), SMALLER, "README quick start")
    namespace = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert namespace["samples"].shape == (10, 24, 5)
    assert os.path.isfile(tmp_path / "sines.keras")
    assert os.path.isfile(
        tmp_path / "saved_models" / "sines" / "1" / "saved_model.pb"
    )


def privacy_example():
    return block_with(PRIVACY, "dp_noise_multiplier")


def test_the_privacy_example_trains_privately_and_counts_epsilon():
    namespace = {}
    exec(compile(privacy_example(), "docs/privacy.md", "exec"), namespace)
    assert namespace["gan"].private
    assert 0 < namespace["spent"] < float("inf")


def test_the_crgan_example_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = smaller(crgan_example(), CRGAN_SMALLER, "docs/models.md CRGAN")
    namespace = {}
    exec(compile(code, "docs/models.md", "exec"), namespace)
    assert namespace["forecasts"].shape == (3, 24, 5)
    assert namespace["series"].shape == (1, 50, 5)


def test_the_serving_example_loads_the_shipped_export(monkeypatch):
    monkeypatch.chdir(ROOT)  # The example names saved_models/sines/1.
    namespace = {}
    exec(compile(serving_example(), "README.md", "exec"), namespace)
    assert namespace["out"]["sequences"].shape == (4, 24, 5)
    assert namespace["out"]["lengths"].numpy().tolist() == [24] * 4


def test_every_python_block_of_the_docs_is_run_by_a_test():
    run = {
        quick_start(),
        serving_example(),
        crgan_example(),
        table_example(),
        privacy_example(),
    }
    pages = [README] + sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
    for page in pages:
        for code in python_blocks(page):
            assert code in run, (
                f"{os.path.relpath(page, ROOT)} has a python block no test "
                f"runs (fence fragments without a language):\n{code[:200]}"
            )


def test_the_table_example_trains_and_gives_a_table_back():
    code = smaller(
        table_example(),
        [
            ("range(400)", "range(40)"),
            ("400)", "40)"),
            ("12_000", "1_200"),
            ("epochs=20", "epochs=1"),
            ("1_000, seed", "5, seed"),
        ],
        "README table example",
    )
    namespace = {}
    exec(compile(code, "README.md", "exec"), namespace)
    synthetic = namespace["synthetic"]
    assert list(synthetic.columns) == [
        "patient",
        "day",
        "age_group",
        "heart_rate",
        "activity",
    ]
    assert synthetic["patient"].nunique() == 5
