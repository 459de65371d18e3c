"""Where the course lives on disk."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE = "course_app"


def find_root(start: Path | None = None) -> Path:
    """The course root: the nearest folder above `start` holding pyproject.toml and notebooks/."""
    if env := os.environ.get("COURSE_ROOT"):
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "notebooks").is_dir():
            return folder
    return Path(__file__).resolve().parent.parent


def relative(path: Path, root: Path) -> str:
    """A path as learners should see it: relative to the course root, never absolute."""
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.name
