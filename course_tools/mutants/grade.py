"""Grade a learner's test suite: it must pass on their service and fail on each mutant of it.

One run = one pytest process over a copy of the suite, next to a copy of `course_app` (the
learner's own, or the same with one mutant applied), in a scratch folder that is deleted after.
The workspace is only read. The reference run goes first and must pass; the mutant runs then go
two at a time, each stopping at its first failure (`-x`) with the fastest tests first, and each
bounded by a timeout.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course_tools.databases import on_postgres, postgres_databases
from course_tools.holes import require_written
from course_tools.mutants import Mutant
from course_tools.mutants.catalog import MUTANTS
from course_tools.mutants.plugin import NOT_ATTEMPTED
from course_tools.paths import PACKAGE
from course_tools.suite import SUITE_DIR

WORKERS = min(2, os.cpu_count() or 1)  # the course's machines have 2 cores; so do most laptops
RUN_TIMEOUT_SECONDS = 45.0
IGNORED = shutil.ignore_patterns("__pycache__", ".hypothesis", ".pytest_cache", "*.db")

# The suite runs with the course's own pytest settings: asyncio tests need no marker, every
# async fixture and test gets its own event loop, and a warning is an error.
PYTEST_INI = """\
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
asyncio_default_test_loop_scope = function
filterwarnings = error
"""


class GradingError(Exception):
    """The grading itself went wrong (not the learner's tests): say so loudly."""


@dataclass
class Run:
    """One pytest run of the suite, against the reference service or one mutant."""

    label: str  # "reference" or a mutant's slug
    timed_out: bool = False
    seconds: float = 0.0
    tests: dict[str, dict[str, Any]] = field(default_factory=dict)
    collect_errors: list[dict[str, str]] = field(default_factory=list)
    output: str = ""

    @property
    def attempted(self) -> list[str]:
        return [name for name, t in self.tests.items() if t["outcome"] in ("passed", "failed")]

    @property
    def failed(self) -> list[str]:
        return [name for name, t in self.tests.items() if t["outcome"] == "failed"]

    @property
    def not_attempted(self) -> list[str]:
        return [name for name, t in self.tests.items() if t["outcome"] == NOT_ATTEMPTED]

    @property
    def caught(self) -> bool:
        """For a mutant: the suite noticed (a test failed, could not load, or hung)."""
        return self.timed_out or bool(self.failed) or bool(self.collect_errors)


@dataclass
class Scoreboard:
    reference: Run
    mutants: dict[str, Run]  # slug -> run; empty when the reference run did not pass
    catalog: tuple[Mutant, ...]
    seconds: float

    @property
    def verdict(self) -> str:
        """ "correct", "not yet" or "not attempted", as for exercises."""
        if self.reference.collect_errors:
            return "not yet"
        if not self.reference.attempted:
            return "not attempted"
        if self.reference.failed or self.reference.timed_out:
            return "not yet"
        return "correct" if not self.alive else "not yet"

    @property
    def caught(self) -> list[Mutant]:
        return [m for m in self.catalog if m.slug in self.mutants and self.mutants[m.slug].caught]

    @property
    def alive(self) -> list[Mutant]:
        return [
            m for m in self.catalog if m.slug in self.mutants and not self.mutants[m.slug].caught
        ]

    def headline(self) -> str:
        reference = self.reference
        if reference.collect_errors:
            first = reference.collect_errors[0]
            return f"your tests could not load: {first['name']}: {first['error']}"
        if not reference.attempted:
            return (
                f"not attempted: write your tests in {SUITE_DIR}/ "
                "(the %%testfile cells of notebook 08)"
            )
        if reference.timed_out:
            return f"your suite took longer than {RUN_TIMEOUT_SECONDS:.0f} s on your service"
        if reference.failed:
            names = ", ".join(short(name) for name in reference.failed[:3])
            more = f" and {len(reference.failed) - 3} more" if len(reference.failed) > 3 else ""
            return (
                f"{len(reference.failed)} of your tests fail on your own service, before any "
                f"mutant ({names}{more}): fix the test, or the module it found wrong"
            )
        total, caught = len(self.mutants), len(self.caught)
        if not self.alive:
            return (
                f"your {len(reference.attempted)} tests pass on your service "
                f"and caught {caught} of {total} bugs"
            )
        names = ", ".join(m.name for m in self.alive)
        return f"your tests caught {caught} of {total} bugs; still alive: {names}"

    def lines(self) -> list[str]:
        """The headline, then one hint per bug still alive."""
        return [self.headline(), *(f"{m.name}: {m.hint}" for m in self.alive)]


def short(nodeid: str) -> str:
    """tests_mine/test_orders.py::test_cancel -> test_orders.py::test_cancel"""
    return nodeid.removeprefix(SUITE_DIR + "/")


def prepare(workspace: Path, suite: Path, scratch: Path, mutant: Mutant | None) -> Path:
    """A run folder: a copy of course_app (mutated or not), a copy of the suite, pytest.ini."""
    run = scratch / (mutant.slug if mutant else "reference")
    shutil.copytree(workspace / PACKAGE, run / PACKAGE, ignore=IGNORED)
    if suite.is_dir():
        shutil.copytree(suite, run / SUITE_DIR, ignore=IGNORED)
    else:
        (run / SUITE_DIR).mkdir()
    (run / "pytest.ini").write_text(PYTEST_INI)
    if mutant is not None:
        mutant.write_into(run)
    return run


def uses(suite: Path, library: str) -> bool:
    return any(library in path.read_text(errors="replace") for path in suite.rglob("*.py"))


@dataclass(frozen=True)
class RunSpec:
    """What one graded run executes: pytest with these arguments, in this folder."""

    label: str
    dir: Path
    args: list[str]
    env: dict[str, str]


def spec(
    run_dir: Path,
    label: str,
    *,
    stop_first: bool,
    order: Path | None,
    schemathesis: bool,
    database_url: str | None = None,
) -> RunSpec:
    args = [
        SUITE_DIR, "-q", "--no-header", "-p", "no:cacheprovider",
        # Plugins a graded run never needs, and whose imports cost seconds per run.
        "-p", "no:nbval", "-p", "no:pytest_cov",
        "-p", "course_tools.mutants.plugin", "--course-report", str(run_dir / "report.json"),
    ]  # fmt: skip
    if not schemathesis:
        args += ["-p", "no:schemathesis"]
    if stop_first:
        args.append("-x")
    if order is not None:
        args += ["--course-order", str(order)]
    env = {"PYTHONDONTWRITEBYTECODE": "1", "COURSE_GRADED_RUN": label}
    if database_url is not None:
        env["TEST_DATABASE_URL"] = database_url  # the suite's conftest reads it (notebook 08)
    return RunSpec(label, run_dir, args, env)


def run_in_subprocess(spec: RunSpec) -> dict[str, Any]:
    """One run as a new interpreter: slower, but works where fork() does not (Windows)."""
    env = {**os.environ, **spec.env}
    # The copy comes first: its course_app is the one the tests import.
    env["PYTHONPATH"] = os.pathsep.join([str(spec.dir), os.environ.get("PYTHONPATH", "")])
    env.pop("COURSE_ROOT", None)
    started = time.monotonic()
    with (spec.dir / "output.txt").open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "pytest", *spec.args],
            cwd=spec.dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # so a timeout can stop the run and anything it started
        )
        try:
            code = process.wait(timeout=RUN_TIMEOUT_SECONDS)
            timed_out = False
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            code, timed_out = process.wait(), True
    return {"exit": code, "timed_out": timed_out, "seconds": time.monotonic() - started}


