"""Stage 00: the environment the course runs in."""

import sys

from course_tools.environment import MINIMUM_PYTHON, requirements


def test_python_is_recent_enough() -> None:
    """The course needs Python 3.11 or newer: run `make lab` to get the right environment."""
    assert sys.version_info >= MINIMUM_PYTHON


def test_every_dependency_is_installed() -> None:
    """Every package in pyproject.toml is installed in a version it allows: run `make lab`."""
    rows = requirements()
    assert len(rows) >= 15
    assert [row.name for row in rows if not row.ok] == []


def test_notebook_kernel_is_available() -> None:
    """A Python kernel for Jupyter is installed (ipykernel): run `make lab`."""
    from jupyter_client.kernelspec import KernelSpecManager

    assert "python3" in KernelSpecManager().find_kernel_specs()
