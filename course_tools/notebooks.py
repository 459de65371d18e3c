"""Reading the course notebooks: stages, the modules each one writes, and its exercises."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import nbformat

MODULE_MAGIC = "%%module"
NOTEBOOK_NAME = re.compile(r"^(?P<number>\d\d)_(?P<slug>[a-z0-9_]+)\.ipynb$")
EXERCISE_TAG = "exercise"
EXERCISE_ID = re.compile(r"#\s*Exercise\s+(?P<id>\d\d\.\d+)\b")
# The two lines around a hole's solution in a `%%module` cell (see course_tools.holes). They
# mark the region for the learner edition and are never written to course_app.
HOLE_MARKER = re.compile(r"^[ \t]*# (?:BEGIN HOLE \d\d\.\w+: .*|END HOLE)\n", re.MULTILINE)
# The solution of an exercise, or of a block of the graded suite: the learner edition stubs it.
SOLUTION = re.compile(
    r"^(?P<indent>[ \t]*)# BEGIN SOLUTION\n.*?^[ \t]*# END SOLUTION\n?", re.MULTILINE | re.DOTALL
)


@dataclass(frozen=True)
class Cell:
    """What the machinery needs of a cell: its type, its source and its tags."""

    cell_type: str
    source: str
    tags: tuple[str, ...] = ()


def read_cells(path: Path) -> list[Cell]:
    """A notebook's cells, read as plain JSON (nbformat 4, as the course's notebooks are).

    Every kernel and stage check reads the notebooks, and `import nbformat` costs them about two
    seconds of CPU (its jsonschema builds a grammar parser at import time): only the functions
    that need a whole notebook import it.
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("nbformat") != 4:
        import nbformat

        data = nbformat.read(path, as_version=4)
    return [
        Cell(
            cell["cell_type"],
            "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"],
            tuple(cell.get("metadata", {}).get("tags", [])),
        )
        for cell in data["cells"]
    ]


@dataclass(frozen=True)
class ModuleCell:
    path: str  # relative to the course root, e.g. "course_app/settings.py"
    source: str  # the exact text the cell writes


@dataclass(frozen=True)
class ExerciseCell:
    exercise_id: str  # "01.2"
    source: str


def parse_module_cell(source: str) -> ModuleCell | None:
    """The file a `%%module` cell writes, or None for any other cell."""
    first_line, _, body = source.partition("\n")
    if not first_line.startswith(MODULE_MAGIC + " "):
        return None
    args = shlex.split(first_line[len(MODULE_MAGIC) :])
    return ModuleCell(path=args[0], source=module_text(body))


def module_name(path: str) -> str:
    """course_app/api/__init__.py -> course_app.api"""
    return path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def module_text(body: str) -> str:
    """Cell bodies become files ending in exactly one newline, without the hole markers."""
    return HOLE_MARKER.sub("", body.rstrip() + "\n")


@dataclass(frozen=True)
class Stage:
    path: Path

    @property
    def number(self) -> int:
        return int(self.path.name[:2])

    @property
    def label(self) -> str:
        return f"{self.number:02d}"

    @property
    def slug(self) -> str:
        return self.path.stem[3:]

    @property
    def title(self) -> str:
        return self.slug.replace("_", " ")

    @property
    def tests_dir(self) -> Path:
        return self.path.parent.parent / "tests" / f"stage_{self.label}_{self.slug}"

    @cached_property
    def notebook(self) -> nbformat.NotebookNode:
        """The whole notebook, outputs included (the cells alone are quicker: `cells`)."""
        import nbformat

        notebook: nbformat.NotebookNode = nbformat.read(self.path, as_version=4)
        return notebook

    @cached_property
    def cells(self) -> list[Cell]:
        return read_cells(self.path)

    @cached_property
    def module_cells(self) -> list[ModuleCell]:
        cells = (parse_module_cell(c.source) for c in self.cells if c.cell_type == "code")
        return [cell for cell in cells if cell is not None]

    @cached_property
    def exercises(self) -> list[ExerciseCell]:
        found = []
        for cell in self.cells:
            if cell.cell_type == "code" and EXERCISE_TAG in cell.tags:
                match = EXERCISE_ID.search(cell.source)
                if match is None:
                    raise ValueError(f"{self.path.name}: an exercise cell has no '# Exercise NN.K'")
                found.append(ExerciseCell(match["id"], cell.source))
        return found


def stages(root: Path) -> list[Stage]:
    """Every stage notebook, in course order (`Course.stages` reads them once)."""
    notebooks = root / "notebooks"
    return [Stage(p) for p in sorted(notebooks.glob("*.ipynb")) if NOTEBOOK_NAME.match(p.name)]


def stage(number: int, root: Path) -> Stage:
    for candidate in stages(root):
        if candidate.number == number:
            return candidate
    raise LookupError(f"there is no stage {number:02d}")


def expected_files(all_stages: list[Stage]) -> dict[str, tuple[str, Stage]]:
    """What the given notebooks write, run in order: path -> (text, the last notebook writing it)."""
    files: dict[str, tuple[str, Stage]] = {}
    for item in all_stages:
        for cell in item.module_cells:
            files[cell.path] = (cell.source, item)
    return files
