"""Real uvicorn servers for the benchmarks: subprocesses on 127.0.0.1, always stopped.

A server never runs inside the caller's event loop. `uvicorn_server()` starts
`python -m uvicorn APP` with one worker on a free port, waits until it answers, and stops it
by its pid when the `with` block ends, even when the block fails.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

REPO_ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
STARTUP_SECONDS = 30.0
STOP_SECONDS = 5.0
# Only what a Python process needs: a learner's DATABASE_URL, REDIS_URL or SECRET_KEY in the
# environment must not leak into a benchmark.
INHERITED_VARIABLES = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")


@dataclass(frozen=True)
class Server:
    base_url: str
    pid: int
    log_path: Path

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server process has used so far."""
        times = psutil.Process(self.pid).cpu_times()
        return times.user + times.system


def free_port() -> int:
    """A port that is free on 127.0.0.1 right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_environment(extra: Mapping[str, str]) -> dict[str, str]:
    inherited = {name: os.environ[name] for name in INHERITED_VARIABLES if name in os.environ}
    return {**inherited, "PYTHONUNBUFFERED": "1", **extra}


def log_tail(log_path: Path, lines: int = 20) -> str:
    text = log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def wait_until_ready(process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    with httpx.Client(trust_env=False, timeout=1.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(
                    f"uvicorn exited with {process.returncode}:\n{log_tail(log_path)}"
                )
            try:
                if client.get(url).status_code == 200:
                    return
            except httpx.TransportError:
                pass  # not listening yet
            time.sleep(0.1)
    raise TimeoutError(f"uvicorn did not answer {url} in {STARTUP_SECONDS:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM by pid (uvicorn shuts down gracefully, running the lifespan's exit), then SIGKILL,
    for the parent and any worker it left."""
    if process.poll() is not None:
        return
    workers = psutil.Process(process.pid).children(recursive=True)
    os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    for worker in workers:  # a parent killed before its workers leaves them behind
        if worker.is_running():
            worker.kill()


@contextmanager
def uvicorn_server(
    app: str,
    *,
    workdir: Path,
    env: Mapping[str, str] | None = None,
    app_dir: Path = REPO_ROOT,
    ready_path: str = "/health",
    workers: int = 1,
) -> Iterator[Server]:
    """Run `uvicorn APP` on 127.0.0.1 for the duration of the `with` block (one worker unless
    told otherwise; `pid` is then the parent's, and `stop` ends its workers with it).

    `workdir` is the server's current directory (so no `.env` of the course is read) and holds
    its log; `app_dir` is put on the server's sys.path so `app` can be imported from it.
    """
    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", app,
        "--app-dir", str(app_dir),
        "--host", HOST, "--port", str(port),
        "--workers", str(workers),
        "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    log_path = workdir / f"uvicorn-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=workdir,
            env=server_environment(env or {}),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        base_url = f"http://{HOST}:{port}"
        wait_until_ready(process, base_url + ready_path, log_path)
        yield Server(base_url=base_url, pid=process.pid, log_path=log_path)
    finally:
        stop(process)
