"""The locks: binder/requirements.txt for the course, deploy/requirements.txt for the service."""

import ast
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from course_tools.maintainer.lock import runtime_pins, service_pins, service_requirements

REPO = Path(__file__).resolve().parents[2]


def pinned_in_binder() -> list[str]:
    lines = (REPO / "binder" / "requirements.txt").read_text().splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def test_binder_requirements_are_the_lock_of_this_environment() -> None:
    """binder/requirements.txt pins what the course needs, as installed: else run `make lock`."""
    assert pinned_in_binder() == runtime_pins()


def test_lock_follows_extras_and_leaves_out_the_dev_and_browser_tools() -> None:
    """sqlalchemy[asyncio] brings greenlet; ruff, mypy, xdist and Playwright stay out of Binder."""
    names = {pin.partition("==")[0].lower() for pin in runtime_pins()}
    assert {"fastapi", "nbval", "greenlet"} <= names
    assert not names & {"ruff", "mypy", "pytest-xdist", "execnet", "playwright", "pyee"}


def test_deploy_requirements_are_the_lock_of_the_service() -> None:
    """deploy/requirements.txt pins what deploy/requirements.in names, as installed."""
    lines = (REPO / "deploy" / "requirements.txt").read_text().splitlines()
    pinned = [line for line in lines if line and not line.startswith("#")]
    assert pinned == service_pins(REPO)


def test_the_service_needs_only_declared_dependencies() -> None:
    """Each name in requirements.in is a dependency of the course (its bounds live in pyproject)."""
    declared = {
        canonicalize_name(Requirement(line).name)
        for line in tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    }
    named = {canonicalize_name(requirement.name) for requirement in service_requirements(REPO)}
    assert named <= declared, named - declared


def third_party_imports(package: Path) -> set[str]:
    names: set[str] = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.partition(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.partition(".")[0])
    return names - set(sys.stdlib_module_names) - {"course_app", "__future__"}


def test_the_image_installs_everything_course_app_imports() -> None:
    """A module of course_app that imports a library the image lacks would crash in production."""
    in_image = {canonicalize_name(pin.partition("==")[0]) for pin in service_pins(REPO)}
    providers = packages_distributions()
    missing = {
        name
        for name in third_party_imports(REPO / "course_app")
        if not {canonicalize_name(dist) for dist in providers.get(name, [])} & in_image
    }
    assert not missing, f"add to deploy/requirements.in: {sorted(missing)}"
