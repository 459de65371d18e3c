# Written by notebooks/13_events.ipynb: edit the notebook, not this file.
"""The schema's versions: Alembic's settings, upgrading to head, and asking whether a database
is at head. `prestart`, the development lifespan and readiness all go through here.
"""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import lru_cache
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, column, false, inspect, table, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from course_app import events, idempotency  # noqa: F401  (tables defined there; see below)
from course_app.models import Base

# `Base.metadata` knows the tables of the modules imported so far, nothing more. Whatever reads
# the whole schema comes through this module: the lifespan's create_all, Alembic's env.py (for
# autogenerate), the schema checks. Every module that defines a table outside models.py is
# imported above, so none of them can see a schema without it.

# The folder `migrations` inside the package: found wherever course_app is, no alembic.ini needed.
SCRIPT_LOCATION = "course_app:migrations"
# Any number no other advisory lock of the application uses.
POSTGRES_SCHEMA_LOCK = 1_020_304


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's settings, made in code. With a connection, migrations run on it (see env.py)."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def head_revisions() -> frozenset[str]:
    """The latest revision of the scripts in migrations/versions (read from disk once)."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(connection: Connection) -> frozenset[str]:
    """The revision the database records; empty when it has no version table."""
    return frozenset(MigrationContext.configure(connection).get_current_heads())


async def schema_is_current(connection: AsyncConnection) -> bool:
    """True when the database is at the latest migration: exactly the schema this code expects."""
    return await connection.run_sync(current_revisions) == head_revisions()


@asynccontextmanager
async def schema_lock(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection in a transaction that holds the database's lock on schema changes.

    Processes that start together on a fresh database (prestarts, development workers) take
    turns: each one sees, after the lock, what the previous one created, instead of racing it
    to `CREATE TABLE` and failing with "table already exists".
    """
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Released by the commit or rollback at the end of the block.
            await connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": POSTGRES_SCHEMA_LOCK}
            )
        elif connection.dialect.name == "sqlite":
            # Python's sqlite3 runs DDL outside any transaction unless one was begun. An
            # IMMEDIATE transaction takes the write lock now; others wait (busy_timeout).
            await connection.exec_driver_sql("BEGIN IMMEDIATE")
        yield connection


async def run_alembic(engine: AsyncEngine, action: Callable[..., Any], *arguments: Any) -> None:
    """Run an Alembic command (`command.upgrade`, `command.downgrade`, ...) under the lock, in
    one transaction: `await run_alembic(engine, command.downgrade, "base")`."""
    async with schema_lock(engine) as connection:
        await connection.run_sync(lambda sync: action(alembic_config(sync), *arguments))


async def upgrade_to_head(engine: AsyncEngine) -> None:
    """Apply every migration the database has not had yet. Doing nothing is fine too."""
    await run_alembic(engine, command.upgrade, "head")


def _is_fresh(connection: Connection) -> bool:
    """No table of the models, and no migration recorded."""
    tables = set(inspect(connection).get_table_names())
    return not tables & set(Base.metadata.tables) and not current_revisions(connection)


async def create_missing_tables(engine: AsyncEngine) -> None:
    """Outside production, the lifespan's way: `create_all`, under the schema lock.

    On a fresh database it also records the latest revision (`stamp`): `create_all` built what
    the migrations would have built (a stage check proves it), so readiness and a later
    `prestart` see a database at head.
    """
    async with schema_lock(engine) as connection:
        fresh = await connection.run_sync(_is_fresh)
        await connection.run_sync(Base.metadata.create_all)
        if fresh:
            await connection.run_sync(lambda sync: command.stamp(alembic_config(sync), "head"))


_version_table = table("alembic_version", column("version_num"))


async def probe_write(connection: AsyncConnection) -> None:
    """A write that matches no row of the version table: it fails on a database that cannot be
    written (read-only, full, locked too long) and changes nothing. Roll back afterwards."""
    version_num = _version_table.c.version_num
    await connection.execute(update(_version_table).where(false()).values(version_num=version_num))
