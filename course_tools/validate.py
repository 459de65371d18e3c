"""Exercise validation, as nbgrader's validate does it: solutions pass, stubs do not."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from course_tools.edition import strip_solutions
from course_tools.exercises import Result, Verdict, evaluate
from course_tools.notebooks import ExerciseCell, stages


def run_exercise_source(cell: ExerciseCell, source: str) -> Result:
    """Run one exercise cell on its own, then its check. Exercise cells are self-contained."""
    namespace: dict[str, object] = {"__name__": "__exercise__"}
    try:
        # dont_inherit: this module's `from __future__` imports must not leak into the learner's
        # code, or pydantic models defined there would keep string annotations.
        code = compile(source, f"<exercise {cell.exercise_id}>", "exec", dont_inherit=True)
        exec(code, namespace)
    except Exception as error:  # a broken cell is a "not yet", never a crash of the run
        return Result(cell.exercise_id, Verdict.NOT_YET, f"the cell raised {type(error).__name__}")
    return evaluate(cell.exercise_id, namespace)


@dataclass
class Validation:
    exercise_id: str
    solution: Result
    stub: Result

    @property
    def ok(self) -> bool:
        return self.solution.verdict is Verdict.CORRECT and self.stub.verdict is not Verdict.CORRECT


def validate(root: Path) -> list[Validation]:
    sys.path.insert(0, str(root))
    return [
        Validation(
            cell.exercise_id,
            run_exercise_source(cell, cell.source),
            run_exercise_source(cell, strip_solutions(cell.source)),
        )
        for item in stages(root)
        for cell in item.exercises
    ]
