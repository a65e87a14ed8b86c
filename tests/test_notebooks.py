"""The companion notebooks run top to bottom on the default data, and what is committed is what they produce.

The slow test executes every notebook in ``notebooks/`` with nbclient (kernel ``python3``) exactly as
committed: their default settings are the quick CI settings. Any exception in any cell fails it. Each kernel
runs BLAS single-threaded: the notebooks' matrices are small, and threads that wait on a busy machine cost
more than they save.
"""

import json
import os
from pathlib import Path

import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
MAX_BYTES = 1_500_000


def _code_cells(notebook):
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def _errors(cells):
    return [output for cell in cells for output in cell.get("outputs", []) if output["output_type"] == "error"]


def test_the_seven_notebooks_are_there():
    assert [path.name[:3] for path in NOTEBOOKS] == ["01_", "02_", "03_", "04_", "05_", "06_", "07_"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_committed_notebook_was_run_top_to_bottom_on_the_default_data(path):
    assert path.stat().st_size < MAX_BYTES, f"{path.name} is {path.stat().st_size} bytes; keep figures small"
    notebook = json.loads(path.read_text())
    cells = _code_cells(notebook)
    assert [cell["execution_count"] for cell in cells] == list(range(1, len(cells) + 1)), \
        f"{path.name}: not executed top to bottom in one run"
    assert not _errors(cells), f"{path.name}: committed with an error output"
    sources = ["".join(cell["source"]) for cell in cells]
    assert any('DATASET = "synthetic"' in source and "DATA_DIR = None" in source for source in sources[:3]), \
        f"{path.name}: the data-set cell near the top must default to the synthetic data"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_without_error(path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    single_thread = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    client.execute(env={**os.environ, **single_thread})  # raises CellExecutionError on the first failing cell
    cells = _code_cells(notebook)
    assert all(cell["execution_count"] for cell in cells)
    assert not _errors(cells)
