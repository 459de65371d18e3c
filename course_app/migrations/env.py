# Written by notebooks/10_production.ipynb: edit the notebook, not this file.
"""Alembic's environment: Alembic runs this file for every command it is given.

The service hands it a connection in a transaction (course_app.core.migrations). The command line
(`python -m course_app.migrate`) hands it nothing: it connects to the URL of the Alembic config if
one was given, else to the app's own `Settings().database_url`.
"""

import asyncio
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection

from course_app.core.migrations import schema_lock
from course_app.db import create_engine
from course_app.models import Base, UTCDateTime
from course_app.settings import Settings

config = context.config


def render_item(kind: str, item: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    # Left alone, autogenerate writes `course_app.models.UTCDateTime(timezone=True)` and no
    # import, and the new revision fails with NameError. Write it as the models do.
    if kind == "type" and isinstance(item, UTCDateTime):
        autogen_context.imports.add("from course_app.models import UTCDateTime")
        return "UTCDateTime()"
    return False  # everything else: Alembic's own rendering


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_item=render_item,
        # Autogenerate notices a changed column type, not only added and removed columns.
        compare_type=True,
        # SQLite cannot alter most of a table: batch mode copies it into a new one instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_on_own_connection(url: str) -> None:
    engine = create_engine(url)  # the app's engine: SQLite's foreign keys and busy timeout
    try:
        # One transaction under the schema lock, as when the service runs migrations.
        async with schema_lock(engine) as connection:
            await connection.run_sync(run_migrations)
    finally:
        await engine.dispose()


def write_sql_script(url: str) -> None:
    """`--sql` (offline mode): print the SQL of the migrations instead of running them, for a
    review or for a DBA to run. Only the URL's dialect matters: nothing connects."""
    context.configure(
        url=url,
        target_metadata=Base.metadata,
        literal_binds=True,  # values written into the SQL: there is no driver to bind them
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


if (connection := config.attributes.get("connection")) is not None:
    run_migrations(connection)
else:
    url = config.get_main_option("sqlalchemy.url") or Settings().database_url
    if context.is_offline_mode():
        write_sql_script(url)
    else:
        asyncio.run(run_on_own_connection(url))
