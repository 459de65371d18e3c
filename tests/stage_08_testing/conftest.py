"""Stage 08 grades the learner's own test suite by the bugs it catches.

The suite is `tests_mine/` in the course folder. Where notebook 08 has not written it yet (a fresh
clone of the full edition, as in CI), the suite is what its `%%testfile` cells would write: in the
full edition, the reference suite, which must pass and catch every mutant.
"""

from pathlib import Path
from typing import Any

import pytest

WORKSPACE = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def scoreboard(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from course_tools.mutants.grade import SUITE_DIR, grade
    from course_tools.notebooks import stage
    from course_tools.suite import write_suite

    suite = WORKSPACE / SUITE_DIR
    if not suite.is_dir():
        suite = tmp_path_factory.mktemp("notebook_suite")
        write_suite(stage(8, WORKSPACE), suite)
    return grade(WORKSPACE, suite)
