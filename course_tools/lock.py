"""`python -m course_tools lock`: the course's own requirements, pinned, for binder/requirements.txt.

Every distribution that the course's requirements need, with the extras they ask for, followed
through their own requirements, at the version installed in this environment. The optional extras
(`dev`: ruff, mypy, pytest-xdist; `browser`: Playwright) are left out: learners on Binder do not
need them, and the dev tools are pinned exactly in pyproject.toml instead.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, distribution

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from course_tools.environment import COURSE_DISTRIBUTION

HEADER = "# Pinned for Binder and used as constraints by `make`. Regenerate with `make lock`."
NOT_PINNED = {"pip", "setuptools", "wheel", "distribute"}  # as `pip freeze` leaves them out


def wanted(requirement: Requirement, extras: frozenset[str]) -> bool:
    """A requirement applies here, for the base package or one of the extras asked for."""
    if requirement.marker is None:
        return True
    return any(requirement.marker.evaluate({"extra": extra}) for extra in {"", *extras})


def runtime_pins(project: str = COURSE_DISTRIBUTION) -> list[str]:
    """`Name==version` for every distribution the project needs at run time, sorted like pip."""
    pins: dict[str, str] = {}
    done: set[tuple[str, frozenset[str]]] = set()
    pending: list[tuple[str, frozenset[str]]] = [(project, frozenset())]
    while pending:
        name, extras = pending.pop()
        key = canonicalize_name(name)
        if (key, extras) in done:
            continue
        done.add((key, extras))
        try:
            found = distribution(name)
        except PackageNotFoundError:
            raise SystemExit(f"{name} is required but not installed: run `make` first") from None
        if key != canonicalize_name(project) and key not in NOT_PINNED:
            pins[key] = f"{found.metadata['Name']}=={found.version}"
        for line in found.requires or []:
            requirement = Requirement(line)
            if wanted(requirement, extras):
                pending.append((requirement.name, frozenset(requirement.extras)))
    return sorted(pins.values(), key=lambda pin: pin.partition("==")[0].lower())


def main() -> None:
    print(HEADER)
    print("\n".join(runtime_pins()))
