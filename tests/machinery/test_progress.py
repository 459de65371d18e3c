"""The progress table is right at every point of the course."""

from pathlib import Path

import pytest

from course_tools.notebooks import expected_files, stages
from course_tools.progress import progress_rows

pytestmark = pytest.mark.heavy  # tens of seconds: `make test-slow` runs it


def write_stages_up_to(workspace: Path, last: int) -> None:
    """course_app as running notebooks 01..last leaves it."""
    wanted = [s for s in stages(workspace) if s.number <= last]
    for path, (text, _) in expected_files(wanted).items():
        target = workspace / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


def checks_column(workspace: Path) -> dict[str, str]:
    return {stage.split()[0]: checks for stage, checks, _ in progress_rows(workspace)}


def test_halfway_the_done_stages_pass_and_the_rest_are_not_started(workspace: Path) -> None:
    """After notebooks 01-03, stages 00-03 pass and 04 on are "not started", never "0/0"."""
    for path in sorted((workspace / "course_app").rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    write_stages_up_to(workspace, 3)
    column = checks_column(workspace)
    assert all(column[label].startswith("✅") for label in ("00", "01", "02", "03")), column
    later = [label for label in column if int(label) >= 4]
    assert later and all(column[label] == "⬜ not started" for label in later), column


def test_a_broken_module_marks_its_stage_and_the_stages_after_it(workspace: Path) -> None:
    """A module that does not import breaks its stage; earlier stages still pass."""
    models = workspace / "course_app" / "models.py"
    models.write_text(models.read_text().replace("class Product(", "class Product(Missing, ", 1))
    column = checks_column(workspace)
    assert column["02"].startswith("✅"), column
    assert column["03"] == "❌ broken", column
    assert column["04"] == "❌ broken", column
