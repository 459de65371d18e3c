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
    # password_rules.py: a file only notebook 01 writes (later notebooks rewrite settings.py).
    rules = in_workspace / "course_app" / "password_rules.py"
    expected = rules.read_text()
    rules.unlink()
    start(2)
    output = capsys.readouterr().out
    assert "Restored from earlier notebooks: course_app/password_rules.py (notebook 01)" in output
    assert rules.read_text() == expected


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
    rules = in_workspace / "course_app" / "password_rules.py"
    rules.write_text(rules.read_text().replace("import re\n", ""))
    start(2)
    output = capsys.readouterr().out
    assert "An earlier stage is broken: course_app/password_rules.py" in output
    assert "NameError" in output and "notebook 01_settings.ipynb" in output


def test_unknown_stage_is_refused(in_workspace: Path) -> None:
    """start() with a stage that does not exist says so."""
    with pytest.raises(LookupError, match="no stage 99"):
        start(99)
