"""A learner's broken module gives a short message naming the stage and the likely cause."""

from pathlib import Path

import pytest

from course_tools.checks import run_checks
from course_tools.magic import ModuleCellError, write_module
from course_tools.notebooks import stage

pytestmark = pytest.mark.heavy  # tens of seconds: `make test-slow` runs it


def break_settings(workspace: Path, old: str, new: str) -> None:
    settings = workspace / "course_app" / "settings.py"
    text = settings.read_text()
    assert old in text
    settings.write_text(text.replace(old, new, 1))


def test_syntax_error_names_file_line_and_notebook(workspace: Path) -> None:
    """A syntax error is reported with its file, line and the notebook cell to re-run."""
    # password_rules.py: a file only notebook 01 writes (later notebooks rewrite settings.py).
    rules = workspace / "course_app" / "password_rules.py"
    text = rules.read_text()
    old = "def password_problems(password: str) -> list[str]:"
    assert old in text
    rules.write_text(text.replace(old, old.removesuffix(":"), 1))
    (report,) = run_checks([1], workspace)
    message = report.summary()
    assert message.startswith(
        "❌ stage 01 · settings is broken: course_app/password_rules.py, line "
    )
    assert "SyntaxError" in message
    assert "notebook 01_settings.ipynb" in message
    assert len(message.splitlines()) <= 3


def test_missing_name_is_reported(workspace: Path) -> None:
    """A NameError at import time is reported, not a traceback."""
    break_settings(workspace, "CommaSeparatedList = ", "CommaSeparatedList = Annotatedd  # ")
    (report,) = run_checks([1], workspace)
    assert report.broken is not None
    assert "NameError" in report.summary()
    assert "Traceback" not in report.summary()


def test_wrong_behaviour_names_the_failing_check_and_its_hint(workspace: Path) -> None:
    """A wrong default fails its check, and the hint from the test's docstring is shown."""
    break_settings(
        workspace,
        "access_token_expire_minutes: PositiveInt = 30",
        "access_token_expire_minutes: PositiveInt = 31",
    )
    (report,) = run_checks([1], workspace)
    assert not report.ok
    assert report.failures[0].name == "test_defaults_match_the_contract"
    lines = report.summary().splitlines()
    assert len(lines) == 2
    assert (
        lines[1].strip()
        == "hint: With nothing configured, every field has the default that docs/api.md gives."
    )


def test_a_passing_stage_says_so(workspace: Path) -> None:
    """An intact stage reports its number of passed checks."""
    (report,) = run_checks([1], workspace)
    assert report.ok
    assert report.summary().startswith("✅ stage 01 · settings: ")


def test_not_started_stage_is_not_called_broken(workspace: Path) -> None:
    """Before its notebook runs, a stage is "not started", not "broken"."""
    for cell in stage(1, workspace).module_cells:
        (workspace / cell.path).unlink()
    (report,) = run_checks([1], workspace)
    assert report.not_started
    assert "not started" in report.summary()


def test_module_cell_refuses_a_syntax_error_and_keeps_the_old_file(workspace: Path) -> None:
    """%%module never writes code that does not compile; the previous version stays."""
    target = workspace / "course_app" / "settings.py"
    before = target.read_text()
    with pytest.raises(ModuleCellError, match=r"course_app/settings.py not written: SyntaxError"):
        write_module("course_app/settings.py", "def broken(:\n    pass\n", workspace)
    assert target.read_text() == before


def test_module_cell_writes_only_inside_course_app(workspace: Path) -> None:
    """%%module refuses paths outside course_app/."""
    with pytest.raises(ModuleCellError):
        write_module("tests/evil.py", "x = 1\n", workspace)


def test_module_cell_is_repeatable(workspace: Path) -> None:
    """Running the same cell twice gives the same file and the same message."""
    first = write_module("course_app/enums.py", "x = 1", workspace)
    second = write_module("course_app/enums.py", "x = 1", workspace)
    assert first == second == "✓ course_app/enums.py (1 line)"
    assert (workspace / "course_app" / "enums.py").read_text() == "x = 1\n"


def test_a_forgotten_await_names_the_call_and_the_line(workspace: Path) -> None:
    """A coroutine that is never awaited is the first hint, with its file and line."""
    base = workspace / "course_app" / "repositories" / "base.py"
    text = base.read_text()
    broken = "        self.session.flush()  # assigns defaults"
    assert text.count("        await self.session.flush()  # assigns defaults") == 1
    base.write_text(text.replace("        await self.session.flush()  # assigns defaults", broken))
    line = base.read_text().splitlines().index(broken + " and surfaces constraint errors now") + 1
    (report,) = run_checks([4], workspace)
    assert not report.ok
    assert report.failures[0].hint == (
        f"`AsyncSession.flush(...)` was never awaited in course_app/repositories/base.py, "
        f"line {line}: put `await` before the call."
    )


def test_module_cell_refuses_a_path_no_notebook_writes(workspace: Path) -> None:
    """A typo in the %%module path is refused, naming the closest file the course writes."""
    with pytest.raises(ModuleCellError, match=r"Did you mean course_app/schemas/products.py\?"):
        write_module("course_app/schemas/prodcts.py", "x = 1\n", workspace)
    assert not (workspace / "course_app" / "schemas" / "prodcts.py").exists()


def test_syntax_error_in_a_cell_names_the_cell_line(workspace: Path) -> None:
    """The cell's line number is given, counting the %%module line."""
    body = "x = 1\ndef broken(:\n    pass\n"
    with pytest.raises(ModuleCellError, match=r"Fix line 3 of this cell"):
        write_module("course_app/settings.py", body, workspace)


def test_broken_file_rewritten_later_names_the_notebook_of_the_stage(workspace: Path) -> None:
    """A file a later notebook rewrites (settings.py) is traced to the stage's own notebook."""
    break_settings(workspace, "class Settings(BaseSettings):", "class Settings(BaseSettings)")
    (report,) = run_checks([1], workspace)
    assert "course_app/settings.py, line " in report.summary()
    assert "notebook 01_settings.ipynb" in report.summary()


def test_a_written_module_is_readable_by_every_user(workspace: Path) -> None:
    """A container image runs the service as another user: a private (0600) module would not load."""
    rules = workspace / "course_app" / "password_rules.py"
    body = "# Written by notebooks/01_settings.ipynb: edit the notebook, not this file.\n"
    body += rules.read_text().partition("\n")[2]
    write_module("course_app/password_rules.py", body, root=workspace)
    assert rules.stat().st_mode & 0o777 == 0o644
