"""Common mistakes, one list per stage: each is a plausible wrong answer to one hole.

CI writes each mistake into a copy of the course and runs that stage's check: it must fail, and
its first message must name the hole's function and contain `names`, the words that tell the
learner what the mistake is.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass

import course_tools.holes


@dataclass(frozen=True)
class Mistake:
    hole_id: str
    name: str  # a few words, for the report: "a read, then a write"
    code: str  # the wrong answer, in place of the hole's solution
    names: str  # words the check's first message must contain


def all_mistakes() -> list[Mistake]:
    found: list[Mistake] = []
    for module in pkgutil.iter_modules(course_tools.holes.__path__):
        if module.name.startswith("stage_"):
            stage = importlib.import_module(f"course_tools.holes.{module.name}")
            found.extend(stage.MISTAKES)
    return found
