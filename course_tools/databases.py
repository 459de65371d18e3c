"""Fresh, empty databases for test runs: a SQLite file (the default) or a PostgreSQL database.

    COURSE_TEST_DATABASE=postgresql make test-postgres

runs the course's tests, and the graded runs of a learner's suite, on PostgreSQL. Every test gets a
database of its own, as it gets a SQLite file of its own: `CREATE DATABASE` with a unique name,
dropped when the test ends. The server is `running_postgres()`: DATABASE_URL if it names one,
else a throw-away server on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

from sqlalchemy.engine import make_url

from course_tools.postgres_server import running_postgres

BACKEND_VARIABLE = "COURSE_TEST_DATABASE"
BACKENDS = ("sqlite", "postgresql")
NAME_PREFIX = "course_test_"
# CREATE DATABASE takes a few tenths of a second, mostly waiting for a checkpoint. A few are made
# ahead, at the same time, while the tests run: a test then rarely waits for its database.
MADE_AHEAD = 3


def chosen_backend() -> str:
    """The database the tests run on: "sqlite" unless COURSE_TEST_DATABASE says "postgresql"."""
    backend = os.environ.get(BACKEND_VARIABLE, "").strip().lower() or "sqlite"
    if backend not in BACKENDS:
        raise ValueError(f"{BACKEND_VARIABLE}={backend!r}: choose one of {', '.join(BACKENDS)}")
    return backend


def on_postgres() -> bool:
    return chosen_backend() == "postgresql"


class PostgresDatabases:
    """Makes and drops test databases on one PostgreSQL server; close() drops what is left."""

    def __init__(self, server_url: str, made_ahead: int = MADE_AHEAD) -> None:
        self.server_url = make_url(server_url)
        # Each thread runs its statements with asyncio.run: callers may be inside an event loop.
        self._threads = ThreadPoolExecutor(max_workers=made_ahead, thread_name_prefix="databases")
        self._ahead: deque[Future[str]] = deque(self._make_later() for _ in range(made_ahead))
        self._handed_out: set[str] = set()
        self._drops: list[Future[None]] = []

    def _execute(self, statement: Callable[[int], str]) -> None:
        """Run one statement, written for the server's major version, on a new connection."""
        import asyncpg  # type: ignore[import-untyped]

        async def run() -> None:
            # asyncpg takes plain postgresql:// URLs, without SQLAlchemy's "+asyncpg".
            dsn = self.server_url.set(drivername="postgresql")
            connection = await asyncpg.connect(dsn.render_as_string(hide_password=False))
            try:
                await connection.execute(statement(connection.get_server_version().major))
            finally:
                await connection.close()

        asyncio.run(run())

    def _make(self) -> str:
        name = NAME_PREFIX + uuid.uuid4().hex

        def create(major: int) -> str:
            # FILE_COPY (PostgreSQL 15 and later) copies template1's files: faster than the
            # default, which writes the whole new database through the write-ahead log.
            return f'CREATE DATABASE "{name}"' + (" STRATEGY FILE_COPY" if major >= 15 else "")

        self._execute(create)
        return self.server_url.set(database=name).render_as_string(hide_password=False)

    def _make_later(self) -> Future[str]:
        return self._threads.submit(self._make)

    def create(self) -> str:
        """A new, empty database (a copy of template1): its SQLAlchemy URL."""
        ready = self._ahead.popleft()
        self._ahead.append(self._make_later())
        url = ready.result()
        self._handed_out.add(url)
        return url

    def drop(self, url: str) -> Future[None]:
        """Drop a database made by create(), in the background: close() waits for it, and so
        does `.result()` of the future returned."""
        self._handed_out.discard(url)
        name = make_url(url).database or ""
        if not name.startswith(NAME_PREFIX):
            raise ValueError(f"refusing to drop {name!r}: not a database made for a test")
        # FORCE closes any connection a test left open (PostgreSQL 13 and later).
        statement = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
        dropped = self._threads.submit(self._execute, lambda _major: statement)
        self._drops.append(dropped)
        return dropped

    def close(self) -> None:
        """Drop every database still there, wait for the drops, and raise if one failed."""
        while self._ahead:
            self.drop(self._ahead.popleft().result())
        for url in list(self._handed_out):
            self.drop(url)
        self._threads.shutdown(wait=True)
        for dropped in self._drops:
            dropped.result()


@contextmanager
def postgres_databases() -> Iterator[PostgresDatabases]:
    """A PostgreSQL server to make test databases on, for as long as the block runs."""
    with running_postgres() as server_url:
        databases = PostgresDatabases(server_url)
        try:
            yield databases
        finally:
            databases.close()
