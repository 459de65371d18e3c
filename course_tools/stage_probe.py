"""Runs in a fresh interpreter: import each stage's modules, then run its tests.

Usage: python -m course_tools.stage_probe REPORT.json STAGE [STAGE ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from course_tools.diagnose import import_error
from course_tools.notebooks import Stage, stages
from course_tools.paths import find_root, relative


def not_written(stage: Stage, root: Path) -> bool:
    """A stage that writes modules, none of which exist yet."""
    paths = [root / cell.path for cell in stage.module_cells]
    return bool(paths) and not any(path.exists() for path in paths)


class Collector:
    """A pytest plugin that counts results per stage and keeps each failing test's hint."""

    def __init__(self, test_dirs: dict[str, int]) -> None:
        self.test_dirs = test_dirs  # "tests/stage_01_settings" -> 1
        self.hints: dict[str, str] = {}
        self.passed: dict[int, int] = dict.fromkeys(test_dirs.values(), 0)
        self.failures: dict[int, list[dict]] = {n: [] for n in test_dirs.values()}

    def stage_of(self, nodeid: str) -> int:
        for folder, number in self.test_dirs.items():
            if nodeid.startswith(folder + "/"):
                return number
        raise LookupError(nodeid)

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            doc = getattr(getattr(item, "obj", None), "__doc__", None)
            self.hints[item.nodeid] = (doc or item.name).strip().splitlines()[0]

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
            self.failures[stage].append({"name": name, "hint": self.hints.get(report.nodeid, "")})


def main() -> None:
    out, numbers = Path(sys.argv[1]), {int(n) for n in sys.argv[2:]}
    root = find_root()
    sys.path.insert(0, str(root))
    wanted = [s for s in stages(root) if s.number in numbers]
    not_started = {s.number for s in wanted if not_written(s, root)}
    broken = {s.number: None if s.number in not_started else import_error(s, root) for s in wanted}
    runnable = [
        s
        for s in wanted
        if broken[s.number] is None and s.number not in not_started and s.tests_dir.is_dir()
    ]
    collector = Collector({relative(s.tests_dir, root): s.number for s in wanted})
    if runnable:
        args = [relative(s.tests_dir, root) for s in runnable]
        pytest.main([*args, "-q", "--no-header", "-p", "no:cacheprovider"], plugins=[collector])
    results = {
        str(s.number): {
            "broken": broken[s.number],
            "not_started": s.number in not_started,
            "passed": collector.passed[s.number],
            "failures": collector.failures[s.number],
        }
        for s in wanted
    }
    out.write_text(json.dumps(results))


if __name__ == "__main__":
    main()
