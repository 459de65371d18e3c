"""Holes: the learner edition leaves them empty, the checks name them, the kernel goes on."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import course_tools.exercises
from course_tools.checks import run_checks
from course_tools.holes import (
    all_holes,
    empty_holes,
    enclosing_function,
    hole_in,
    replace_hole,
    reveal,
    unfilled_holes,
)
from course_tools.holes.mistakes import Mistake, all_mistakes, mistakes_in
from course_tools.maintainer.edition import build_edition
from course_tools.maintainer.holes import check_empty
from course_tools.maintainer.validate import solution_of
from course_tools.notebooks import SOLUTION, expected_files, module_text, stage, stages
from course_tools.recovery import learner_workspace, restore

REPO = Path(__file__).resolve().parents[2]

CELL = '''class Shop:
    def total(self, prices: list[int]) -> int:
        """Add the prices up."""
        # BEGIN HOLE 09.total: the sum of the prices
        return sum(prices)
        # END HOLE
'''


def test_markers_never_reach_the_file() -> None:
    """The full edition writes the solution without the two marker lines."""
    assert module_text(CELL) == CELL.replace(
        "        # BEGIN HOLE 09.total: the sum of the prices\n", ""
    ).replace("        # END HOLE\n", "")


def test_the_learner_edition_gets_a_stub_at_the_same_indent() -> None:
    stub = empty_holes(CELL)
    assert "return sum(prices)" not in stub and "BEGIN HOLE" not in stub
    assert "        # Your code here (hole 09.total): the sum of the prices\n" in stub
    assert '        raise NotImplementedError("hole 09.total")\n' in stub
    compile(module_text(stub), "shop.py", "exec")


def test_a_mistake_replaces_one_hole_only() -> None:
    wrong = replace_hole(CELL, "09.total", "return max(prices)")
    assert "        return max(prices)\n" in wrong and "sum(" not in wrong
    with pytest.raises(LookupError):
        replace_hole(CELL, "09.other", "pass")


def test_a_mistake_written_as_a_change_must_match_its_solution_once() -> None:
    """A change to a solution that was edited since fails loudly, never grades nothing."""
    mistake = Mistake(
        "99.f", "one too many", change=("    return n\n", "    return n + 1\n"), names="one"
    )
    assert mistake.wrong_answer("def f(n):\n    return n\n") == "def f(n):\n    return n + 1\n"
    with pytest.raises(ValueError, match="occurs 0 times"):
        mistake.wrong_answer("def f(n):\n    return 2 * n\n")


def test_every_listed_change_still_applies() -> None:
    """Each mistake written as a change matches its hole's or exercise's solution exactly once."""
    solutions = {hole_id: hole.solution for hole_id, hole in all_holes(REPO).items()}
    for item in stages(REPO):
        for cell in item.exercises:
            match = SOLUTION.search(cell.source)
            assert match is not None, cell.exercise_id
            solutions[cell.exercise_id] = solution_of(match)
    changes = [
        m for m in [*all_mistakes(), *mistakes_in(course_tools.exercises)] if m.change is not None
    ]
    assert changes
    for mistake in changes:
        assert mistake.wrong_answer(solutions[mistake.target]) != solutions[mistake.target]


def test_the_function_of_a_hole_is_named_with_its_class() -> None:
    assert enclosing_function(module_text(CELL), 4) == "Shop.total"


def test_a_hole_is_found_through_causes_and_groups() -> None:
    try:
        try:
            raise NotImplementedError("hole 04.reserve")
        except NotImplementedError as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError as outer:
        assert hole_in(ExceptionGroup("many", [ValueError(), outer])) == "04.reserve"
    assert hole_in(NotImplementedError("exercise 01.1: your code goes here")) is None


def test_every_hole_is_inside_a_function_with_a_mistake_and_a_graded_test() -> None:
    """Each hole carries a lesson (a function body), a listed mistake and tests that grade it."""
    holes = all_holes(REPO)
    for item in stages(REPO):
        if item.module_cells and item.number <= 7:
            owned = [hole for hole in holes.values() if hole.stage == item]
            assert len(owned) >= 2, f"notebook {item.label} leaves fewer than two holes to write"
    listed = {mistake.target for mistake in all_mistakes()}
    for hole in holes.values():
        assert hole.function != "module level", hole.hole_id
        assert hole.hole_id[:2] == hole.stage.label, hole.hole_id
        assert "yield" not in hole.solution, f"{hole.hole_id}: a generator must keep its yield"
        assert 0 < len(hole.task) <= 90, hole.hole_id
        assert hole.hole_id in listed, f"{hole.hole_id} has no common mistake"
        marked = f'@pytest.mark.hole("{hole.hole_id}")'
        assert any(marked in p.read_text() for p in hole.stage.tests_dir.rglob("test_*.py"))
    assert listed <= holes.keys(), "a mistake names a hole that does not exist"


@pytest.mark.heavy
def test_the_check_names_each_empty_hole_and_where() -> None:
    """Stage 04 with its holes empty: "not yet" for each, no traceback, no test run."""
    holes = list(all_holes(REPO).values())
    case = check_empty(REPO, 4, holes)
    assert case.ok, case.detail
    assert "not yet: `ProductRepository.reserve` in section 4 of notebook 04" in case.detail
    assert "Traceback" not in case.detail


def test_reveal_prints_the_solution(capsys: pytest.CaptureFixture[str]) -> None:
    reveal("04.reserve")
    shown = capsys.readouterr().out
    assert "ProductRepository.reserve" in shown and "update(Product)" in shown
    reveal("04.nothing")
    assert "There is no hole '04.nothing'" in capsys.readouterr().out


def learner_products(learner: Path) -> str:
    """The learner edition's version of the product repository: hole 04.reserve empty."""
    (cell,) = [c for c in stage(4, learner).module_cells if c.path.endswith("products.py")]
    return cell.source


