"""Write student copies of the notebooks: no solutions, no outputs.

    python notebooks/student_copies.py --out student/
    python notebooks/student_copies.py --out week3/ notebooks/03_restricted_boltzmann_machine.ipynb

Each notebook is copied to ``--out`` under its own name with the cells tagged ``solution`` removed and every
output and execution count cleared; all other cells are kept, in order, so each exercise keeps its prompt and
its empty ``# your code here`` cell. The teacher's notebooks are only read. Without notebook arguments, all the
notebooks beside this script are copied.

``--out`` must not exist or be empty, unless ``--force`` is given (then copies of the same name are
overwritten). A mistake gives one line ``student_copies: error: ...`` and exit code 2. Needs nbformat, which
the ``[notebooks]`` and ``[test]`` extras install.
"""

import argparse
import sys
from pathlib import Path

import nbformat

NOTEBOOK_DIR = Path(__file__).resolve().parent
SOLUTION_TAG = "solution"


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line and exit code 2."""

    def error(self, message):
        self.exit(2, f"student_copies: error: {message}\n")


def is_solution(cell):
    """True if the cell carries the ``solution`` tag (the collapsed answer cells of "Try this")."""
    return SOLUTION_TAG in cell.metadata.get("tags", [])


def student_copy(notebook):
    """Return a copy of `notebook` without solution cells, outputs and execution counts.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        A notebook as read by ``nbformat.read(..., as_version=4)``; it is not modified.

    Returns
    -------
    nbformat.NotebookNode
        The other cells, in their order; code cells have no outputs, no execution count and no execution
        timings in their metadata.
    """
    copy = nbformat.from_dict(notebook)
    copy.cells = [cell for cell in copy.cells if not is_solution(cell)]
    for cell in copy.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            cell.metadata.pop("execution", None)
    return copy


def write_student_copies(notebooks, out, force=False):
    """Write the student copy of every notebook in `notebooks` into the folder `out`.

    Parameters
    ----------
    notebooks : list of path-like
        ``.ipynb`` files.
    out : path-like
        Folder to write into, created if needed.
    force : bool
        Write into an existing non-empty folder (overwriting copies of the same name).

    Returns
    -------
    list of pathlib.Path
        The files written, in the order of `notebooks`.

    Raises
    ------
    ValueError
        If `out` is a file or a non-empty folder (without `force`), if there is no notebook, or if a path is not a
        readable notebook.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise ValueError(f"--out {out} exists and is not empty (use --force to write into it)")
    if not notebooks:
        raise ValueError("no notebooks to copy")
    read = [(Path(path), _read_notebook(path)) for path in notebooks]
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path, notebook in read:
        target = out / path.name
        nbformat.write(student_copy(notebook), target)
        written.append(target)
    return written


def _read_notebook(path):
    path = Path(path)
    if path.suffix != ".ipynb" or not path.is_file():
        raise ValueError(f"{path} is not a notebook file (.ipynb)")
    try:
        return nbformat.read(path, as_version=4)
    except (ValueError, nbformat.ValidationError) as error:
        first_line = str(error).strip().splitlines()[0]
        raise ValueError(f"{path} cannot be read as a notebook: {first_line}") from error


def main(argv=None):
    """Parse the command line, write the copies and return the exit code (0, or 2 on a mistake)."""
    parser = OneLineParser(prog="student_copies",
                           description="Copies of the notebooks without solution cells and outputs.")
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help=f"notebooks to copy (default: every notebook in {NOTEBOOK_DIR})")
    parser.add_argument("--out", required=True, type=Path, help="folder to write (must not exist or be empty)")
    parser.add_argument("--force", action="store_true", help="write into a non-empty --out")
    args = parser.parse_args(argv)
    try:
        written = write_student_copies(args.notebooks or sorted(NOTEBOOK_DIR.glob("*.ipynb")), args.out,
                                       args.force)
    except (ValueError, OSError) as error:
        print(f"student_copies: error: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
