"""notebooks/student_copies.py: copies of the real notebooks without solutions and outputs; one-line errors.

The copies the other tests check are written once by the script as a teacher runs it (a subprocess); the
error cases call its ``main`` in this process, since importing nbformat costs seconds.
"""

import importlib.util
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.xdist_group("test_student_copies")  # its module-wide fixtures are built once, in one worker

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
SCRIPT = NOTEBOOK_DIR / "student_copies.py"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))

_spec = importlib.util.spec_from_file_location("student_copies", SCRIPT)
student_copies = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(student_copies)


def run(capsys, *args):
    """main() on `args`; returns (exit code, standard error)."""
    try:
        code = student_copies.main([str(arg) for arg in args])
    except SystemExit as stop:      # argparse's own errors
        code = stop.code
    return code, capsys.readouterr().err


def is_solution(cell):
    return "solution" in cell.metadata.get("tags", [])


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    """The student copies of the real notebooks, written once by the script."""
    out = tmp_path_factory.mktemp("copies") / "student"
    result = subprocess.run([sys.executable, str(SCRIPT), "--out", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return out


def test_every_notebook_is_copied_under_its_own_name(copies):
    assert sorted(path.name for path in copies.iterdir()) == [path.name for path in NOTEBOOKS]


@pytest.mark.parametrize("original", NOTEBOOKS, ids=lambda path: path.stem)
def test_copy_has_no_solutions_and_no_outputs_and_keeps_the_rest_in_order(copies, original):
    teacher = nbformat.read(original, as_version=4)
    student = nbformat.read(copies / original.name, as_version=4)
    assert any(is_solution(cell) for cell in teacher.cells), "the original has solution cells to remove"
    assert not any(is_solution(cell) for cell in student.cells)
    code = [cell for cell in student.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
    assert not any("execution" in cell.metadata for cell in code)
    kept = [(cell.cell_type, cell.source) for cell in teacher.cells if not is_solution(cell)]
    assert [(cell.cell_type, cell.source) for cell in student.cells] == kept


@pytest.mark.parametrize("original", NOTEBOOKS, ids=lambda path: path.stem)
def test_each_exercise_keeps_its_prompt_and_its_empty_cell(copies, original):
    student = nbformat.read(copies / original.name, as_version=4)
    sources = [cell.source for cell in student.cells]
    first_exercise = next(i for i, source in enumerate(sources) if source.startswith("**1.**"))
    assert student.cells[first_exercise].cell_type == "markdown"
    assert sources[first_exercise + 1] == "# your code here"


def test_the_teacher_notebooks_are_left_alone(tmp_path, capsys):
    before = [path.read_bytes() for path in NOTEBOOKS]
    assert run(capsys, "--out", tmp_path / "student", NOTEBOOKS[0])[0] == 0
    assert [path.read_bytes() for path in NOTEBOOKS] == before
    assert [path.name for path in (tmp_path / "student").iterdir()] == [NOTEBOOKS[0].name]


def test_refuses_a_non_empty_out_unless_forced(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("a teacher's file")
    code, error = run(capsys, "--out", tmp_path, NOTEBOOKS[0])
    assert code == 2
    assert error.startswith("student_copies: error: ") and error.count("\n") == 1
    assert "--force" in error
    assert not (tmp_path / NOTEBOOKS[0].name).exists()
    assert run(capsys, "--out", tmp_path, "--force", NOTEBOOKS[0])[0] == 0
    assert (tmp_path / NOTEBOOKS[0].name).is_file() and (tmp_path / "notes.txt").is_file()


@pytest.mark.parametrize("case", ["missing notebook", "not a notebook", "out is a file", "no --out"])
def test_user_mistakes_give_one_line_and_exit_2(tmp_path, capsys, case):
    (tmp_path / "broken.ipynb").write_text("not json")
    (tmp_path / "a_file").write_text("")
    args = {"missing notebook": ["--out", tmp_path / "out", tmp_path / "missing.ipynb"],
            "not a notebook": ["--out", tmp_path / "out", tmp_path / "broken.ipynb"],
            "out is a file": ["--out", tmp_path / "a_file"],
            "no --out": []}[case]
    code, error = run(capsys, *args)
    assert code == 2
    assert error.startswith("student_copies: error: ") and error.count("\n") == 1
    assert not (tmp_path / "out").exists()
