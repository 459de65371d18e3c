"""Running notebooks headlessly: one stage, the course so far, or the whole course in a clean copy."""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from tqdm import tqdm

from course_tools.notebooks import Stage, stages
from course_tools.paths import PACKAGE

CELL_TIMEOUT_SECONDS = 600
ALLOWED_ERROR_TAG = "raises-exception"
NOT_COPIED = shutil.ignore_patterns(
    ".git",
    ".venv",
    "learner",
    "build",
    "__pycache__",
    ".ipynb_checkpoints",
    "*.db",
    ".env",
    ".course_backups",
    "test-results",
    "tests_mine",
    ".mypy_cache",
    ".ruff_cache",
)


@dataclass(frozen=True)
class CellFailure:
    notebook: str
    cell: int  # index among all cells, as JupyterLab counts them from 0
    error: str
    source: str

    def describe(self) -> str:
        first_line = self.source.strip().splitlines()[0] if self.source.strip() else ""
        return f"{self.notebook}, cell {self.cell} ({first_line!r}): {self.error}"


def error_cells(notebook: nbformat.NotebookNode) -> list[tuple[int, str]]:
    """(index, "Error: message") for each error output, but in cells tagged to raise on purpose."""
    return [
        (index, f"{output.ename}: {output.evalue}")
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and ALLOWED_ERROR_TAG not in cell.metadata.get("tags", [])
        for output in cell.get("outputs", [])
        if output.output_type == "error"
    ]


def execute(notebook_path: Path, save: bool = False) -> CellFailure | None:
    """Execute one notebook top to bottom in a fresh kernel, in its own folder.

    Returns the first failing cell, or None; only a notebook that ran cleanly is saved.
    """
    notebook, failure = execute_notebook(notebook_path)
    if failure is None and save:
        nbformat.write(notebook, notebook_path)
    return failure


def execute_notebook(notebook_path: Path) -> tuple[nbformat.NotebookNode, CellFailure | None]:
    """The executed notebook (not saved), and its first failing cell or None."""
    notebook = nbformat.read(notebook_path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_SECONDS,
        kernel_name="python3",
        record_timing=False,  # timestamps in cell metadata would change on every run
        resources={"metadata": {"path": str(notebook_path.parent)}},
    )
    try:
        client.execute()
    except CellExecutionError as error:
        last_line = str(error).strip().splitlines()[-1]
        failures = error_cells(notebook) or [(-1, last_line)]
    else:
        failures = error_cells(notebook)
    if not failures:
        return notebook, None
    index, message = failures[0]
    source = notebook.cells[index].source if index >= 0 else ""
    return notebook, CellFailure(notebook_path.name, index, message, source)


def run_stages(selected: list[Stage], save: bool = False) -> list[CellFailure]:
    """Execute notebooks in order with a progress bar naming the notebook being run."""
    failures = []
    with tqdm(selected, unit="notebook", file=sys.stdout, dynamic_ncols=True) as bar:
        for item in bar:
            bar.set_description(item.path.name)
            failure = execute(item.path, save=save)
            if failure:
                failures.append(failure)
                tqdm.write(f"✗ {failure.describe()}", file=sys.stdout)
    return failures


def stop_on_failures(failures: list[CellFailure]) -> None:
    if failures:
        raise SystemExit(f"{len(failures)} notebook(s) failed; see the ✗ lines above.")


@contextmanager
def clean_copy(root: Path) -> Iterator[Path]:
    """A throwaway copy of the course with an empty course_app, as a learner's first run sees it."""
    with tempfile.TemporaryDirectory(prefix="course-") as scratch:
        copy = Path(scratch) / "course"
        shutil.copytree(root, copy, ignore=NOT_COPIED)
        shutil.rmtree(copy / PACKAGE, ignore_errors=True)
        yield copy


def build(root: Path) -> None:
    """Re-execute every notebook in a clean copy; commit-ready outputs and course_app come back."""
    with clean_copy(root) as copy:
        stop_on_failures(run_stages(stages(copy), save=True))
        for item in stages(copy):
            shutil.copyfile(item.path, root / "notebooks" / item.path.name)
        shutil.rmtree(root / PACKAGE, ignore_errors=True)
        shutil.copytree(copy / PACKAGE, root / PACKAGE, ignore=NOT_COPIED)
    print(f"Executed {len(stages(root))} notebooks; outputs and {PACKAGE}/ updated.")
