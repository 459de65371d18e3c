"""Mutants: deliberately broken versions of the finished service, to grade a learner's test suite.

Each mutant is one small, realistic bug from the lessons, written as an exact text replacement in
one module of `course_app`. It is applied to a temporary copy of the learner's `course_app`, never
to the workspace, and the learner's tests (`tests_mine/`) run against that copy: a suite that fails
has caught ("killed") the bug; a suite that still passes lets it live.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class MutantDoesNotApply(Exception):
    """The text a mutant replaces is not in the module exactly once: the service has changed."""


@dataclass(frozen=True)
class Mutant:
    slug: str  # an identifier: "float_money"
    name: str  # what the scoreboard calls it: "float money"
    module: str  # the file it changes, relative to the course root
    original: str  # exact text, found exactly once
    replacement: str
    lesson: str  # where the course teaches the right way
    hint: str  # what kind of test catches it

    def apply_to(self, source: str) -> str:
        found = source.count(self.original)
        if found != 1:
            raise MutantDoesNotApply(
                f"mutant {self.slug!r}: the text it replaces occurs {found} times in "
                f"{self.module}, expected exactly once. Update course_tools/mutants/catalog.py."
            )
        return source.replace(self.original, self.replacement)

    def write_into(self, copy_root: Path) -> None:
        """Apply this mutant to the copy of course_app under `copy_root` (never the workspace)."""
        target = copy_root / self.module
        target.write_text(self.apply_to(target.read_text(encoding="utf-8")), encoding="utf-8")
