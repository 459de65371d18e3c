"""A fork server for graded runs: import the heavy libraries once, then fork one child per run.

Each graded run is a fresh pytest session over a copy of the suite and of course_app. Started
as a new interpreter, every run would import pytest, FastAPI, SQLAlchemy and Hypothesis again:
seconds of CPU per run, and there are ten runs. This process imports them once (never course_app)
and forks a child per run; the child moves into its run folder and runs pytest there.

Protocol: one JSON request per line on stdin, one JSON answer per line on stdout.
  request: {"runs": [{"dir": ..., "args": [...], "env": {...}}], "workers": 2, "timeout": 45}
  answer:  {"results": [{"exit": 0, "timed_out": false, "seconds": 1.2}, ...]}
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
from typing import Any

# What every graded run needs, imported before any fork. course_app must not be among them: each
# child imports its own copy.
PRELOAD = (
    "pytest",
    "pytest_asyncio.plugin",
    "anyio.pytest_plugin",
    "_hypothesis_pytestplugin",
    "hypothesis",
    "hypothesis.stateful",
    "fastapi",
    "fastapi.security",
    "pydantic",
    "pydantic_settings",
    "email_validator",
    "sqlalchemy.ext.asyncio",
    "aiosqlite",
    "asyncpg",  # COURSE_TEST_DATABASE=postgresql
    "httpx",
    "asgi_lifespan",
    "jwt",
    "pwdlib",
    "multipart",
    "course_tools.mutants.plugin",
)


def preload() -> None:
    import importlib

    for name in PRELOAD:
        # An optional library that is missing: the run imports it itself, or fails as it would.
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


def child(run: dict[str, Any]) -> None:
    """In the forked child: become the run, and never return."""
    code = 70
    try:
        os.setsid()  # its own process group, so a timeout stops everything it started
        nothing = os.open(os.devnull, os.O_RDONLY)
        os.dup2(nothing, 0)  # the server's stdin carries requests: not for the child
        output = os.open(os.path.join(run["dir"], "output.txt"), os.O_WRONLY | os.O_CREAT)
        os.dup2(output, 1)
        os.dup2(output, 2)
        os.chdir(run["dir"])
        os.environ.update(run["env"])
        sys.path.insert(0, run["dir"])

        import pytest

        code = int(pytest.main(run["args"]))
    except BaseException as error:  # anything at all: report it in the output, exit non-zero
        print(f"graded run failed to start: {type(error).__name__}: {error}", file=sys.stderr)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def run_batch(runs: list[dict[str, Any]], workers: int, timeout: float) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = [{} for _ in runs]
    waiting = list(range(len(runs)))
    running: dict[int, tuple[int, float]] = {}  # pid -> (index, started)
    while waiting or running:
        while waiting and len(running) < workers:
            index = waiting.pop(0)
            sys.stdout.flush()
            pid = os.fork()
            if pid == 0:
                child(runs[index])
            running[pid] = (index, time.monotonic())
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid:
            index, started = running.pop(pid)
            code = os.waitstatus_to_exitcode(status)
            results[index] = {
                "exit": code,
                "timed_out": False,
                "seconds": time.monotonic() - started,
            }
            continue
        now = time.monotonic()
        for pid, (index, started) in list(running.items()):
            if now - started > timeout:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                del running[pid]
                results[index] = {"exit": -9, "timed_out": True, "seconds": now - started}
        time.sleep(0.01)
    return results


def main() -> None:
    sys.dont_write_bytecode = True
    preload()
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        results = run_batch(request["runs"], request["workers"], request["timeout"])
        print(json.dumps({"results": results}), flush=True)


if __name__ == "__main__":
    main()
