# Written by notebooks/03_models.ipynb: edit the notebook, not this file.
"""The database of one app: engine, sessions, tables, and the unit of work."""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, literal, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from course_app.models import Base
from course_app.settings import Settings

# A writer waits this long for another one to finish, then fails (503) instead of hanging.
LOCK_WAIT_MS = 5_000


def _configure_sqlite_connection(dbapi_connection: Any, _connection_record: Any) -> None:
    # SQLite ignores foreign keys unless asked, and fails at once on a locked database
    # unless told to wait: concurrent writers should queue, not error.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={LOCK_WAIT_MS}")
    cursor.close()


def _refuse_vanished_file(path: str) -> Any:
    def check(_dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        # A pooled connection to a deleted file keeps reading and writing the deleted copy, and
        # every write is lost. Refused here, the pool opens a new connection instead, which
        # finds no tables: requests fail with 503, and nothing is written where it cannot last.
        if not os.path.exists(path):
            raise DisconnectionError(f"database file {path} is gone")

    return check


def connect_args(url: str) -> dict[str, Any]:
    """What each new connection is told. PostgreSQL waits for a lock as long as it takes, so a
    request behind a long transaction would hang: like SQLite, it gives up after LOCK_WAIT_MS."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() == "asyncpg":
        return {"server_settings": {"lock_timeout": str(LOCK_WAIT_MS)}}
    return {}


def create_engine(settings_or_url: Settings | str, **options: Any) -> AsyncEngine:
    """An engine for the URL; `options` go to SQLAlchemy as they are (pool sizes, say)."""
    url = settings_or_url if isinstance(settings_or_url, str) else settings_or_url.database_url
    # A server may close a pooled connection behind our back, so each one is pinged before use
    # (unless options say otherwise). A SQLite file has no server: there the ping would only
    # cost a round trip per request, so it is never pinged.
    pre_ping = options.pop("pool_pre_ping", True) and make_url(url).get_backend_name() != "sqlite"
    engine = create_async_engine(
        url,
        pool_pre_ping=pre_ping,
        connect_args=connect_args(url),
        # An error's message would otherwise list the statement's values (a password hash, say),
        # and error messages end up in logs.
        hide_parameters=True,
        **options,
    )
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _configure_sqlite_connection)
        path = engine.url.database
        if path and path != ":memory:" and not path.startswith("file:"):
            event.listen(engine.sync_engine.pool, "checkout", _refuse_vanished_file(path))
    return engine


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # Objects stay usable after commit: reading them would otherwise need awaited I/O.
    return async_sessionmaker(engine, expire_on_commit=False)


async def create_tables(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)


async def read_every_table(session: AsyncSession) -> None:
    """Read one row of every table; raises if the database cannot answer.

    `SELECT 1` would succeed on an empty or replaced database file. This proves the schema is
    there and the file is readable, and it stays cheap: one statement, one round trip, with a
    subquery for each table.
    """
    probes = [
        select(literal(1)).select_from(table).limit(1).scalar_subquery()
        for table in Base.metadata.sorted_tables
    ]
    await session.execute(select(*probes))


@dataclass(frozen=True)
class Database:
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]


@asynccontextmanager
async def open_database(settings_or_url: Settings | str) -> AsyncIterator[Database]:
    """An engine with its tables and a session factory; the engine is disposed of on the way out."""
    engine = create_engine(settings_or_url)
    try:
        await create_tables(engine)
        yield Database(engine, create_session_factory(engine))
    finally:
        await engine.dispose()


@asynccontextmanager
async def transaction(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit when the block ends, roll back everything if it raises."""
    try:
        yield session
        await session.commit()
    except BaseException:
        await session.rollback()
        raise
