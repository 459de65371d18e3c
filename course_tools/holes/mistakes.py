"""Common mistakes: plausible wrong answers to a hole or an exercise, one list per stage.

CI writes each mistake in place of the solution and grades it: the check must fail, and its first
message must contain `names`, the words that tell the learner what the mistake is. For a hole,
that message must also name the hole's function (see `course_tools.maintainer.holes`).
"""

from __future__ import annotations

import importlib
import pkgutil
import textwrap
from dataclasses import dataclass, field
from types import ModuleType

import course_tools.holes


@dataclass(frozen=True)
class Mistake:
    """A wrong answer: written out whole (`code`), or as one change to the solution (`change`).

    A change is (this text of the solution, that text instead), both indented as the solution is
    once dedented. It must match the solution exactly once: a solution edited since fails loudly
    instead of grading a mistake nobody makes.
    """

    target: str  # a hole ("04.reserve") or an exercise ("04.2")
    name: str  # a few words, for the report: "a read, then a write"
    code: str = ""  # the wrong answer, in place of the hole's solution
    names: str = field(kw_only=True)  # words the check's first message must contain
    change: tuple[str, str] | None = field(default=None, kw_only=True)

    def wrong_answer(self, solution: str) -> str:
        """The code to write in place of `solution`."""
        if self.change is None:
            return self.code
        old, new = self.change
        solution = textwrap.dedent(solution)
        found = solution.count(old)
        if found != 1:
            raise ValueError(
                f"{self.target}: mistake {self.name!r} changes text that occurs {found} times "
                "in the solution, not once"
            )
        return solution.replace(old, new)


def mistakes_in(package: ModuleType) -> list[Mistake]:
    """The MISTAKES lists of a package's `stage_NN` modules."""
    found: list[Mistake] = []
    for module in pkgutil.iter_modules(package.__path__):
        if module.name.startswith("stage_"):
            stage = importlib.import_module(f"{package.__name__}.{module.name}")
            found.extend(getattr(stage, "MISTAKES", []))
    return found


def all_mistakes() -> list[Mistake]:
    """The mistakes listed for holes."""
    return mistakes_in(course_tools.holes)
