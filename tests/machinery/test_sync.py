"""The sync check: course_app must be exactly what the notebooks write."""

import subprocess
import sys
from pathlib import Path

from course_tools.maintainer.sync import differences, written_by_notebooks


def test_committed_course_app_matches_the_notebooks(workspace: Path) -> None:
    """The committed course_app is what the notebooks' %%module cells write."""
    assert differences(written_by_notebooks(workspace), workspace) == []


def test_one_changed_character_is_caught_and_names_the_notebook(workspace: Path) -> None:
    """Editing course_app by hand fails the check, naming the file and the notebook to edit."""
    # password_rules.py: a file only notebook 01 writes (later notebooks rewrite settings.py).
    rules = workspace / "course_app" / "password_rules.py"
    text = rules.read_text()
    rules.write_text(text.replace("MIN_LENGTH = 8", "MIN_LENGTH = 9", 1))
    problems = differences(written_by_notebooks(workspace), workspace)
    assert len(problems) == 1
    assert problems[0].startswith(
        "course_app/password_rules.py: differs from what notebook 01_settings"
    )


def test_extra_and_missing_files_are_caught(workspace: Path) -> None:
    """A file no notebook writes, and a written file that is missing, both fail the check."""
    (workspace / "course_app" / "stray.py").write_text("x = 1\n")
    (workspace / "course_app" / "__init__.py").unlink()
    problems = "\n".join(differences(written_by_notebooks(workspace), workspace))
    assert "course_app/stray.py: committed, but written by no notebook" in problems
    assert "course_app/__init__.py: written by notebook 01_settings.ipynb, but missing" in problems


def test_sync_command_fails_with_the_notebook_name(workspace: Path) -> None:
    """`python -m course_tools sync` exits non-zero and names the notebook."""
    rules = workspace / "course_app" / "password_rules.py"
    rules.write_text(rules.read_text() + "# edited by hand\n")
    result = subprocess.run(
        [sys.executable, "-m", "course_tools", "sync"],
        cwd=workspace,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "notebook 01_settings.ipynb" in result.stdout
