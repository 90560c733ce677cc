"""The notebooks run top to bottom on a small budget (a failing cell fails)."""

import os
import sys

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = os.path.join(
    os.path.dirname(os.path.dirname(__file__)), "notebooks"
)


@pytest.mark.parametrize(
    "name", ["quick_start.ipynb", "stocks.ipynb", "serving.ipynb"]
)
def test_notebook_runs_top_to_bottom(name, monkeypatch):
    monkeypatch.setenv("KERAS_RGAN_NOTEBOOK_QUICK", "1")
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")
    # The kernel's "python" must be this interpreter (with keras_rgan).
    bin_dir = os.path.dirname(sys.executable)
    monkeypatch.setenv(
        "PATH", bin_dir + os.pathsep + os.environ.get("PATH", "")
    )
    notebook = nbformat.read(os.path.join(NOTEBOOKS, name), as_version=4)
    assert all(
        not cell.get("outputs")
        for cell in notebook.cells
        if cell.cell_type == "code"
    )
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": NOTEBOOKS}},
    )
    client.execute()  # Raises CellExecutionError naming the failing cell.
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code_cells)


def test_committed_notebooks_match_their_generator():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_notebooks", os.path.join(NOTEBOOKS, "make_notebooks.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, cells in (
        ("quick_start.ipynb", module.QUICK_START),
        ("stocks.ipynb", module.STOCKS),
        ("serving.ipynb", module.SERVING),
    ):
        committed = nbformat.read(os.path.join(NOTEBOOKS, name), as_version=4)
        assert [c.source for c in committed.cells] == [c.source for c in cells]
