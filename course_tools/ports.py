"""Ports and processes of the servers the course starts: on the loopback only, always stopped."""

import socket
import subprocess

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
