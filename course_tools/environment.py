"""The environment check of the welcome notebook: Python and every package the course needs."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, requires, version

from packaging.requirements import Requirement

COURSE_DISTRIBUTION = "production-fastapi-course"
MINIMUM_PYTHON = (3, 11)


@dataclass(frozen=True)
class Dependency:
    name: str
    wanted: str
    found: str | None

    @property
    def ok(self) -> bool:
        return self.found is not None and Requirement(
            f"{self.name}{self.wanted}"
        ).specifier.contains(self.found, prereleases=True)


def requirements() -> list[Dependency]:
    """The course's declared dependencies (not the optional extras) and what is installed."""
    rows = []
    for line in requires(COURSE_DISTRIBUTION) or []:
        requirement = Requirement(line)
        if requirement.marker is not None:
            continue  # an optional extra, such as the browser tests
        try:
            found: str | None = version(requirement.name)
        except PackageNotFoundError:
            found = None
        rows.append(Dependency(requirement.name, str(requirement.specifier), found))
    return rows


def check_environment() -> None:
    """Print one line per requirement and what to do about any problem."""
    python_ok = sys.version_info >= MINIMUM_PYTHON
    print(f"{'✅' if python_ok else '❌'} Python {sys.version.split()[0]} (need >= 3.11)")
    rows = requirements()
    for row in rows:
        print(f"{'✅' if row.ok else '❌'} {row.name} {row.found or 'missing'} (need {row.wanted})")
    problems = [row.name for row in rows if not row.ok]
    if not python_ok or problems:
        print(
            "Fix: close JupyterLab, run `make lab` in the course folder, and reopen this notebook."
        )
    else:
        print("Your environment is ready.")
