"""Holes: the parts of course_app that learners write themselves.

In the full edition, a hole is a region of a `%%module` cell between two marker lines:

    # BEGIN HOLE 04.reserve: one conditional UPDATE; True when it changed a row
    ...the solution...
    # END HOLE

The markers are never written to course_app (see `notebooks.module_text`). The learner edition
replaces each region with its task as a comment and `raise NotImplementedError("hole 04.reserve")`.
The stage checks find those stubs in the learner's files and say which holes are left and where;
`reveal()` shows one solution, and `restore()` brings back a whole stage from the reference.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from course_tools.notebooks import HOLE_MARKER, Stage, parse_module_cell, stages
from course_tools.paths import PACKAGE

REGION = re.compile(
    r"^(?P<indent>[ \t]*)# BEGIN HOLE (?P<id>\d\d\.\w+): (?P<task>[^\n]*)\n"
    r"(?P<body>.*?)"
    r"^[ \t]*# END HOLE\n?",
    re.MULTILINE | re.DOTALL,
)
STUB = re.compile(r'raise NotImplementedError\("hole (?P<id>\d\d\.\w+)"\)')
STUB_MESSAGE = re.compile(r"hole (\d\d\.\w+)")  # the message of a stub's NotImplementedError
# Set in a stage probe's environment, only the tests grading this hole run
# (see course_tools.maintainer.holes).
ONLY_HOLE = "COURSE_ONLY_HOLE"
SECTION = re.compile(r"^## (?P<number>\d+)\. (?P<title>.+)$", re.MULTILINE)


@dataclass(frozen=True)
class Hole:
    hole_id: str  # "04.reserve": the notebook's number and a short name
    task: str  # one line: what to write
    path: str  # the file it is in, e.g. "course_app/repositories/products.py"
    stage: Stage
    section: str  # "5", the numbered section of the notebook holding the cell
    function: str  # "ProductRepository.reserve", the function the hole is in
    solution: str  # the region's code, dedented

    @property
    def where(self) -> str:
        return f"`{self.function}` in section {self.section} of notebook {self.stage.label}"


def stub(indent: str, hole_id: str, task: str) -> str:
    """What the learner edition puts in place of a solution."""
    return (
        f"{indent}# Your code here (hole {hole_id}): {task}\n"
        f'{indent}raise NotImplementedError("hole {hole_id}")\n'
    )


def empty_holes(source: str) -> str:
    """A `%%module` cell's source with every solution replaced by its stub."""
    return REGION.sub(lambda m: stub(m["indent"], m["id"], m["task"]), source)


def replace_hole(source: str, hole_id: str, code: str) -> str:
    """A cell's source with one hole's region replaced by `code` (indented to match)."""

    def swap(match: re.Match[str]) -> str:
        if match["id"] != hole_id:
            return match[0]
        return textwrap.indent(textwrap.dedent(code).strip("\n") + "\n", match["indent"])

    replaced = REGION.sub(swap, source)
    if replaced == source:
        raise LookupError(f"no hole {hole_id} in this cell")
    return replaced


def enclosing_function(text: str, line: int) -> str:
    """The qualified name of the innermost function of `text` holding `line`."""
    best: list[str] = []

    def visit(node: ast.AST, names: list[str]) -> None:
        nonlocal best
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                inside = child.lineno <= line <= (child.end_lineno or child.lineno)
                if inside:
                    path = [*names, child.name]
                    if not isinstance(child, ast.ClassDef):
                        best = path
                    visit(child, path)

    visit(ast.parse(text), [])
    return ".".join(best) or "module level"


def holes_of(item: Stage) -> list[Hole]:
    found = []
    section = "1"
    for cell in item.cells:
        if cell.cell_type == "markdown":
            headings = SECTION.findall(cell.source)
            if headings:
                section = headings[-1][0]
            continue
        module = parse_module_cell(cell.source) if cell.cell_type == "code" else None
        if module is None:
            continue
        body = cell.source.partition("\n")[2]
        for match in REGION.finditer(body):
            # The region's first line, counted in the file (where the markers are gone).
            line = HOLE_MARKER.sub("", body[: match.start()]).count("\n") + 1
            found.append(
                Hole(
                    hole_id=match["id"],
                    task=match["task"].strip(),
                    path=module.path,
                    stage=item,
                    section=section,
                    function=enclosing_function(module.source, line),
                    solution=textwrap.dedent(match["body"]),
                )
            )
    return found


def all_holes(root: Path) -> dict[str, Hole]:
    """Every hole of the course at `root` (the full edition), by id, in course order."""
    return {hole.hole_id: hole for item in stages(root) for hole in holes_of(item)}


def reference_root() -> Path:
    """The full edition: the course these tools belong to (the learner's workspace lies inside)."""
    return Path(__file__).resolve().parents[2]


@cache
def reference_holes() -> dict[str, Hole]:
    return all_holes(reference_root())


def unfilled_holes(root: Path, up_to: int | None = None) -> list[str]:
    """The holes still empty in the course_app of `root`, in course order; with `up_to`, only
    those of stages up to that one."""
    found = set()
    for path in (root / PACKAGE).rglob("*.py"):
        found.update(STUB.findall(path.read_text(encoding="utf-8", errors="replace")))
    if up_to is not None:
        found = {hole_id for hole_id in found if int(hole_id[:2]) <= up_to}
    order = list(reference_holes())
    return sorted(found, key=lambda hole_id: order.index(hole_id) if hole_id in order else 999)


def require_written(root: Path) -> None:
    """Stop, as a cell that meets an empty hole does, unless every hole at `root` is written.

    For code that runs the learner's course_app in another process (a server, a pytest run),
    where an empty hole would only show up as a hang or a crash over there.
    """
    empty = unfilled_holes(root)
    if empty:
        raise NotImplementedError(f"hole {empty[0]}")


def describe(hole_id: str) -> str:
    hole = reference_holes().get(hole_id)
    return hole.where if hole else f"hole {hole_id}"


def is_hole_error(error_type: str, message: str) -> bool:
    """Whether an error, as `diagnose` describes it, is an empty hole's stub."""
    return error_type == "NotImplementedError" and STUB_MESSAGE.fullmatch(message) is not None


def hole_in(error: BaseException | None) -> str | None:
    """The id of the empty hole that raised `error`, directly or as its cause or context."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, NotImplementedError):
            match = STUB_MESSAGE.fullmatch(str(current))
            if match:
                return match[1]
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
        pending.extend([current.__cause__, current.__context__])
    return None


def reveal(hole_id: str) -> None:
    """Print one hole's solution, to read and type in (after trying it yourself)."""
    hole = reference_holes().get(hole_id)
    if hole is None:
        known = ", ".join(reference_holes())
        print(f"There is no hole {hole_id!r}. The holes are: {known}.")
        return
    print(f"Hole {hole.hole_id}, {hole.where} ({hole.path}): {hole.task}")
    print("Replace the two lines of the hole in that %%module cell with:\n")
    print(textwrap.indent(hole.solution.rstrip("\n"), "    "))
