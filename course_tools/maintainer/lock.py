"""`make lock`: requirements pinned at the versions installed in this environment.

- binder/requirements.txt: every distribution the course needs, with the extras it asks for,
  followed through their own requirements. The optional extras (`dev`: ruff, mypy, pytest-xdist;
  `browser`: Playwright) are left out: learners on Binder do not need them, and the dev tools are
  pinned exactly in pyproject.toml instead.
- deploy/requirements.txt: only what the service itself needs in its container image, followed
  from the names in deploy/requirements.in (no notebooks, no test tools).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

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
    return pins_of([(project, frozenset())], leave_out=project)


def service_requirements(root: Path) -> list[Requirement]:
    """The service's own requirements: the names in deploy/requirements.in."""
    lines = (root / "deploy" / "requirements.in").read_text().splitlines()
    return [Requirement(line) for line in (line.split("#")[0].strip() for line in lines) if line]


def service_pins(root: Path) -> list[str]:
    """`Name==version` for everything the service's container image installs."""
    wanted_roots = [(r.name, frozenset(r.extras)) for r in service_requirements(root)]
    return pins_of(wanted_roots)


def pins_of(roots: list[tuple[str, frozenset[str]]], leave_out: str = "") -> list[str]:
    pins: dict[str, str] = {}
    done: set[tuple[str, frozenset[str]]] = set()
    pending = list(roots)
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
        if key != canonicalize_name(leave_out) and key not in NOT_PINNED:
            pins[key] = f"{found.metadata['Name']}=={found.version}"
        for line in found.requires or []:
            requirement = Requirement(line)
            if wanted(requirement, extras):
                pending.append((requirement.name, frozenset(requirement.extras)))
    return sorted(pins.values(), key=lambda pin: pin.partition("==")[0].lower())


SERVICE_HEADER = (
    "# The service's container image installs exactly these (see Dockerfile).\n"
    "# Generated from deploy/requirements.in by `make lock`."
)


def main(root: Path, service: bool = False) -> None:
    if service:
        print(SERVICE_HEADER)
        print("\n".join(service_pins(root)))
    else:
        print(HEADER)
        print("\n".join(runtime_pins()))
