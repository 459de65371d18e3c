"""A real uvicorn server for experiments: a subprocess on 127.0.0.1 that is always stopped.

uvicorn never runs inside the notebook's own event loop. `uvicorn_server("course_app.main:app")`
starts `python -m uvicorn` on a free port, waits until it answers, yields its base URL, and
stops it (SIGTERM, then SIGKILL) when the block ends, even when the block fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

from course_tools.ports import free_port, stop

HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 30.0
# Only what a Python process needs: the learner's own DATABASE_URL or SECRET_KEY must not leak in.
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONPATH")


@contextmanager
def uvicorn_server(
    app: str,
    env: Mapping[str, str] | None = None,
    app_dir: Path | None = None,
    ready_path: str = "/health",
) -> Iterator[str]:
    """Yield "http://127.0.0.1:PORT" while `python -m uvicorn APP` serves there."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", app, "--host", HOST, "--port", str(port)]
    command += ["--no-access-log", "--log-level", "warning"]
    if app_dir is not None:
        command += ["--app-dir", str(app_dir)]
    environment = {name: os.environ[name] for name in INHERITED if name in os.environ}
    environment.update(env or {})
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command, env=environment, stdout=log, stderr=subprocess.STDOUT, cwd=os.getcwd()
        )
        try:
            url = f"http://{HOST}:{port}"
            deadline = time.monotonic() + START_TIMEOUT_SECONDS
            with httpx.Client(trust_env=False, timeout=1.0) as client:
                while True:
                    if process.poll() is not None:
                        log.seek(0)
                        tail = log.read().decode(errors="replace")[-2000:]
                        raise RuntimeError(f"uvicorn exited with {process.returncode}:\n{tail}")
                    try:
                        if client.get(url + ready_path).status_code < 500:
                            break
                    except httpx.TransportError:
                        pass
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"uvicorn did not answer on {url}")
                    time.sleep(0.1)
            yield url
        finally:
            stop(process, grace_seconds=10)
