"""Exercise validation, as nbgrader's validate does it: solutions pass, stubs do not.

Beyond nbgrader: each exercise lists common mistakes (`MISTAKES` in its stage's check module),
and each must get "not yet" with a hint that names it.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import course_tools.exercises
from course_tools.course import Course
from course_tools.exercises import Result, Verdict, run_exercise_source
from course_tools.holes.mistakes import Mistake, mistakes_in
from course_tools.maintainer.edition import strip_solutions
from course_tools.notebooks import SOLUTION, stages


@dataclass
class Validation:
    exercise_id: str
    solution: Result
    stub: Result
    mistakes: list[tuple[Mistake, Result]]

    def mistake_caught(self, mistake: Mistake, result: Result) -> bool:
        return result.verdict is Verdict.NOT_YET and mistake.names.lower() in result.hint.lower()

    @property
    def ok(self) -> bool:
        return (
            self.solution.verdict is Verdict.CORRECT
            and self.stub.verdict is not Verdict.CORRECT
            and bool(self.mistakes)
            and all(self.mistake_caught(*pair) for pair in self.mistakes)
        )


def solution_of(match: re.Match[str]) -> str:
    """The code between an exercise's `# BEGIN SOLUTION` and `# END SOLUTION` lines."""
    body = match[0].partition("\n")[2]
    return body[: body.rindex("# END SOLUTION")].rpartition("\n")[0] + "\n"


def with_mistake(source: str, mistake: Mistake) -> str:
    """The exercise cell with its solution replaced by the mistake, at the solution's indent."""
    match = SOLUTION.search(source)
    if match is None:
        raise ValueError(f"exercise {mistake.target} has no solution block")
    answer = mistake.wrong_answer(solution_of(match))
    code = textwrap.indent(textwrap.dedent(answer).strip("\n") + "\n", match["indent"])
    return source[: match.start()] + code + source[match.end() :]


def validate(root: Path) -> list[Validation]:
    Course(root).activate()
    mistakes = mistakes_in(course_tools.exercises)
    return [
        Validation(
            cell.exercise_id,
            run_exercise_source(cell, cell.source),
            run_exercise_source(cell, strip_solutions(cell.source)),
            [
                (mistake, run_exercise_source(cell, with_mistake(cell.source, mistake)))
                for mistake in mistakes
                if mistake.target == cell.exercise_id
            ],
        )
        for item in stages(root)
        for cell in item.exercises
    ]
