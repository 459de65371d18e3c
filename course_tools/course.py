"""The course on disk: its root and its stages, found once and passed along."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from course_tools.notebooks import Stage, stages
from course_tools.paths import find_root


@dataclass(frozen=True)
class Course:
    root: Path

    @classmethod
    def find(cls, start: Path | None = None) -> Course:
        """The course around `start` (the working folder by default), or $COURSE_ROOT."""
        return cls(find_root(start))

    @cached_property
    def stages(self) -> list[Stage]:
        """Every stage, in course order, each notebook read at most once for this object.

        A notebook that changes on disk is read again by a new Course: each command, stage check
        and `start()` makes its own.
        """
        return stages(self.root)

    def stage(self, number: int) -> Stage:
        for candidate in self.stages:
            if candidate.number == number:
                return candidate
        raise LookupError(f"there is no stage {number:02d} in this course")

    def activate(self) -> None:
        """Make `import course_app` find this course's package first. Safe to call again."""
        entry = str(self.root)
        if sys.path[:1] != [entry]:
            while entry in sys.path:
                sys.path.remove(entry)
            sys.path.insert(0, entry)
