"""Benchmark 3 (optional, minutes): what does validating the course cost over its floor?

Times `python -m course_tools verify` (nbval re-runs every notebook in a clean copy and compares
its outputs, then the sync check), then the floor: in another clean copy, each notebook executed
once in sequence with nbclient, plus one `pytest` run of the stage checks. The ratio
verify/floor is the overhead of the validation machinery.

Run it with `make bench BENCH=course` (or `BENCH=all`), or
`.venv/bin/python -m benchmarks.course_run`.
"""

import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from benchmarks.server import REPO_ROOT
from course_tools.maintainer.runner import clean_copy
from course_tools.notebooks import stages

VERIFY_TIMEOUT_SECONDS = 900.0
PYTEST_TIMEOUT_SECONDS = 600.0
CELL_TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class Timed:
    seconds: float
    failures: int  # a non-zero exit code or failed notebooks: the time is then a lower bound


@dataclass(frozen=True)
class CourseRun:
    verify: Timed
    notebooks: Timed
    pytest: Timed
    notebook_count: int

    @property
    def floor_seconds(self) -> float:
        return self.notebooks.seconds + self.pytest.seconds

    @property
    def ratio(self) -> float:
        return self.verify.seconds / self.floor_seconds

    def as_dict(self) -> dict[str, object]:
        return {
            **asdict(self),
            "verify_seconds": self.verify.seconds,
            "floor_seconds": self.floor_seconds,
            "ratio": self.ratio,
            # nbval's own overhead: verify against executing the notebooks alone
            "ratio_to_notebooks_alone": self.verify.seconds / self.notebooks.seconds,
        }

    def describe(self) -> str:
        failures = self.verify.failures + self.notebooks.failures + self.pytest.failures
        warning = f" (WARNING: {failures} failure(s), see above)" if failures else ""
        return (
            f"course verify {self.verify.seconds:.0f} s vs floor {self.floor_seconds:.0f} s "
            f"({self.notebook_count} notebooks {self.notebooks.seconds:.0f} s + "
            f"pytest {self.pytest.seconds:.0f} s): ratio {self.ratio:.2f}x{warning}"
        )


def timed_command(command: list[str], cwd: Path, timeout: float) -> Timed:
    """Run `command`; it and all its children are killed if it takes longer than `timeout`."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        code = process.wait(timeout=timeout)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)  # its own group: nbval's kernels go too
            process.wait()
    return Timed(seconds=time.perf_counter() - started, failures=int(code != 0))


def execute_notebooks(course: Path) -> tuple[int, Timed]:
    """Execute every notebook of `course` once, in order, each in a fresh kernel."""
    started = time.perf_counter()
    notebooks = stages(course)
    failures = 0
    for stage in notebooks:
        notebook = nbformat.read(stage.path, as_version=4)
        client = NotebookClient(
            notebook,
            timeout=CELL_TIMEOUT_SECONDS,
            kernel_name="python3",
            resources={"metadata": {"path": str(stage.path.parent)}},
        )
        try:
            client.execute()  # cells tagged raises-exception may fail; others stop the notebook
            print(f"  executed {stage.path.name}", flush=True)
        except CellExecutionError as error:
            failures += 1
            print(f"  FAILED {stage.path.name}: {str(error).strip().splitlines()[-1]}", flush=True)
    return len(notebooks), Timed(seconds=time.perf_counter() - started, failures=failures)


def run() -> CourseRun:
    python = sys.executable
    print("course: python -m course_tools verify ...", flush=True)
    verify = timed_command(
        [python, "-m", "course_tools", "verify"], REPO_ROOT, VERIFY_TIMEOUT_SECONDS
    )
    print("course: the floor, each notebook once and one pytest run ...", flush=True)
    with clean_copy(REPO_ROOT) as course:
        count, notebooks = execute_notebooks(course)
        pytest = timed_command([python, "-m", "pytest", "-q"], course, PYTEST_TIMEOUT_SECONDS)
    return CourseRun(verify=verify, notebooks=notebooks, pytest=pytest, notebook_count=count)


if __name__ == "__main__":
    print(run().describe())
