"""The sync check: course_app/ must be exactly what the notebooks write."""

from __future__ import annotations

import difflib
from pathlib import Path

from course_tools.notebooks import expected_files, stages
from course_tools.paths import PACKAGE, relative


def package_files(root: Path) -> dict[str, str]:
    folder = root / PACKAGE
    return {
        relative(path, root): path.read_text(encoding="utf-8", errors="replace")
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def written_by_notebooks(root: Path) -> dict[str, str]:
    """What running every notebook writes, read straight from their `%%module` cells."""
    return {path: text for path, (text, _) in expected_files(stages(root)).items()}


def differences(produced: dict[str, str], committed_root: Path) -> list[str]:
    """Each difference between what the notebooks produced and the committed course_app."""
    committed = package_files(committed_root)
    writers = {
        path: stage.path.name for path, (_, stage) in expected_files(stages(committed_root)).items()
    }
    problems = []
    for path in sorted(produced.keys() | committed.keys()):
        writer = writers.get(path)
        by = f"notebook {writer}" if writer else "no notebook"
        if path not in committed:
            problems.append(f"{path}: written by {by}, but missing from the committed {PACKAGE}/")
        elif path not in produced:
            problems.append(f"{path}: committed, but written by {by}; delete it or add its cell")
        elif produced[path] != committed[path]:
            problems.append(
                f"{path}: differs from what {by} writes\n{first_difference(produced[path], committed[path])}"
            )
    return problems


def first_difference(expected: str, actual: str) -> str:
    diff = difflib.unified_diff(
        expected.splitlines(), actual.splitlines(), "notebook", "committed", n=0, lineterm=""
    )
    return "\n".join("    " + line for line in list(diff)[2:8])


def report_sync(problems: list[str]) -> int:
    """Print the verdict of a sync check; the exit code."""
    if problems:
        print("Sync check failed: course_app/ is not what the notebooks write.")
        print("\n".join(problems))
        print("Edit the notebook, never course_app/ by hand; then run `make build`.")
        return 1
    print("Sync check passed: course_app/ is exactly what the notebooks write.")
    return 0
