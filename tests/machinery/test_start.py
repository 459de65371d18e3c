"""The first cell of every notebook: earlier stages are checked and restored."""

from pathlib import Path

import pytest

from course_tools.setup import start


@pytest.fixture
def in_workspace(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run start() as a notebook in the workspace would."""
    monkeypatch.setenv("COURSE_ROOT", str(workspace))
    monkeypatch.chdir(workspace / "notebooks")
    return workspace


def test_missing_earlier_modules_are_restored(
    in_workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Starting at a later notebook restores earlier modules that are missing, and says so."""
    settings = in_workspace / "course_app" / "settings.py"
    expected = settings.read_text()
    settings.unlink()
    start(2)
    output = capsys.readouterr().out
    assert "Restored from earlier notebooks: course_app/settings.py (notebook 01)" in output
    assert settings.read_text() == expected


def test_learner_changes_are_kept_and_named(
    in_workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A module the learner changed is kept, never overwritten, and named."""
    settings = in_workspace / "course_app" / "settings.py"
    changed = settings.read_text() + "# my note\n"
    settings.write_text(changed)
    start(2)
    assert "Kept your own version of course_app/settings.py" in capsys.readouterr().out
    assert settings.read_text() == changed


def test_broken_earlier_stage_is_reported(
    in_workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The next notebook's first cell names a broken earlier module in a few lines."""
    settings = in_workspace / "course_app" / "settings.py"
    settings.write_text(settings.read_text().replace("from functools import lru_cache\n", ""))
    start(2)
    output = capsys.readouterr().out
    assert "An earlier stage is broken: course_app/settings.py" in output
    assert "NameError" in output and "notebook 01_settings.ipynb" in output


def test_unknown_stage_is_refused(in_workspace: Path) -> None:
    """start() with a stage that does not exist says so."""
    with pytest.raises(LookupError, match="no stage 99"):
        start(99)
