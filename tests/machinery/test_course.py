"""The Course object, and the line between the learner's machinery and the maintainers'."""

import subprocess
import sys
from pathlib import Path

import pytest

from course_tools.course import Course

REPO = Path(__file__).resolve().parents[2]

# Everything a notebook, a stage check or a learner's terminal command imports.
KERNEL_MODULES = [
    "course_tools",
    "course_tools.setup",
    "course_tools.checks",
    "course_tools.magic",
    "course_tools.suite",
    "course_tools.progress",
    "course_tools.stage_probe",
    "course_tools.recovery",
    "course_tools.live",
    "course_tools.holes",
    "course_tools.exercises",
    "course_tools.mutants.grade",
    "course_tools.mutants.scoreboard",
]


def test_activate_puts_the_course_first_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """activate() is safe to call twice, and moves an entry already on sys.path to the front."""
    entry = str(tmp_path)
    monkeypatch.setattr(sys, "path", ["/elsewhere", entry, "/other"])
    course = Course(tmp_path)
    course.activate()
    course.activate()
    assert sys.path == [entry, "/elsewhere", "/other"]


def test_the_stages_are_read_once_per_course() -> None:
    course = Course(REPO)
    assert course.stages is course.stages
    assert [s.number for s in course.stages] == sorted(s.number for s in course.stages)
    assert course.stage(4).slug == "repositories"
    assert course.stage(4) is course.stages[4]
    with pytest.raises(LookupError, match="no stage 99"):
        course.stage(99)


def test_find_honours_course_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSE_ROOT", str(tmp_path))
    assert Course.find().root == tmp_path.resolve()


def test_the_learners_machinery_never_imports_the_maintainers() -> None:
    """Notebooks and stage checks load nothing from course_tools.maintainer."""
    code = (
        f"import importlib, sys\n"
        f"for name in {KERNEL_MODULES!r}:\n"
        f"    importlib.import_module(name)\n"
        f"print(sorted(m for m in sys.modules if m.startswith('course_tools.maintainer')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
