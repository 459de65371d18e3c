"""The check cell of notebook 08: grade the learner's suite and print a scoreboard."""

from __future__ import annotations

from pathlib import Path

from course_tools.diagnose import describe_broken, import_error
from course_tools.mutants.grade import Scoreboard, grade
from course_tools.notebooks import Stage
from course_tools.suite import SUITE_DIR


def render(stage: Stage, board: Scoreboard) -> str:
    head = f"stage {stage.label} · {stage.title}"
    runs = 1 + len(board.mutants)
    timing = f"({runs} run{'s' if runs != 1 else ''} in {board.seconds:.0f} s)"
    verdict = board.verdict
    if verdict == "not attempted":
        return f"⬜ {head}: {board.headline()}"
    if verdict == "correct":
        return f"✅ {head}: {board.headline()} {timing}"
    lines = [f"❌ {head}: not yet: {board.headline()} {timing}"]
    lines += [f"   still alive · {mutant.name}: {mutant.hint}" for mutant in board.alive]
    return "\n".join(lines)


def check_graded_suite(stage: Stage, root: Path) -> str:
    broken = import_error(stage, root)
    if broken:
        return f"❌ stage {stage.label} · {stage.title} is broken: {describe_broken(broken, root)}"
    return render(stage, grade(root, root / SUITE_DIR))
