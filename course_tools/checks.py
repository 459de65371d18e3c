"""Stage checks: run a stage's pytest tests in a fresh process and summarise them kindly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from course_tools.course import Course
from course_tools.diagnose import describe_broken
from course_tools.holes import ONLY_HOLE, describe, unfilled_holes
from course_tools.notebooks import Stage, stages


@dataclass
class CheckFailure:
    name: str
    hint: str


@dataclass
class EmptyHole:
    hole_id: str
    where: str  # "`ProductRepository.reserve` in section 4 of notebook 04"


@dataclass
class StageReport:
    stage: Stage
    passed: int = 0
    failures: list[CheckFailure] = field(default_factory=list)
    broken: str | None = None  # a module that does not import: what went wrong, where
    not_started: bool = False
    holes: list[EmptyHole] = field(default_factory=list)  # still to write, this stage or before

    @property
    def ok(self) -> bool:
        return self.broken is None and not self.holes and not self.failures and self.passed > 0

    def summary(self) -> str:
        head = f"stage {self.stage.label} · {self.stage.title}"
        if self.not_started:
            return f"⬜ {head}: not started (run notebook {self.stage.path.name})"
        if self.broken:
            return f"❌ {head} is broken: {self.broken}"
        if self.holes:
            count = f"{len(self.holes)} hole{'s' if len(self.holes) != 1 else ''}"
            lines = [f"⬜ {head}: not yet, {count} to write:"]
            for hole in self.holes:
                earlier = "" if hole.hole_id.startswith(self.stage.label) else ", an earlier stage"
                lines.append(f"   not yet: {hole.where} (hole {hole.hole_id}{earlier})")
            example = self.holes[0].hole_id
            lines.append(
                f'   Stuck after trying? `course_tools.reveal("{example}")` prints that solution.'
            )
            return "\n".join(lines)
        if self.ok:
            return f"✅ {head}: {self.passed} checks passed"
        if not self.failures:
            return f"❌ {head}: no checks ran"
        total = self.passed + len(self.failures)
        first = self.failures[0]
        return (
            f"❌ {head}: {len(self.failures)} of {total} checks failed. "
            f"First: {first.name}\n   hint: {first.hint}"
        )


def run_checks(numbers: list[int], root: Path, only_hole: str | None = None) -> list[StageReport]:
    """Run the checks of the given stages in one pytest process (or only one hole's tests)."""
    wanted = [s for s in stages(root) if s.number in numbers]
    reports = {s.number: StageReport(s) for s in wanted}
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "report.json"
        command = [sys.executable, "-m", "course_tools.stage_probe", str(out)]
        command += [str(s.number) for s in wanted]
        env = {**os.environ, **({ONLY_HOLE: only_hole} if only_hole else {})}
        subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False)
        results = json.loads(out.read_text()) if out.exists() else {}
    for number, report in reports.items():
        result = results.get(str(number))
        if result is None:
            report.broken = "the checks could not start (is the course installed? run `make test`)"
            continue
        if result["broken"]:
            report.broken = describe_broken(result["broken"], root, number)
        report.not_started = result["not_started"]
        report.passed = result["passed"]
        report.failures = [CheckFailure(f["name"], f["hint"]) for f in result["failures"]]
        report.holes = [EmptyHole(h["id"], h["where"]) for h in result["holes"]]
    return [reports[n] for n in sorted(reports)]


# The stage whose check grades the learner's own tests (notebook 08): it prints a scoreboard.
GRADED_SUITE_SLUG = "testing"


def check_stage(number: int) -> None:
    """The check cell of a notebook: print one friendly summary."""
    course = Course.find()
    root = course.root
    current = course.stage(number)
    if current.slug == GRADED_SUITE_SLUG:
        from course_tools.mutants.scoreboard import check_graded_suite

        # The suite is graded against the learner's finished service: first, its holes.
        empty = unfilled_holes(root, up_to=number)
        holes = [EmptyHole(hole_id, describe(hole_id)) for hole_id in empty]
        report = StageReport(current, holes=holes)
        print(report.summary() if holes else check_graded_suite(current, root))
        return
    (report,) = run_checks([number], root)
    print(report.summary())