class ForkServer:
    """The fork server as a context manager: started once per grading, stopped after."""

    def __init__(self, scratch: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "course_tools.mutants.forkserver"],
            cwd=scratch,  # never the workspace: its course_app must not be importable there
            env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "COURSE_ROOT")},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.requests, self.answers = self.process.stdin, self.process.stdout
        if not self.answers.readline():
            raise GradingError("the fork server for graded runs did not start")

    def run(self, specs: list[RunSpec], workers: int) -> list[dict[str, Any]]:
        # Libraries imported before the fork cannot have their asserts rewritten, and pytest
        # says so: harmless, since only the suite's own asserts matter, and they are rewritten.
        quiet = ["-W", "ignore::pytest.PytestAssertRewriteWarning"]
        runs = [{"dir": str(s.dir), "args": [*s.args, *quiet], "env": s.env} for s in specs]
        request = {"runs": runs, "workers": workers, "timeout": RUN_TIMEOUT_SECONDS}
        self.requests.write(json.dumps(request) + "\n")
        self.requests.flush()
        answer = self.answers.readline()
        if not answer:
            raise GradingError("the fork server for graded runs stopped unexpectedly")
        results: list[dict[str, Any]] = json.loads(answer)["results"]
        return results

    def close(self) -> None:
        self.requests.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.answers.close()


