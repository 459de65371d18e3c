import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def isolated_imports(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Let a test import a workspace's course_app; put sys.path and sys.modules back after."""
    monkeypatch.setattr(sys, "path", list(sys.path))
    saved = {name: module for name, module in sys.modules.items() if name.startswith("course_app")}
    yield
    for name in [name for name in sys.modules if name.startswith("course_app")]:
        del sys.modules[name]
    sys.modules.update(saved)


@pytest.fixture
def workspace(tmp_path: Path, isolated_imports: None) -> Path:
    """A copy of the course (notebooks, tests, course_app) that a test may break."""
    copy = tmp_path / "course"
    ignore = shutil.ignore_patterns("__pycache__", "*.db")
    for folder in ("notebooks", "tests", "course_app", "docs", "deploy"):
        shutil.copytree(REPO / folder, copy / folder, ignore=ignore)
    for name in ("pyproject.toml", "Dockerfile", ".dockerignore"):
        shutil.copyfile(REPO / name, copy / name)
    return copy
