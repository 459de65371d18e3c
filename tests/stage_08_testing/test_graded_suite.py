"""The learner's suite (tests_mine/) passes on the service and fails on each shipped mutant."""

from typing import Any

import pytest

from course_tools.mutants.catalog import MUTANTS

pytestmark = pytest.mark.heavy  # tens of seconds: `make test-slow` runs it


def test_your_suite_has_tests(scoreboard: Any) -> None:
    """Write your tests in tests_mine/: the %%testfile cells of notebook 08."""
    assert scoreboard.reference.attempted or scoreboard.reference.collect_errors


def test_your_suite_loads(scoreboard: Any) -> None:
    """Every file in tests_mine/ must import: re-run its %%testfile cell and read the error."""
    assert not scoreboard.reference.collect_errors, scoreboard.headline()


def test_your_suite_passes_on_your_service(scoreboard: Any) -> None:
    """Each of your tests must pass on your course_app as it is, before any mutant."""
    assert not scoreboard.reference.failed, scoreboard.headline()
    assert not scoreboard.reference.timed_out


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.slug for m in MUTANTS])
def test_your_suite_catches_the_bug(scoreboard: Any, mutant: Any) -> None:
    """A test of yours must fail on each shipped mutant: see its hint in notebook 08's check."""
    run = scoreboard.mutants.get(mutant.slug)
    assert run is not None and run.caught, f"still alive: {mutant.name}: {mutant.hint}"
