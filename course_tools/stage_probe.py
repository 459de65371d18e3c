"""Runs in a fresh interpreter: import each stage's modules, then run its tests.

Usage: python -m course_tools.stage_probe REPORT.json STAGE [STAGE ...]
With COURSE_ONLY_HOLE=NN.name in the environment, only the tests grading that hole run (CI's
validation of the listed mistakes: see course_tools.maintainer.holes).
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from course_tools.course import Course
from course_tools.diagnose import import_error
from course_tools.holes import ONLY_HOLE, describe, unfilled_holes
from course_tools.notebooks import Stage, stages
from course_tools.paths import PACKAGE, relative

# Python's warning for a coroutine that was called but not awaited, with the place it was created
# (recorded because main() turns on coroutine origin tracking).
NEVER_AWAITED = re.compile(r"coroutine '(?P<name>[\w.<>]+)' was never awaited")
CREATED_AT = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+)')


def missing_await_hint(text: str, root: Path) -> str | None:
    """For a failure caused by a forgotten `await`: which call, and where in course_app."""
    match = NEVER_AWAITED.search(text)
    if match is None:
        return None
    places = [
        (m["file"], m["line"])
        for m in CREATED_AT.finditer(text[match.end() :])
        if PACKAGE in Path(m["file"]).parts
    ]
    where = ""
    if places:
        file, line = places[-1]  # the innermost frame in the learner's package
        where = f" in {relative(Path(file), root)}, line {line}"
    return f"`{match['name']}(...)` was never awaited{where}: put `await` before the call."


def not_written(stage: Stage, root: Path) -> bool:
    """A stage none of whose own files exist yet: the modules it writes first (a file it only
    rewrites, such as notebook 09's settings.py, exists since notebook 01) or, in notebook 08,
    the learner's test files."""
    from course_tools.suite import suite_file_cells

    earlier = {
        cell.path for s in stages(root) if s.number < stage.number for cell in s.module_cells
    }
    paths = [root / cell.path for cell in stage.module_cells if cell.path not in earlier]
    paths += [root / cell.path for cell in suite_file_cells(stage)]
    return bool(paths) and not any(path.exists() for path in paths)


def hole_marked(item: pytest.Item) -> str | None:
    """The hole a test grades (`@pytest.mark.hole("04.reserve")`), if any."""
    marker = item.get_closest_marker("hole")
    return str(marker.args[0]) if marker is not None else None


class Collector:
    """A pytest plugin: checks each stage's modules import, then counts its results and hints.

    Modules are imported in `pytest_sessionstart`, once pytest's own plugins are loaded: importing
    them earlier would import libraries (such as anyio) before pytest can rewrite their plugins.
    """

    def __init__(self, wanted: list[Stage], root: Path) -> None:
        self.root = root
        self.test_dirs = {relative(s.tests_dir, root): s.number for s in wanted}
        self.wanted = wanted
        self.not_started = {s.number for s in wanted if not_written(s, root)}
        # A stage with an empty hole (its own or an earlier stage's) is "not yet": its tests
        # would only fail on the hole's NotImplementedError, so they are not run.
        empty = unfilled_holes(root)  # one scan of the files for every stage
        self.holes = {
            s.number: [hole_id for hole_id in empty if int(hole_id[:2]) <= s.number]
            for s in wanted
            if s.number not in self.not_started
        }
        self.hole_of: dict[str, str] = {}
        self.broken: dict[int, dict[str, Any] | None] = dict.fromkeys(self.test_dirs.values())
        self.session_started = False
        self.hints: dict[str, str] = {}
        self.passed: dict[int, int] = dict.fromkeys(self.test_dirs.values(), 0)
        self.failures: dict[int, list[dict[str, str]]] = {n: [] for n in self.test_dirs.values()}

    def stage_of(self, nodeid: str) -> int:
        for folder, number in self.test_dirs.items():
            if nodeid.startswith(folder + "/"):
                return number
        raise LookupError(nodeid)

    def find_broken(self) -> None:
        for stage in self.wanted:
            # An empty hole is "not yet", not "broken", even where it runs at import time (a
            # settings validator runs when main.py builds its app).
            if stage.number not in self.not_started and not self.holes.get(stage.number):
                self.broken[stage.number] = import_error(stage, self.root)

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.find_broken()
        self.session_started = True

    def pytest_ignore_collect(self, collection_path: Path) -> bool | None:
        for stage in self.wanted:
            skip = (
                stage.number in self.not_started
                or self.broken[stage.number] is not None
                or bool(self.holes.get(stage.number))
            )
            if skip and collection_path.is_relative_to(stage.tests_dir):
                return True
        return None

    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        only = os.environ.get(ONLY_HOLE)
        if only:
            graded = [item for item in items if hole_marked(item) == only]
            config.hook.pytest_deselected(items=[item for item in items if item not in graded])
            items[:] = graded
        for item in items:
            doc = getattr(getattr(item, "obj", None), "__doc__", None)
            # A test's hint is the first paragraph of its docstring, on one line.
            self.hints[item.nodeid] = " ".join((doc or item.name).strip().split("\n\n")[0].split())
            hole_id = hole_marked(item)
            if hole_id is not None:
                self.hole_of[item.nodeid] = hole_id

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            failure = {"name": report.nodeid, "hint": "the tests of this stage could not load"}
            self.failures[self.stage_of(report.nodeid)].append(failure)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        stage = self.stage_of(report.nodeid)
        if report.when == "call" and report.passed:
            self.passed[stage] += 1
        elif report.failed:
            name = report.nodeid.split("::", 1)[-1]
            missing_await = missing_await_hint(report.longreprtext, self.root)
            if missing_await:
                # The cause, not a symptom: it goes first, so the summary names it.
                self.failures[stage].insert(0, {"name": name, "hint": missing_await})
            elif report.nodeid in self.hole_of:
                # A test that grades one hole: its failure names the function to fix, and goes
                # before the failures of tests that only use that function.
                hole_id = self.hole_of[report.nodeid]
                hint = f"{describe(hole_id)} looks wrong: {self.hints.get(report.nodeid, '')}"
                graded = sum("hole" in failure for failure in self.failures[stage])
                failure = {"name": name, "hint": hint, "hole": hole_id}
                self.failures[stage].insert(graded, failure)
            else:
                hint = self.hints.get(report.nodeid, "")
                self.failures[stage].append({"name": name, "hint": hint})


def main() -> None:
    out, numbers = Path(sys.argv[1]), {int(n) for n in sys.argv[2:]}
    course = Course.find()
    course.activate()
    root = course.root
    wanted = [s for s in course.stages if s.number in numbers and s.tests_dir.is_dir()]
    sys.set_coroutine_origin_tracking_depth(32)
    collector = Collector(wanted, root)
    # A stage not started yet is not even named: pytest imports the conftest.py of every folder
    # it is given, and one that imports a missing module would stop the whole run.
    args = [relative(s.tests_dir, root) for s in wanted if s.number not in collector.not_started]
    if args:
        pytest.main([*args, "-q", "--no-header", "-p", "no:cacheprovider"], plugins=[collector])
    if not collector.session_started:
        collector.find_broken()  # a conftest.py could not import a broken module
    results = {
        str(s.number): {
            "broken": collector.broken[s.number],
            "not_started": s.number in collector.not_started,
            "passed": collector.passed[s.number],
            "failures": collector.failures[s.number],
            "holes": [
                {"id": hole_id, "where": describe(hole_id)}
                for hole_id in collector.holes.get(s.number, [])
            ],
        }
        for s in wanted
    }
    out.write_text(json.dumps(results))


if __name__ == "__main__":
    main()
