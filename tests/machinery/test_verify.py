"""`course_tools verify`: each notebook from the stage before it, and exactly the files it writes."""

import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from course_tools.maintainer.verify import stage_differences, verify_by_stage
from course_tools.notebooks import stages

pytestmark = pytest.mark.heavy  # tens of seconds: `make test-slow` runs it

REPO = Path(__file__).resolve().parents[2]


def cell(source: str, printed: str = "") -> nbformat.NotebookNode:
    outputs = [new_output("stream", name="stdout", text=printed)] if printed else []
    return new_code_cell(source, outputs=outputs)


def started(number: int, title: str, earlier: str) -> nbformat.NotebookNode:
    return cell(
        f"import course_tools\n\ncourse_tools.start({number})", f"Stage {title}\n{earlier}\n"
    )


def tiny_course(root: Path) -> None:
    """Two notebooks: one as it should be; one that leaves a stray file and whose output lies."""
    shutil.rmtree(root / "notebooks")
    shutil.rmtree(root / "course_app")
    (root / "notebooks").mkdir()
    shutil.copyfile(REPO / "nbval_sanitize.cfg", root / "nbval_sanitize.cfg")
    notebooks = {
        "01_one": [
            started(1, "01 · one", "No earlier stage needed: you start from an empty course_app."),
            cell(
                '%%module course_app/__init__.py\n"""One."""', "✓ course_app/__init__.py (1 line)\n"
            ),
        ],
        "02_two": [
            started(2, "02 · two", "Stage 01 is in place."),
            cell("%%module course_app/two.py\nTWO = 2", "✓ course_app/two.py (1 line)\n"),
            cell(
                'from pathlib import Path\n\n_ = Path("../course_app/stray.py").write_text("x = 1")'
            ),
            cell('print("what the notebook prints now")', "what it printed when committed\n"),
        ],
    }
    for name, cells in notebooks.items():
        for count, code in enumerate(cells, start=1):
            code.execution_count = count
        notebook = new_notebook(cells=cells)
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
        nbformat.write(notebook, root / "notebooks" / f"{name}.ipynb")


def test_each_notebook_runs_from_the_stage_before_and_must_write_exactly_its_files(
    workspace: Path,
) -> None:
    """A notebook passes only if nbval passes and course_app then holds exactly its cells' files."""
    tiny_course(workspace)
    one, two = verify_by_stage(workspace, jobs=2)
    assert one.ok, one.output
    assert not two.ok
    # Its first cell found stage 01 in place, written from notebook 01's cells...
    assert "1 failed, 3 passed" in two.output, two.output
    # ...the cell whose output differs fails nbval...
    assert "what it printed when committed" in two.output
    # ...and a file that no %%module cell writes is caught.
    assert two.problems == [
        "course_app/stray.py: there after 02_two.ipynb ran, but no notebook up to it writes it"
    ]


def test_missing_and_changed_files_name_the_notebook_that_writes_them(workspace: Path) -> None:
    """After notebook N, course_app is compared with the %%module cells of notebooks 01..N."""
    settings, later = stages(workspace)[1], stages(workspace)[2]
    expected = {
        "course_app/settings.py": ("X = 1\n", settings),
        "course_app/gone.py": ("Y = 2\n", settings),
    }
    copy = workspace / "copy"
    (copy / "course_app").mkdir(parents=True)
    (copy / "course_app" / "settings.py").write_text("X = 2\n")
    problems = stage_differences(later, expected, copy)
    assert problems[0] == (
        "course_app/gone.py: written by notebook 01_settings.ipynb, missing after 02_schemas.ipynb"
    )
    assert problems[1].startswith(
        "course_app/settings.py: after 02_schemas.ipynb ran, differs from what notebook "
        "01_settings.ipynb writes\n"
    )
    assert "-X = 1" in problems[1] and "+X = 2" in problems[1]
