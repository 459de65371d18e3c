"""The progress table: each stage's checks and each exercise, passed or not."""

from __future__ import annotations

from pathlib import Path

from course_tools.checks import run_checks
from course_tools.course import Course
from course_tools.exercises import Verdict, run_exercise_source


def progress_rows(root: Path) -> list[tuple[str, str, str]]:
    """(stage, checks, exercises) for every stage."""
    course = Course(root)
    course.activate()
    numbers = [s.number for s in course.stages if s.tests_dir.is_dir()]
    reports = {r.stage.number: r for r in run_checks(numbers, root)}
    rows = []
    for item in course.stages:
        report = reports.get(item.number)
        if report is None:
            checks = "—"
        elif report.not_started:
            checks = "⬜ not started"
        elif report.ok:
            checks = f"✅ {report.passed} passed"
        elif report.broken:
            checks = "❌ broken"
        elif report.holes:
            checks = f"⬜ {len(report.holes)} hole{'s' if len(report.holes) != 1 else ''} to write"
        else:
            total = report.passed + len(report.failures)
            checks = f"❌ {report.passed}/{total} passed"
        verdicts = [run_exercise_source(cell, cell.source).verdict for cell in item.exercises]
        done = sum(v is Verdict.CORRECT for v in verdicts)
        exercises = f"{done}/{len(verdicts)} correct" if verdicts else "—"
        rows.append((f"{item.label} {item.title}", checks, exercises))
    return rows


def progress_table(root: Path) -> str:
    rows = [("stage", "checks", "exercises"), *progress_rows(root)]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def show_progress() -> None:
    """The welcome notebook's table."""
    from course_tools.paths import find_root

    print(progress_table(find_root()))
