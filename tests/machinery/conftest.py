import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A copy of the course (notebooks, tests, course_app) that a test may break."""
    copy = tmp_path / "course"
    ignore = shutil.ignore_patterns("__pycache__", "*.db")
    for folder in ("notebooks", "tests", "course_app"):
        shutil.copytree(REPO / folder, copy / folder, ignore=ignore)
    shutil.copyfile(REPO / "pyproject.toml", copy / "pyproject.toml")
    return copy
