"""The mutants and the grader of notebook 08: they apply, they grade fairly, they never leak."""

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course_tools.maintainer.edition import learner_notebook
from course_tools.mutants import Mutant, MutantDoesNotApply
from course_tools.mutants.catalog import DOUBLE_RELEASE, MUTANTS
from course_tools.mutants.grade import SUITE_DIR, grade, prepare
from course_tools.notebooks import stage
from course_tools.suite import (
    parse_testfile_cell,
    suite_file_cells,
    write_suite,
    write_test_file,
)

REPO = Path(__file__).resolve().parents[2]


def digest(folder: Path) -> str:
    files = sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)
    return hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()


def test_every_mutant_applies_exactly_once_and_compiles() -> None:
    """Each mutant's text is in its module exactly once, and the mutated module compiles."""
    assert len(MUTANTS) >= 8
    assert len({m.slug for m in MUTANTS}) == len(MUTANTS)
    for mutant in MUTANTS:
        source = (REPO / mutant.module).read_text()
        mutated = mutant.apply_to(source)
        assert mutated != source
        compile(mutated, mutant.module, "exec")


def test_a_mutant_that_no_longer_applies_fails_loudly() -> None:
    """A service change that moves a mutant's text is an error, never a silent pass."""
    with pytest.raises(MutantDoesNotApply, match="occurs 0 times"):
        MUTANTS[0].apply_to("# the code moved")


def test_an_empty_suite_is_not_attempted(workspace: Path, tmp_path: Path) -> None:
    """No tests at all: "not attempted", and no mutant counts as caught."""
    board = grade(workspace, tmp_path / "empty")
    assert board.verdict == "not attempted"
    assert board.caught == [] and board.mutants == {}


@pytest.mark.heavy
def test_a_suite_that_checks_nothing_catches_nothing(workspace: Path, tmp_path: Path) -> None:
    """Tests that pass without checking the service kill no mutant; grading never edits it."""
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_nothing.py").write_text(
        "import course_app.main\n\n\ndef test_imports():\n    assert course_app.main.app\n"
    )
    before = digest(workspace / "course_app")
    board = grade(workspace, suite)
    assert digest(workspace / "course_app") == before
    assert board.reference.attempted and not board.reference.failed
    assert set(board.mutants) == {m.slug for m in MUTANTS}
    assert board.caught == [] and board.verdict == "not yet"
    assert "caught 0 of" in board.headline()


def test_a_suite_failing_on_the_correct_service_is_not_yet(workspace: Path, tmp_path: Path) -> None:
    """A test that fails on the real service is wrong: no mutant is run, the test is named."""
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_wrong.py").write_text("def test_wrong():\n    assert 1 == 2\n")
    board = grade(workspace, suite)
    assert board.verdict == "not yet" and board.mutants == {}
    assert "test_wrong.py::test_wrong" in board.headline()


@pytest.mark.heavy
def test_on_postgresql_each_graded_run_has_a_database_of_its_own(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """COURSE_TEST_DATABASE=postgresql: the reference run and every mutant run get their own
    PostgreSQL database, in the TEST_DATABASE_URL the suite's conftest reads."""
    seen = tmp_path / "seen"
    seen.mkdir()
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_where.py").write_text(
        "import os\nimport pathlib\nimport uuid\n\n\ndef test_where():\n"
        f"    folder = pathlib.Path({str(seen)!r})\n"
        "    (folder / uuid.uuid4().hex).write_text(os.environ.get('TEST_DATABASE_URL', ''))\n"
    )
    monkeypatch.setenv("COURSE_TEST_DATABASE", "postgresql")
    board = grade(workspace, suite, mutants=MUTANTS[:2])
    assert board.reference.attempted and not board.reference.failed, board.headline()
    urls = [path.read_text() for path in seen.iterdir()]
    assert len(urls) == 1 + 2
    assert all(url.startswith("postgresql+asyncpg://") for url in urls), urls
    assert len(set(urls)) == len(urls)


