"""binder/requirements.txt: the course's own requirements, pinned as installed, and nothing more."""

from pathlib import Path

from course_tools.lock import runtime_pins

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
