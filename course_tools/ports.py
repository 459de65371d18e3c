"""Ports and processes of the servers the course starts: on the loopback only, always stopped."""

import ctypes
import ctypes.util
import functools
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager

LOOPBACK = "127.0.0.1"
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def dies_with_this_process() -> Callable[[], None] | None:
    """A `preexec_fn` for the servers the course starts: on Linux, the server gets SIGTERM when
    the thread that started it dies, even by SIGKILL (a kernel killed by Jupyter runs no
    `finally` and no `atexit`). Elsewhere, None: the `finally` and `atexit` handlers remain.

    Start servers from the main thread: a worker thread that ends would take its servers along.
    """
    if not sys.platform.startswith("linux"):
        return None
    # Looked up here, in the parent: the child, between fork and exec, only makes one C call.
    prctl = _libc().prctl

    def ask_for_sigterm_when_parent_dies() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

    return ask_for_sigterm_when_parent_dies


@functools.cache
def _libc() -> ctypes.CDLL:
    # find_library runs ldconfig in a subprocess: once per process is enough.
    return ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


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
