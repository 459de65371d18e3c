# Written by notebooks/09_performance.ipynb: edit the notebook, not this file.
"""The engine with its connection pool sized by settings, and the database of one app."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from course_app.core.cache import CatalogueCache
from course_app.core.catalogue_changes import catalogue_session_factory
from course_app.db import (
    Database,
    _configure_sqlite_connection,
    _refuse_vanished_file,
    create_tables,
)
from course_app.settings import Settings


def pool_options(settings: Settings) -> dict[str, Any]:
    """The pool's limits. An in-memory SQLite database has one shared connection and no pool."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return {}
    return {
        "pool_size": settings.database_pool_size,  # connections kept open
        "max_overflow": settings.database_max_overflow,  # extra ones opened under load
        "pool_timeout": settings.database_pool_timeout,  # seconds to wait, then TimeoutError
        "pool_recycle": settings.database_pool_recycle,  # reopen connections older than this
    }


def create_pooled_engine(settings: Settings) -> AsyncEngine:
    """create_engine of notebook 03, with the pool limits from settings."""
    engine = create_async_engine(
        settings.database_url,
        pool_pre_ping=True,
        # A failed statement's message would otherwise list its values, and the error handlers
        # log that message: a user's password hash, say, would reach the logs.
        hide_parameters=True,
        **pool_options(settings),
    )
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _configure_sqlite_connection)
        path = engine.url.database
        if path and path != ":memory:" and not path.startswith("file:"):
            event.listen(engine.sync_engine.pool, "checkout", _refuse_vanished_file(path))
    return engine


@asynccontextmanager
async def open_app_database(settings: Settings, cache: CatalogueCache) -> AsyncIterator[Database]:
    """The pooled engine, its tables, and sessions that invalidate `cache` when products change."""
    engine = create_pooled_engine(settings)
    try:
        await create_tables(engine)
        yield Database(engine, catalogue_session_factory(engine, cache))
    finally:
        await engine.dispose()
