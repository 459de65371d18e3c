"""The course machinery: notebook magics, stage checks, exercises, progress and runners.

Learners meet three functions: `start(stage)` in each notebook's first cell, `check_stage(stage)`
at its end, and `check_exercise(id)` under each exercise.
"""

from __future__ import annotations

from course_tools.checks import check_stage
from course_tools.exercises import check_exercise
from course_tools.setup import start

__all__ = ["check_exercise", "check_stage", "start"]


def load_ipython_extension(ipython) -> None:  # type: ignore[no-untyped-def]
    from course_tools.magic import register

    register(ipython)