@pytest.mark.heavy
def test_the_learner_edition_suite_is_not_attempted(workspace: Path, tmp_path: Path) -> None:
    """Notebook 08's graded cells, stubbed as in the learner edition, grade as "not attempted"."""
    notebook = nbformat.read(workspace / "notebooks" / "08_testing.ipynb", as_version=4)
    learner = learner_notebook(notebook)
    cells = [parse_testfile_cell(c.source) for c in learner.cells if c.cell_type == "code"]
    suite = tmp_path / "suite"
    for cell in filter(None, cells):
        compile(cell.source, cell.name, "exec")
        (suite / cell.name).parent.mkdir(parents=True, exist_ok=True)
        (suite / cell.name).write_text(cell.source)
    assert (suite / "conftest.py").exists()
    board = grade(workspace, suite)
    assert board.verdict == "not attempted", board.headline()


def test_notebook_08_writes_the_reference_suite(tmp_path: Path) -> None:
    """The full edition's %%testfile cells are the reference suite, with its fixtures."""
    written = write_suite(stage(8, REPO), tmp_path)
    names = {path.name for path in written}
    assert "conftest.py" in names and len(names) >= 5
    assert len(suite_file_cells(stage(8, REPO))) == len(names)


@pytest.mark.slow  # shrinking replays the machine over HTTP for about 100 s
def test_the_debug_profile_shrinks_a_stateful_failure(tmp_path: Path) -> None:
    """The reference state machine, run with `--hypothesis-profile=debug` on the double-release
    mutant, reports the shortest failing run: place an order, cancel it, cancel it again."""
    written = write_suite(stage(8, REPO), tmp_path / "suite")
    keep = {"conftest.py", "test_stateful.py"}
    for path in written:
        if path.name not in keep:
            path.unlink()
    run = prepare(REPO, tmp_path / "suite", tmp_path, DOUBLE_RELEASE)
    command = [
        sys.executable,
        "-m",
        "pytest",
        SUITE_DIR,
        "-p",
        "no:cacheprovider",
        "-p",
        "no:nbval",
    ]
    env = {**os.environ, "PYTHONPATH": str(run)}
    result = subprocess.run(
        [*command, "--hypothesis-profile=debug"], cwd=run, env=env, capture_output=True, text=True
    )
    steps = re.findall(r"^E\s+(?:\w+ = )?state\.(place|cancel|advance)\(", result.stdout, re.M)
    assert result.returncode == 1, result.stdout[-3000:]
    assert steps == ["place", "cancel", "cancel"], result.stdout[-3000:]


def test_testfile_refuses_broken_code_and_foreign_paths(tmp_path: Path) -> None:
    """%%testfile writes only compiling .py files inside tests_mine/."""
    assert write_test_file("test_ok.py", "def test_ok():\n    pass", tmp_path).startswith("✓")
    assert (tmp_path / "tests_mine" / "test_ok.py").exists()
    from course_tools.suite import SuiteFileError

    with pytest.raises(SuiteFileError, match="SyntaxError"):
        write_test_file("test_bad.py", "def test_bad(:\n", tmp_path)
    with pytest.raises(SuiteFileError):
        write_test_file("../escape.py", "x = 1", tmp_path)
    assert not (tmp_path / "tests_mine" / "test_bad.py").exists()


LESSON = re.compile(r"notebook (?P<stage>\d{2}), section (?P<section>\d+) \((?P<topic>[^)]+)\)")
HEADING = re.compile(r"^(?P<level>#{2,4}) (?:(?P<number>\d+)\. )?(?P<title>.+)$", re.MULTILINE)


def headings_by_section(notebook: Path) -> dict[str, list[str]]:
    """The titles of a notebook's numbered sections and of the headings under them."""
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "markdown":
            continue
        for heading in HEADING.finditer(cell.source):
            if heading["level"] == "##" and heading["number"]:
                current = sections.setdefault(heading["number"], [])
            current.append(heading["title"].lower())
    return sections


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.slug)
def test_a_mutants_lesson_points_at_a_real_section(mutant: Mutant) -> None:
    """The grader tells a learner where to reread: that section exists and is about the topic
    named (a heading in it starts with the topic), so renumbering a notebook cannot leave the
    pointer behind."""
    lesson = LESSON.fullmatch(mutant.lesson)
    if lesson is None:
        assert re.fullmatch(r"notebooks \d{2}-\d{2} \([^)]+\)", mutant.lesson), mutant.lesson
        return
    (notebook,) = (REPO / "notebooks").glob(f"{lesson['stage']}_*.ipynb")
    titles = headings_by_section(notebook).get(lesson["section"], [])
    assert any(title.startswith(lesson["topic"].lower()) for title in titles), (
        f"{mutant.lesson!r}: section {lesson['section']} of {notebook.name} has {titles}"
    )
