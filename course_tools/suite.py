"""The learner's own test suite: `%%testfile` cells write it into `tests_mine/`.

Notebook 08 is where learners write tests instead of service code. A cell starting with
`%%testfile test_orders.py` writes its code to `tests_mine/test_orders.py`, checked to compile and
written atomically, as `%%module` does for `course_app/`. The stage check grades that folder.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from course_tools.notebooks import SOLUTION, Stage, module_text
from course_tools.paths import find_root

TESTFILE_MAGIC = "%%testfile"
SUITE_DIR = "tests_mine"
SUITE_TAG = "graded-suite"  # cells whose solution regions the learner edition empties


@dataclass(frozen=True)
class SuiteFileCell:
    name: str  # relative to tests_mine/, e.g. "test_orders.py"
    source: str

    @property
    def path(self) -> str:
        return f"{SUITE_DIR}/{self.name}"


def parse_testfile_cell(source: str) -> SuiteFileCell | None:
    first_line, _, body = source.partition("\n")
    if not first_line.startswith(TESTFILE_MAGIC + " "):
        return None
    (name,) = shlex.split(first_line[len(TESTFILE_MAGIC) :])
    return SuiteFileCell(name, module_text(body))


def suite_file_cells(stage: Stage) -> list[SuiteFileCell]:
    cells = (
        parse_testfile_cell(cell.source)
        for cell in stage.notebook.cells
        if cell.cell_type == "code"
    )
    return [cell for cell in cells if cell is not None]


class SuiteFileError(Exception):
    """A test file that would not even compile; nothing was written."""


def write_test_file(name: str, body: str, root: Path) -> str:
    if Path(name).is_absolute() or ".." in Path(name).parts or not name.endswith(".py"):
        raise SuiteFileError(f"{TESTFILE_MAGIC} writes a .py file inside {SUITE_DIR}/: {name!r}")
    text = module_text(body)
    try:
        compile(text, name, "exec")
    except SyntaxError as error:
        raise SuiteFileError(
            f"✗ {SUITE_DIR}/{name} not written: SyntaxError at line {error.lineno}: {error.msg}."
        ) from None
    target = root / SUITE_DIR / name
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".py")
    with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
        stream.write(text)
    os.replace(temporary, target)
    lines = text.count("\n")
    return f"✓ {SUITE_DIR}/{name} ({lines} line{'s' if lines != 1 else ''})"


def write_suite(stage: Stage, folder: Path) -> list[Path]:
    """Write what the notebook's `%%testfile` cells write, into `folder` (the suite folder)."""
    written = []
    for cell in suite_file_cells(stage):
        target = folder / cell.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(cell.source, encoding="utf-8")
        written.append(target)
    return written


def suite_file_magic(line: str, cell: str) -> None:
    """%%testfile test_something.py: write this cell to tests_mine/test_something.py."""
    try:
        print(write_test_file(line.strip(), cell, find_root()))
    except SuiteFileError as error:
        print(error, file=sys.stderr)


def strip_test_solutions(source: str) -> str:
    """The learner edition of a `%%testfile` cell: each marked block of tests becomes a comment."""

    def stub(match: re.Match[str]) -> str:
        return f"{match['indent']}# Your tests go here.\n"

    stubbed = SOLUTION.sub(stub, source)
    if stubbed == source:
        raise ValueError("a graded-suite cell has no '# BEGIN SOLUTION' / '# END SOLUTION' block")
    return stubbed.rstrip("\n")
