"""Ports and processes of the servers the course starts: on the loopback only, always stopped."""

import socket
import subprocess
import time
from contextlib import AbstractContextManager

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A port nothing listens on right now (the OS picks it; the caller binds it next)."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


def stop(process: "subprocess.Popen[bytes]", grace_seconds: float) -> None:
    """Ask the server to stop (SIGTERM), and kill it if it has not stopped after the grace."""
    process.terminate()
    try:
        process.wait(timeout=grace_seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def serve_until_interrupted(name: str, variable: str, running: AbstractContextManager[str]) -> int:
    """`python -m course_tools redis|postgres`: a server for experiments, until Ctrl+C."""
    with running as url:
        print(f"{name} is running: {variable}={url}\nPress Ctrl+C to stop it.", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print(f"Stopping {name}.")
    return 0
