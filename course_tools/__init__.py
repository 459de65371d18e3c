"""The course machinery that serves the learner: it runs in their kernel and their terminal.

The magics (`%%module`, `%%testfile`), the stage checks, the exercises, the holes, progress,
recovery, and the local servers a notebook starts (Redis, PostgreSQL, uvicorn) live here. What
only maintainers and CI run (notebook runners, the sync check, nbval, the learner edition, the
Binder and browser runs) is in `course_tools.maintainer`, and nothing here imports it.

Learners meet three functions: `start(stage)` in each notebook's first cell, `check_stage(stage)`
at its end, and `check_exercise(id)` under each exercise. Two more get them unstuck:
`reveal(hole_id)` prints one hole's solution, and `restore(stage)` puts the reference version of
stages 01..stage in their course_app (their own files are backed up first).
"""

from __future__ import annotations

from course_tools.checks import check_stage
from course_tools.exercises import check_exercise
from course_tools.holes import reveal
from course_tools.setup import start

__all__ = ["check_exercise", "check_stage", "restore", "reveal", "start"]


def restore(stage: int) -> None:
    """Bring back the reference version of stages 01..stage (your files are backed up first)."""
    from course_tools.recovery import restore as restore_stages

    print(restore_stages(stage))


def load_ipython_extension(ipython) -> None:  # type: ignore[no-untyped-def]
    from course_tools.magic import register

    register(ipython)
