"""Real servers for experiments: subprocesses on 127.0.0.1 that are always stopped.

uvicorn never runs inside the notebook's own event loop. `uvicorn_server("course_app.main:app")`
starts `python -m uvicorn` on a free port, waits until it answers, yields its base URL, and
stops it (SIGTERM, then SIGKILL) when the block ends, even when the block fails.
`gunicorn_server(...)` does the same for gunicorn with uvicorn's workers (the uvicorn-worker
package).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

from course_tools.holes import STUB_MESSAGE
from course_tools.ports import dies_with_this_process, free_port, stop

# What an empty hole of the learner edition raises, as a log shows it.
HOLE_STUB = re.compile(r"NotImplementedError: (" + STUB_MESSAGE.pattern + ")")

HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 30.0
# Only what a Python process needs: the learner's own DATABASE_URL or SECRET_KEY must not leak in.
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONPATH")
# uvicorn's own workers for gunicorn (`uvicorn.workers`) are deprecated in favour of this package.
GUNICORN_WORKER_CLASS = "uvicorn_worker.UvicornWorker"


@contextmanager
def uvicorn_server(
    app: str,
    env: Mapping[str, str] | None = None,
    app_dir: Path | None = None,
    ready_path: str = "/health",
    workers: int = 1,
    port: int | None = None,
    options: Sequence[str] = (),
) -> Iterator[str]:
    """Yield "http://127.0.0.1:PORT" while `python -m uvicorn APP` serves there.

    `port` defaults to a free one; `options` are more uvicorn options, such as ["--root-path", …].
    """
    port = port or free_port()
    command = [sys.executable, "-m", "uvicorn", app, "--host", HOST, "--port", str(port)]
    command += ["--no-access-log", "--log-level", "warning", *options]
    if workers > 1:
        command += ["--workers", str(workers)]
    if app_dir is not None:
        command += ["--app-dir", str(app_dir)]
    with _serving(command, port, env, ready_path, "uvicorn") as url:
        yield url


@contextmanager
def gunicorn_server(
    app: str,
    env: Mapping[str, str] | None = None,
    ready_path: str = "/health",
    workers: int = 2,
    options: Sequence[str] = (),
) -> Iterator[str]:
    """Yield "http://127.0.0.1:PORT" while gunicorn serves APP with `workers` uvicorn workers.

    `options` are more gunicorn options, such as ["--forwarded-allow-ips", "10.0.0.5"].
    """
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", app, "--bind", f"{HOST}:{port}"]
    command += ["--worker-class", GUNICORN_WORKER_CLASS, "--workers", str(workers)]
    # gunicorn >= 25.1 opens a control socket in ~/.gunicorn by default: two servers would share it.
    command += ["--no-control-socket", "--log-level", "warning", *options]
    with _serving(command, port, env, ready_path, "gunicorn") as url:
        yield url


@contextmanager
def _serving(
    command: list[str],
    port: int,
    env: Mapping[str, str] | None,
    ready_path: str,
    server: str,
) -> Iterator[str]:
    environment = {name: os.environ[name] for name in INHERITED if name in os.environ}
    environment.update(env or {})
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=os.getcwd(),
            preexec_fn=dies_with_this_process(),
        )
        try:
            url = f"http://{HOST}:{port}"
            deadline = time.monotonic() + START_TIMEOUT_SECONDS
            with httpx.Client(trust_env=False, timeout=1.0) as client:
                while True:
                    log.seek(0)
                    stub = HOLE_STUB.search(log.read().decode(errors="replace"))
                    if stub:
                        # The learner's app stopped at an empty hole: say which, at once.
                        raise NotImplementedError(stub[1])
                    if process.poll() is not None:
                        log.seek(0)
                        tail = log.read().decode(errors="replace")[-2000:]
                        raise RuntimeError(f"{server} exited with {process.returncode}:\n{tail}")
                    try:
                        if client.get(url + ready_path).status_code < 500:
                            break
                    except httpx.TransportError:
                        pass
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"{server} did not answer on {url}")
                    time.sleep(0.1)
            try:
                yield url
            except Exception as error:
                # What the server said is often the explanation: show its last lines too.
                log.seek(0)
                tail = log.read().decode(errors="replace")[-3000:]
                error.add_note(f"last lines of the {server} log:\n{tail}")
                raise
        finally:
            stop(process, grace_seconds=10)