def execute(specs: list[RunSpec], workers: int, server: ForkServer | None) -> list[Run]:
    if server is not None:
        outcomes = server.run(specs, workers)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            outcomes = list(pool.map(run_in_subprocess, specs))
    return [read_run(s, outcome) for s, outcome in zip(specs, outcomes, strict=True)]


def read_run(spec: RunSpec, outcome: dict[str, Any]) -> Run:
    result = Run(spec.label, timed_out=outcome["timed_out"], seconds=outcome["seconds"])
    output = spec.dir / "output.txt"
    result.output = output.read_text(errors="replace") if output.exists() else ""
    report = spec.dir / "report.json"
    if report.exists():
        data = json.loads(report.read_text())
        result.tests, result.collect_errors = data["tests"], data["collect_errors"]
        imported = data["course_app"]
        if imported and not Path(imported).resolve().is_relative_to(spec.dir.resolve()):
            raise GradingError(
                f"the {spec.label} run imported course_app from {imported}, not from its copy"
            )
    elif not result.timed_out:
        last = result.output.strip().splitlines()[-1:] or [f"exit code {outcome['exit']}"]
        result.collect_errors = [{"name": SUITE_DIR, "error": last[0]}]
    return result


def grade(
    workspace: Path,
    suite: Path | None = None,
    mutants: Iterable[Mutant] = MUTANTS,
    workers: int = WORKERS,
    fork: bool = hasattr(os, "fork"),
) -> Scoreboard:
    """Run the suite against the workspace's service, then against each mutant of it."""
    require_written(workspace)  # a mutant is a change to a finished service
    catalog = tuple(mutants)
    suite = suite or workspace / SUITE_DIR
    schemathesis = suite.is_dir() and uses(suite, "schemathesis")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="course-mutants-") as folder, ExitStack() as stack:
        scratch = Path(folder)
        # Every mutant is prepared first: one that no longer applies fails before any run.
        mutant_dirs = {m.slug: prepare(workspace, suite, scratch, m) for m in catalog}
        reference_dir = prepare(workspace, suite, scratch, None)
        # COURSE_TEST_DATABASE=postgresql: each run gets a PostgreSQL database of its own.
        databases = stack.enter_context(postgres_databases()) if on_postgres() else None

        def database_url() -> str | None:
            return databases.create() if databases is not None else None

        server = ForkServer(scratch) if fork else None
        try:
            reference_spec = spec(
                reference_dir,
                "reference",
                stop_first=False,
                order=None,
                schemathesis=schemathesis,
                database_url=database_url(),
            )
            (reference,) = execute([reference_spec], 1, server)
            results: dict[str, Run] = {}
            if reference.attempted and not (
                reference.failed or reference.collect_errors or reference.timed_out
            ):
                order = scratch / "order.json"
                seconds = {name: test["seconds"] for name, test in reference.tests.items()}
                order.write_text(json.dumps(seconds))
                specs = [
                    spec(
                        path,
                        slug,
                        stop_first=True,
                        order=order,
                        schemathesis=schemathesis,
                        database_url=database_url(),
                    )
                    for slug, path in mutant_dirs.items()
                ]
                results = {run.label: run for run in execute(specs, workers, server)}
        finally:
            if server is not None:
                server.close()
    return Scoreboard(reference, results, catalog, time.perf_counter() - started)
