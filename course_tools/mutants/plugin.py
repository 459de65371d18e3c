"""A pytest plugin for graded runs of a learner's suite: it records what happened, as JSON.

Loaded with `-p course_tools.mutants.plugin` in each run (the reference service or a mutant):
- a test that raises NotImplementedError is an unwritten stub: "not attempted", shown as a skip;
- `--course-order` runs the cheapest tests first, so a run stopped by `-x` ends soon;
- the report names the `course_app` the tests imported, so the grader can prove it was the copy.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

NOT_ATTEMPTED = "not attempted"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("course", "graded runs of a learner's test suite")
    group.addoption("--course-report", help="write the outcomes of this run to this JSON file")
    group.addoption("--course-order", help="JSON {nodeid: seconds}: run the fastest tests first")


class Recorder:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.tests: dict[str, dict[str, Any]] = {}
        self.collect_errors: list[dict[str, str]] = []

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        order = self.config.getoption("course_order")
        if order:
            seconds = json.loads(Path(order).read_text())
            items.sort(key=lambda item: seconds.get(item.nodeid, 0.0))

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            text = str(report.longrepr).strip().splitlines()
            self.collect_errors.append({"name": report.nodeid, "error": text[-1] if text else ""})

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if call.excinfo is not None and call.excinfo.errisinstance(NotImplementedError):
            # An unwritten test (the learner edition's stub) is neither a pass nor a failure.
            report.outcome = "skipped"
            report.longrepr = (str(item.path), item.location[1] or 0, NOT_ATTEMPTED)
            report.user_properties.append(("course", NOT_ATTEMPTED))
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        entry = self.tests.setdefault(report.nodeid, {"outcome": "passed", "seconds": 0.0})
        entry["seconds"] += report.duration
        if ("course", NOT_ATTEMPTED) in report.user_properties:
            entry["outcome"] = NOT_ATTEMPTED
        elif report.failed:
            entry["outcome"] = "failed"
            lines = str(report.longrepr).strip().splitlines()
            entry["error"] = lines[-1][:300] if lines else ""
        elif report.skipped and entry["outcome"] == "passed":
            entry["outcome"] = "skipped"

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        path = self.config.getoption("course_report")
        if not path:
            return
        module = sys.modules.get("course_app")
        report = {
            "exitstatus": int(exitstatus),
            "tests": self.tests,
            "collect_errors": self.collect_errors,
            "course_app": getattr(module, "__file__", None),
        }
        Path(path).write_text(json.dumps(report))


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(Recorder(config), "course-recorder")
