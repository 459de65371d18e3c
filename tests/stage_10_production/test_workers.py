"""Stage 10: four uvicorn workers start together on a fresh database, on SQLite and PostgreSQL.

Before stage 10 they raced each other in `create_all` ("table products already exists") and in
the first-admin insert (a unique violation), and workers crashed. Real processes on 127.0.0.1,
always stopped.
"""

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil
import pytest

from course_tools.paths import find_root
from course_tools.ports import LOOPBACK, free_port, stop
from tests.stage_10_production.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, PRODUCTION_SECRET
from tests.stage_10_production.test_prestart import database_state, run_prestart

pytestmark = pytest.mark.heavy  # tens of seconds: `make test-slow` runs it

WORKERS = 4
START_TIMEOUT_SECONDS = 120.0  # four interpreters importing the app on a busy machine
STARTED = "Application startup complete."
CRASHED = ("Traceback", "Application startup failed", "died")
READY = {"status": "ok", "database": "ok", "redis": "not configured", "migrations": "ok"}


def service_environment(database_url: str, environment: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(find_root()),
        "ENVIRONMENT": environment,
        "DATABASE_URL": database_url,
        "SECRET_KEY": PRODUCTION_SECRET,
        "FIRST_ADMIN_EMAIL": ADMIN_EMAIL,
        "FIRST_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }


@contextmanager
def uvicorn_workers(environment: dict[str, str], folder: Path) -> Iterator[tuple[str, int, Path]]:
    """Yield (base URL, parent pid, log file) once every worker has started; stop them all."""
    port = free_port()
    log_path = folder / "uvicorn.log"
    command = [sys.executable, "-m", "uvicorn", "course_app.main:app", "--host", LOOPBACK]
    command += ["--port", str(port), "--workers", str(WORKERS), "--log-level", "info"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, env=environment, cwd=folder, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + START_TIMEOUT_SECONDS
            while (output := log_path.read_text()).count(STARTED) < WORKERS:
                if any(sign in output for sign in CRASHED) or process.poll() is not None:
                    pytest.fail(f"a worker failed to start:\n{output[-3000:]}")
                if time.monotonic() > deadline:
                    pytest.fail(f"the workers did not all start:\n{output[-3000:]}")
                time.sleep(0.2)
            yield f"http://{LOOPBACK}:{port}", process.pid, log_path
        finally:
            stop(process, grace_seconds=15)


def assert_every_worker_serves(base_url: str, parent_pid: int, log_path: Path) -> None:
    workers = [
        child.pid
        for child in psutil.Process(parent_pid).children()
        if "spawn_main" in " ".join(child.cmdline())
    ]
    assert len(workers) == WORKERS, workers
    started = {
        int(pid) for pid in re.findall(r"Started server process \[(\d+)\]", log_path.read_text())
    }
    assert started == set(workers)
    # Fresh connections, so the kernel hands them to different workers.
    limits = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(base_url=base_url, trust_env=False, limits=limits, timeout=30) as client:
        for _ in range(20):
            response = client.get("/health/ready")
            assert (response.status_code, response.json()) == (200, READY)
    output = log_path.read_text()
    assert output.count(STARTED) == WORKERS
    assert not [sign for sign in CRASHED if sign in output], output[-3000:]


async def test_four_production_workers_start_together_after_prestart(
    fresh_url: str, tmp_path: Path
) -> None:
    """prestart, then `uvicorn --workers 4` in production on a fresh database: every worker
    starts, serves, and nothing crashes; one admin exists."""
    environment = service_environment(fresh_url, "production")
    prestart = run_prestart(environment, tmp_path)
    assert prestart.returncode == 0, prestart.stderr
    with uvicorn_workers(environment, tmp_path) as (base_url, parent_pid, log_path):
        assert_every_worker_serves(base_url, parent_pid, log_path)
    assert await database_state(fresh_url) == (True, [(ADMIN_EMAIL, "admin", "active")])


async def test_four_development_workers_start_together_on_a_fresh_database(
    sqlite_url: str, tmp_path: Path
) -> None:
    """No prestart in development: the four lifespans each create the tables and the first
    admin, at the same moment, on a fresh SQLite file. They take turns; nobody crashes."""
    environment = service_environment(sqlite_url, "development")
    with uvicorn_workers(environment, tmp_path) as (base_url, parent_pid, log_path):
        assert_every_worker_serves(base_url, parent_pid, log_path)
    assert await database_state(sqlite_url) == (True, [(ADMIN_EMAIL, "admin", "active")])
