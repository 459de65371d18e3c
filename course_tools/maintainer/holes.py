"""CI's proof for every hole: the empty hole is named, and each listed mistake is caught.

The solutions themselves pass every stage check: `make test` runs them on the full edition.
Here, each case is a copy of the course as it stands at the end of the hole's stage, with the
hole emptied or a mistake written in, graded by the learner's own stage check.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nbformat

from course_tools.checks import StageReport, run_checks
from course_tools.holes import (
    Hole,
    all_holes,
    describe,
    empty_holes,
    reference_holes,
    replace_hole,
)
from course_tools.holes.mistakes import Mistake, all_mistakes
from course_tools.magic import write_atomically
from course_tools.maintainer.edition import build_edition
from course_tools.maintainer.runner import clean_copy, execute_notebook
from course_tools.notebooks import Stage, expected_files, module_text, parse_module_cell, stages

# (path, the cell's code with its markers) -> the code to write
Edit = Callable[[str, str], str]


@dataclass
class Case:
    label: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok ' if self.ok else 'BAD'} {self.label}: {self.detail}"


def write_course_app(copy: Path, number: int, edit: Edit) -> None:
    """Write course_app as notebooks 01..number leave it, each cell's code passed through `edit`."""
    files: dict[str, str] = {}
    for item in stages(copy):
        if item.number > number:
            break
        for cell in item.cells:
            module = parse_module_cell(cell.source) if cell.cell_type == "code" else None
            if module is not None:
                files[module.path] = module_text(edit(module.path, cell.source.partition("\n")[2]))
    for path, text in files.items():
        write_atomically(copy / path, text)


@contextmanager
def course_with(root: Path, number: int, edit: Edit) -> Iterator[Path]:
    with clean_copy(root) as copy:
        write_course_app(copy, number, edit)
        yield copy


def check_empty(root: Path, number: int, holes: list[Hole]) -> Case:
    """Every hole up to this stage empty: the check names each of them, and runs no test."""
    with course_with(root, number, lambda _path, code: empty_holes(code)) as copy:
        (report,) = run_checks([number], copy)
    # A hole counts while its cell is still the last to write its file: notebook 10 rewrites
    # settings.py, say, without notebook 01's holes.
    writers = expected_files([item for item in stages(root) if item.number <= number])
    expected = [
        hole.hole_id
        for hole in holes
        if hole.stage.number <= number and writers[hole.path][1] == hole.stage
    ]
    named = [hole.hole_id for hole in report.holes]
    where_ok = all(hole.where == describe(hole.hole_id) for hole in report.holes)
    ok = named == expected and where_ok and not report.ok and "not yet" in report.summary()
    return Case(f"stage {number:02d} with its holes empty", ok, first_lines(report))


def check_mistake(root: Path, hole: Hole, mistake: Mistake) -> Case:
    def edit(path: str, code: str) -> str:
        if path == hole.path and f"BEGIN HOLE {hole.hole_id}:" in code:
            return replace_hole(code, hole.hole_id, mistake.wrong_answer(hole.solution))
        return code

    with course_with(root, hole.stage.number, edit) as copy:
        # The tests grading this hole: the stage check reports their failures first anyway.
        (report,) = run_checks([hole.stage.number], copy, only_hole=hole.hole_id)
    first = report.failures[0].hint if report.failures else ""
    ok = (
        not report.ok
        and first.startswith(f"{hole.where} looks wrong")
        and mistake.names.lower() in first.lower()
    )
    return Case(f"{hole.hole_id} with the mistake {mistake.name!r}", ok, first_lines(report))


def first_lines(report: StageReport) -> str:
    return re.sub(r"\s+", " ", report.summary())[:2000]


def validate_holes(root: Path, jobs: int = 2, only_stage: int | None = None) -> list[Case]:
    every_hole = all_holes(root)
    holes = {
        hole_id: hole
        for hole_id, hole in every_hole.items()
        if only_stage is None or hole.stage.number == only_stage
    }
    mistakes = [m for m in all_mistakes() if only_stage is None or int(m.target[:2]) == only_stage]
    cases: list[Case] = []
    for hole in holes.values():
        own = [m for m in mistakes if m.target == hole.hole_id]
        graded = any(
            f'hole("{hole.hole_id}")' in path.read_text(encoding="utf-8")
            for path in hole.stage.tests_dir.rglob("test_*.py")
        )
        problems = []
        if not own:
            problems.append("no common mistake is listed")
        if not graded:
            problems.append(f'no test of its stage is marked @pytest.mark.hole("{hole.hole_id}")')
        cases.append(Case(f"{hole.hole_id} listed", not problems, "; ".join(problems) or "ok"))
    for mistake in mistakes:
        if mistake.target not in holes:
            cases.append(Case(f"mistake {mistake.name!r}", False, f"no hole {mistake.target}"))
    numbers = sorted({hole.stage.number for hole in holes.values()})
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        empty = [pool.submit(check_empty, root, n, list(every_hole.values())) for n in numbers]
        wrong = [
            pool.submit(check_mistake, root, holes[m.target], m)
            for m in mistakes
            if m.target in holes
        ]
        cases += [future.result() for future in [*empty, *wrong]]
    return cases


def run_learner_edition(workspace: Path) -> list[str]:
    """Run All on every notebook of a learner workspace whose holes are empty, in order.

    Returns the problems: a cell that ended in an error, or a stage check that did not say
    "not yet" while holes of its stage (or earlier) were empty.
    """
    problems = []
    for item in stages(workspace):
        notebook, failure = execute_notebook(item.path)
        if failure is not None:
            problems.append(f"✗ {failure.describe()}")
        problems += check_says_not_yet(notebook, item)
        print(f"{'✗' if failure else '✓'} {item.path.name}", flush=True)
    return problems


def check_says_not_yet(notebook: nbformat.NotebookNode, item: Stage) -> list[str]:
    """A notebook run with every hole empty: its stage check must say "not yet" while holes of
    its stage, or of an earlier one, are empty. Returns the problem, if any."""
    owed = [hole for hole in reference_holes().values() if hole.stage.number <= item.number]
    printed = [
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code" and "check_stage(" in cell.source
        for output in cell.get("outputs", [])
    ]
    if owed and not any("not yet" in text for text in printed):
        return [f"✗ {item.path.name}: its check did not say 'not yet': {printed}"]
    return []


def run_empty_edition(root: Path) -> list[str]:
    """`run_learner_edition` on a fresh learner edition of the course at `root`."""
    with tempfile.TemporaryDirectory(prefix="learner-") as scratch:
        build_edition(root, Path(scratch))
        return run_learner_edition(Path(scratch))
