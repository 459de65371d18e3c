"""Finding what is broken in a learner's course_app, and saying it in a few lines."""

from __future__ import annotations

import importlib
import traceback
from pathlib import Path
from typing import Any

from course_tools.notebooks import Stage, expected_files, module_name, stages
from course_tools.paths import PACKAGE, relative

# Alembic runs these files itself (env.py needs its context): they are not for `import`.
ALEMBIC_SCRIPTS = f"{PACKAGE}/migrations/"


def import_error(stage: Stage, root: Path) -> dict[str, Any] | None:
    """The first module of this stage (or an earlier one) that fails to import."""
    for earlier in stages(root):
        if earlier.number > stage.number:
            break
        for cell in earlier.module_cells:
            if not cell.path.endswith(".py") or cell.path.startswith(ALEMBIC_SCRIPTS):
                continue
            try:
                importlib.import_module(module_name(cell.path))
            except Exception as error:  # a learner's module may fail in any way
                return describe(error, cell.path, root)
    return None


def describe(error: BaseException, fallback: str, root: Path) -> dict[str, Any]:
    file, line = fallback, None
    if isinstance(error, SyntaxError) and error.filename:
        file, line = relative(Path(error.filename), root), error.lineno
    else:
        for frame in reversed(traceback.extract_tb(error.__traceback__)):
            path = Path(frame.filename)
            if PACKAGE in path.parts:
                file, line = relative(path, root), frame.lineno
                break
    message = str(error).splitlines()[0] if str(error) else ""
    if isinstance(error, SyntaxError):
        message = error.msg
    return {"file": file, "line": line, "type": type(error).__name__, "message": message}


def describe_broken(error: dict[str, Any], root: Path, up_to: int | None = None) -> str:
    """Two lines: where the module breaks and which notebook cell to fix.

    The notebook named is the last one writing the file up to stage `up_to`: a later notebook
    may rewrite it (09 rewrites settings.py), but a learner at stage 02 should fix 01.
    """
    where = error.get("file") or PACKAGE
    so_far = [s for s in stages(root) if up_to is None or s.number <= up_to]
    writer = expected_files(so_far).get(where) or expected_files(stages(root)).get(where)
    notebook = f"notebook {writer[1].path.name}" if writer else "the notebook"
    if error.get("line"):
        # File line N is line N + 1 of its %%module cell, whose first line is the magic.
        location = f"{where}, line {error['line']}"
        fix = f"fix line {error['line'] + 1} of the cell in {notebook} that writes it"
    else:
        location, fix = where, f"fix the cell in {notebook} that writes it"
    return (
        f"{location}: {error['type']}: {error['message']}\n"
        f"   {fix}, run that cell, then this one again."
    )
