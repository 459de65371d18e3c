"""The learner edition: every notebook with its exercise solutions and holes replaced by stubs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat

from course_tools.notebooks import EXERCISE_ID, EXERCISE_TAG, SOLUTION, parse_module_cell, stages


def strip_solutions(source: str) -> str:
    """Replace each marked solution with a stub that the check reports as "not attempted"."""
    exercise_id = EXERCISE_ID.search(source)
    label = f"exercise {exercise_id['id']}" if exercise_id else "this exercise"

    def stub(match: re.Match[str]) -> str:
        return f'{match["indent"]}raise NotImplementedError("{label}: your code goes here")\n'

    stubbed = SOLUTION.sub(stub, source)
    if stubbed == source:
        raise ValueError(f"{label} has no '# BEGIN SOLUTION' / '# END SOLUTION' block")
    return stubbed.rstrip("\n")


def learner_notebook(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    from course_tools.holes import empty_holes
    from course_tools.suite import SUITE_TAG, strip_test_solutions

    copy: nbformat.NotebookNode = nbformat.from_dict(notebook)
    for cell in copy.cells:
        if cell.cell_type != "code":
            continue
        if SUITE_TAG in cell.metadata.get("tags", []):
            # The learner's own test suite (notebook 08): the reference tests become a comment.
            cell.source = strip_test_solutions(cell.source)
            cell.outputs = []
            cell.execution_count = None
        if EXERCISE_TAG in cell.metadata.get("tags", []):
            cell.source = strip_solutions(cell.source)
        if parse_module_cell(cell.source) is not None and empty_holes(cell.source) != cell.source:
            # The learner writes the holes of this module; its output counted the full file.
            cell.source = empty_holes(cell.source)
            cell.outputs = []
            cell.execution_count = None
        if EXERCISE_TAG in cell.metadata.get("tags", []) or "check_exercise(" in cell.source:
            cell.outputs = []
            cell.execution_count = None
    return copy


def build_edition(root: Path, out: Path, overwrite: bool = False) -> list[Path]:
    """Make `out` a learner workspace: stubbed notebooks, the stage tests, and no course_app yet.

    The learner's course_app is built in `out/course_app` by running the notebooks. A notebook the
    learner already has is never replaced unless `overwrite` is set.
    """
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    if out.resolve() != root.resolve():
        if not (out / "tests").exists():
            shutil.copytree(
                root / "tests", out / "tests", ignore=shutil.ignore_patterns("__pycache__")
            )
        shutil.copyfile(root / "pyproject.toml", out / "pyproject.toml")
        # The notebooks link to the API reference: the learner's workspace carries its own copy.
        (out / "docs").mkdir(exist_ok=True)
        shutil.copyfile(root / "docs" / "api.md", out / "docs" / "api.md")
        # Notebook 10 builds the container image from these.
        for name in ("Dockerfile", ".dockerignore"):
            shutil.copyfile(root / name, out / name)
        shutil.copytree(root / "deploy", out / "deploy", dirs_exist_ok=True)
    written = []
    for item in stages(root):
        target = out / "notebooks" / item.path.name
        if target.exists() and not overwrite:
            continue
        nbformat.write(learner_notebook(item.notebook), target)
        written.append(target)
    return written