def test_restore_backs_up_the_learners_files_first(workspace: Path, tmp_path: Path) -> None:
    """restore(4) writes the reference of stages 01-04 and keeps the learner's version aside."""
    learner = tmp_path / "learner"
    build_edition(workspace, learner)
    mine = learner / "course_app" / "repositories" / "products.py"
    mine.parent.mkdir(parents=True)
    attempt = learner_products(learner)
    mine.write_text(attempt)
    assert set(unfilled_holes(learner)) == {"04.reserve", "04.search_filters"}

    report = restore(4, start=learner / "notebooks")

    assert "Stages 01-04 restored" in report and ".course_backups/" in report
    reference = expected_files([s for s in stages(REPO) if s.number <= 4])
    assert mine.read_text() == reference["course_app/repositories/products.py"][0]
    assert unfilled_holes(learner) == []
    backups = list((learner / ".course_backups").rglob("products.py"))
    assert [backup.read_text() for backup in backups] == [attempt]
    assert not (learner / "course_app" / "services").exists(), "later stages are left alone"


def test_recovery_never_touches_the_full_edition(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run from the full edition (with no learner/ yet), restore refuses instead of overwriting."""
    monkeypatch.setattr("course_tools.recovery.reference_root", lambda: workspace.resolve())
    with pytest.raises(SystemExit, match="full edition"):
        restore(4, start=workspace / "notebooks")
    (workspace / "learner" / "notebooks").mkdir(parents=True)
    assert learner_workspace(workspace) == workspace / "learner"


def test_a_cell_stopped_by_an_empty_hole_is_not_an_error(workspace: Path, tmp_path: Path) -> None:
    """In the kernel: a short "not yet" instead of a traceback, and Run All goes on."""
    learner = tmp_path / "learner"
    build_edition(workspace, learner)
    restore(4, start=learner / "notebooks")
    (learner / "course_app" / "repositories" / "products.py").write_text(learner_products(learner))
    assert set(unfilled_holes(learner)) == {"04.reserve", "04.search_filters"}
    notebook = nbformat.v4.new_notebook()
    sources = [
        "import course_tools\ncourse_tools.start(5)",
        "1 / 0",
        "from course_app.repositories.products import ProductRepository\n"
        "reserved = await ProductRepository(None).reserve(1, 1)",
        "print(reserved)",
    ]
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=120,
        resources={"metadata": {"path": str(learner / "notebooks")}},
        allow_errors=True,
    )
    client.execute()
    start, broken, stopped, missing = (cell.outputs for cell in notebook.cells)
    assert "⚠️ 2 holes of earlier stages still empty" in start[-1]["text"]
    assert [output["output_type"] for output in stopped] == ["stream"], "no error for a hole"
    assert "Not yet: this cell needs hole 04.reserve" in stopped[0]["text"]
    assert (
        "NameError: name 'reserved' is not defined, most likely because a cell above "
        in (missing[0]["text"])
    )
    assert "stopped at hole 04.reserve" in missing[0]["text"]
    # Before any hole stopped a cell, an error is an error, with its traceback.
    assert broken[0]["output_type"] == "error" and broken[0]["ename"] == "ZeroDivisionError"


@pytest.mark.heavy
def test_a_graded_holes_failure_comes_first(workspace: Path) -> None:
    """Whatever order the tests ran in, the first message names the hole's function."""
    (workspace / "tests/stage_04_repositories/test_aaa_runs_first.py").write_text(
        "import pytest\n\n\n"
        "def test_something_else() -> None:\n"
        '    """A symptom elsewhere."""\n'
        "    assert False\n\n\n"
        '@pytest.mark.hole("04.reserve")\n'
        "def test_the_hole() -> None:\n"
        '    """Reserve took the units twice."""\n'
        "    assert False\n"
    )
    (report,) = run_checks([4], workspace)
    assert [failure.name for failure in report.failures][:2] == [
        "test_the_hole",
        "test_something_else",
    ]
    assert report.failures[0].hint == (
        "`ProductRepository.reserve` in section 4 of notebook 04 looks wrong: "
        "Reserve took the units twice."
    )
