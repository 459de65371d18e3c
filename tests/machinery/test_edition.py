"""The learner edition and exercise validation."""

from pathlib import Path

import nbformat
import pytest

from course_tools.exercises import Verdict, evaluate
from course_tools.maintainer.edition import build_edition, strip_solutions
from course_tools.maintainer.validate import validate
from course_tools.notebooks import expected_files, stages

SOLVED = """# Exercise 09.1: double it
def double(x: int) -> int:
    # BEGIN SOLUTION
    return 2 * x
    # END SOLUTION"""


def test_solution_becomes_a_stub_at_the_same_indent() -> None:
    """The solution block is replaced by one `raise NotImplementedError` line."""
    stub = strip_solutions(SOLVED)
    assert "return 2 * x" not in stub and "BEGIN SOLUTION" not in stub
    assert '    raise NotImplementedError("exercise 09.1: your code goes here")' in stub


def test_exercise_without_markers_is_refused() -> None:
    """An exercise cell must mark its solution, or the edition cannot hide it."""
    with pytest.raises(ValueError, match="BEGIN SOLUTION"):
        strip_solutions("# Exercise 09.2: nothing marked\nx = 1")


def test_learner_edition_hides_every_solution(workspace: Path, tmp_path: Path) -> None:
    """Every exercise cell of the learner edition is a stub with no output."""
    out = tmp_path / "learner"
    written = build_edition(workspace, out)
    assert len(written) == len(stages(workspace))
    exercises = 0
    for path in written:
        for cell in nbformat.read(path, as_version=4).cells:
            assert "BEGIN SOLUTION" not in cell.source
            if "exercise" in cell.metadata.get("tags", []):
                exercises += 1
                assert "raise NotImplementedError" in cell.source
                assert cell.outputs == [] and cell.execution_count is None
            if cell.cell_type == "code" and "check_exercise(" in cell.source:
                assert cell.outputs == []
    assert exercises == sum(len(item.exercises) for item in stages(workspace))
    assert (out / "tests").is_dir() and (out / "pyproject.toml").is_file()
    # The notebooks link to ../docs/api.md: the link must work in the learner's workspace too.
    assert (out / "docs" / "api.md").read_text() == (workspace / "docs" / "api.md").read_text()
    # Notebook 10 lints and smoke-runs the image recipe from the workspace.
    for name in ("Dockerfile", ".dockerignore", "deploy/start.sh", "deploy/requirements.txt"):
        assert (out / name).read_bytes() == (workspace / name).read_bytes()


def test_learner_edition_never_replaces_a_learners_notebook(
    workspace: Path, tmp_path: Path
) -> None:
    """Building the edition again keeps the learner's own notebooks."""
    out = tmp_path / "learner"
    build_edition(workspace, out)
    mine = out / "notebooks" / "01_settings.ipynb"
    mine.write_text(mine.read_text().replace("split_csv", "split_csv_mine"))
    assert build_edition(workspace, out) == []
    assert "split_csv_mine" in mine.read_text()


@pytest.mark.heavy
def test_every_solution_passes_and_every_stub_does_not(workspace: Path) -> None:
    """nbgrader-style validation: solutions are correct, stubs are "not attempted"."""
    results = validate(workspace)
    assert len(results) >= 3
    for item in results:
        assert item.solution.verdict is Verdict.CORRECT, item.solution
        assert item.stub.verdict is Verdict.NOT_ATTEMPTED, item.stub


def test_wrong_answer_gets_a_hint() -> None:
    """A wrong answer is "not yet" with the check's hint, not a traceback."""
    result = evaluate("01.1", {"split_csv": lambda raw: raw.split(",")})
    assert result.verdict is Verdict.NOT_YET
    assert "Strip the spaces" in result.hint


def test_crashing_answer_is_not_yet() -> None:
    """An answer that raises is "not yet", naming the exception."""
    result = evaluate("00.1", {"is_supported_python": lambda version: 1 / 0})
    assert result.verdict is Verdict.NOT_YET
    assert "ZeroDivisionError" in result.hint


@pytest.mark.heavy
def test_learner_workspace_builds_its_own_course_app(workspace: Path, tmp_path: Path) -> None:
    """`make lab`'s workspace: notebook 01 runs there, writes learner/course_app with its holes
    empty, and the check and the exercises wait for the learner."""
    from course_tools.maintainer.runner import execute

    out = tmp_path / "learner"
    build_edition(workspace, out)
    assert not (out / "course_app").exists()
    assert execute(out / "notebooks" / "01_settings.ipynb", save=True) is None
    written = (out / "course_app" / "settings.py").read_text()
    # What the learner's notebook 01 writes: the holes still empty, for the learner to write.
    (first,) = [s for s in stages(out) if s.number == 1]
    assert written == expected_files([first])["course_app/settings.py"][0]
    assert 'raise NotImplementedError("hole 01.weak_secret")' in written
    outputs = [
        "".join(output.get("text", "") for output in cell.outputs)
        for cell in nbformat.read(out / "notebooks" / "01_settings.ipynb", as_version=4).cells
        if cell.cell_type == "code"
    ]
    assert "⬜ Exercise 01.1: not attempted: replace `raise NotImplementedError`\n" in outputs
    assert any(
        output.startswith("⬜ stage 01 · settings: not yet, 2 holes to write:\n")
        and "not yet: `Settings.refuse_weak_secret_in_production` in section 3 of notebook 01"
        in output
        for output in outputs
    )
