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

from benchmarks.server import REPO_ROOT
from course_tools.notebooks import stages
from course_tools.runner import clean_copy

VERIFY_TIMEOUT_SECONDS = 900.0
PYTEST_TIMEOUT_SECONDS = 600.0
CELL_TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class CourseRun:
    verify_seconds: float
    notebooks_seconds: float
    pytest_seconds: float
    notebooks: int

    @property
    def floor_seconds(self) -> float:
        return self.notebooks_seconds + self.pytest_seconds

    @property
    def ratio(self) -> float:
        return self.verify_seconds / self.floor_seconds

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "floor_seconds": self.floor_seconds, "ratio": self.ratio}

    def describe(self) -> str:
        return (
            f"course verify {self.verify_seconds:.0f} s vs floor {self.floor_seconds:.0f} s "
            f"({self.notebooks} notebooks {self.notebooks_seconds:.0f} s + "
            f"pytest {self.pytest_seconds:.0f} s): ratio {self.ratio:.2f}x"
        )


def timed_command(command: list[str], cwd: Path, timeout: float) -> float:
    """Seconds taken by `command`; it and all its children are killed if it runs too long."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        code = process.wait(timeout=timeout)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)  # its own group: nbval's kernels go too
            process.wait()
    if code != 0:
        raise RuntimeError(f"{' '.join(command)} failed with exit code {code}")
    return time.perf_counter() - started


def execute_notebooks(course: Path) -> tuple[int, float]:
    """Execute every notebook of `course` once, in order, each in a fresh kernel."""
    started = time.perf_counter()
    notebooks = stages(course)
    for stage in notebooks:
        notebook = nbformat.read(stage.path, as_version=4)
        NotebookClient(
            notebook,
            timeout=CELL_TIMEOUT_SECONDS,
            kernel_name="python3",
            resources={"metadata": {"path": str(stage.path.parent)}},
        ).execute()
        print(f"  executed {stage.path.name}", flush=True)
    return len(notebooks), time.perf_counter() - started


def run() -> CourseRun:
    python = sys.executable
    print("course: make verify ...", flush=True)
    verify = timed_command(
        [python, "-m", "course_tools", "verify"], REPO_ROOT, VERIFY_TIMEOUT_SECONDS
    )
    print("course: the floor, each notebook once and one pytest run ...", flush=True)
    with clean_copy(REPO_ROOT) as course:
        count, notebooks_seconds = execute_notebooks(course)
        pytest_seconds = timed_command(
            [python, "-m", "pytest", "-q", "-x"], course, PYTEST_TIMEOUT_SECONDS
        )
    return CourseRun(verify, notebooks_seconds, pytest_seconds, count)


if __name__ == "__main__":
    print(run().describe())
