"""`python -m course_tools verify`: every notebook under nbval, and the course_app that it writes.

nbval re-executes a notebook in a fresh kernel and compares each cell's outputs with the committed
ones (after `nbval_sanitize.cfg`). Both ways of running it work in throwaway copies of the course:

- **By stage** (the default; `make test`). First the sync check: the committed `course_app/` is
  exactly what the notebooks' `%%module` cells write. Then each notebook runs in a copy of its own,
  several at once. A copy starts where a learner starting at that notebook on a fresh clone starts:
  `course_app/` at the end of the stage before, written from the earlier notebooks' `%%module`
  cells. After the run, `course_app/` must hold exactly the files of the `%%module` cells up to and
  including that notebook, byte for byte. Together: running notebooks 01..N gives stage N, for
  every N, and the last stage is the committed `course_app/`.
- **In sequence** (`--sequential`; `make test-all`). One copy with an empty `course_app/` runs
  every notebook in order, as a learner working through the course in one workspace does; then the
  `course_app/` they wrote must equal the committed one. This also catches a notebook that depends
  on (or is upset by) what an earlier one left behind outside `course_app/`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from course_tools.magic import write_atomically
from course_tools.maintainer.runner import clean_copy
from course_tools.maintainer.sync import (
    differences,
    first_difference,
    package_files,
    report_sync,
    written_by_notebooks,
)
from course_tools.notebooks import Stage, expected_files, stages
from course_tools.paths import PACKAGE


def nbval_command(targets: list[str], extra: list[str] | None = None) -> list[str]:
    """pytest with nbval on some notebooks, in the kernel of this Python, ignoring the project's
    pytest options (they are for the tests under tests/)."""
    return [
        sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env",
        "--nbval-sanitize-with", "nbval_sanitize.cfg", "-p", "no:cacheprovider",
        "-o", "addopts=", "-o", "testpaths=notebooks", "-q", *targets, *(extra or []),
    ]  # fmt: skip


def verify_in_sequence(root: Path, extra: list[str] | None = None) -> int:
    """Every notebook in order in one clean copy, then the course_app they wrote, byte for byte."""
    with clean_copy(root) as copy:
        nbval_code = subprocess.run(nbval_command(["notebooks"], extra), cwd=copy).returncode
        sync_code = report_sync(differences(package_files(copy), root))
    return nbval_code or sync_code


@dataclass
class NotebookRun:
    stage: Stage
    returncode: int = -1
    output: str = ""
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.problems

    def describe(self) -> str:
        mark = "✓" if self.ok else "✗"
        return f"{mark} {self.stage.path.name} {self.seconds:.0f} s"


def stage_differences(item: Stage, expected: dict[str, tuple[str, Stage]], copy: Path) -> list[str]:
    """How course_app after running `item` (from the stage before) differs from its %%module cells."""
    produced = package_files(copy)
    name = item.path.name
    problems = []
    for path in sorted(expected.keys() | produced.keys()):
        if path not in expected:
            problems.append(f"{path}: there after {name} ran, but no notebook up to it writes it")
            continue
        text, writer = expected[path]
        if path not in produced:
            problems.append(f"{path}: written by notebook {writer.path.name}, missing after {name}")
        elif produced[path] != text:
            problems.append(
                f"{path}: after {name} ran, differs from what notebook {writer.path.name} writes\n"
                + first_difference(text, produced[path])
            )
    return problems


def run_one(root: Path, item: Stage, extra: list[str] | None = None) -> NotebookRun:
    """One notebook under nbval in its own copy, course_app at the stage before; then its files."""
    started = time.perf_counter()
    run = NotebookRun(item)
    earlier = [s for s in stages(root) if s.number < item.number]
    with clean_copy(root) as copy:
        for path, (text, _) in expected_files(earlier).items():
            write_atomically(copy / path, text)
        notebook = f"notebooks/{item.path.name}"
        result = subprocess.run(
            nbval_command([notebook], extra),
            cwd=copy,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
        run.returncode, run.output = result.returncode, result.stdout
        run.problems = stage_differences(item, expected_files([*earlier, item]), copy)
    run.seconds = time.perf_counter() - started
    return run


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def heaviest_first(selected: list[Stage]) -> list[Stage]:
    """Start the longest notebooks first, so that no core idles at the end: later notebooks build
    more of the service and run more checks, so they take longer."""
    return sorted(selected, key=lambda item: item.number, reverse=True)


def verify_by_stage(
    root: Path,
    jobs: int,
    extra: list[str] | None = None,
    report: Callable[[NotebookRun, int, int], None] | None = None,
) -> list[NotebookRun]:
    """Every notebook in a copy of its own, `jobs` at a time; the runs in course order."""
    selected = stages(root)
    runs: list[NotebookRun] = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures: list[Future[NotebookRun]] = [
            pool.submit(run_one, root, item, extra) for item in heaviest_first(selected)
        ]
        for future in as_completed(futures):
            runs.append(future.result())
            if report:
                report(runs[-1], len(runs), len(selected))
    return sorted(runs, key=lambda run: run.stage.number)


def print_run(run: NotebookRun, done: int, total: int) -> None:
    print(f"[{done}/{total}] {run.describe()}", flush=True)
    if not run.ok:
        if run.returncode != 0:
            print(run.output.rstrip(), flush=True)
        for problem in run.problems:
            print(f"    {problem}", flush=True)


def verify(
    root: Path, sequential: bool = False, jobs: int = 0, extra: list[str] | None = None
) -> int:
    started = time.perf_counter()
    if sequential:
        code = verify_in_sequence(root, extra)
        print(f"Notebooks verified in sequence in {time.perf_counter() - started:.0f} s.")
        return code
    sync_code = report_sync(differences(written_by_notebooks(root), root))
    jobs = jobs or default_jobs()
    print(f"Running {len(stages(root))} notebooks under nbval, {jobs} at a time, each in its own")
    print(f"copy with {PACKAGE}/ at the stage before it:", flush=True)
    runs = verify_by_stage(root, jobs, extra, report=print_run)
    failed = [run for run in runs if not run.ok]
    elapsed = time.perf_counter() - started
    print(f"Notebooks verified stage by stage in {elapsed:.0f} s.")
    if failed:
        names = ", ".join(run.stage.path.name for run in failed)
        print(f"{len(failed)} of {len(runs)} notebooks failed: {names}; see the ✗ lines above.")
    return 1 if sync_code or failed or not runs else 0
