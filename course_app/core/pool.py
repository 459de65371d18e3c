# Written by notebooks/10_production.ipynb: edit the notebook, not this file.
"""The engine with its connection pool sized by settings, and the database of one app."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from course_app.core.cache import CatalogueCache
from course_app.core.catalogue_changes import catalogue_session_factory
from course_app.db import Database, create_engine
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
        "pool_pre_ping": settings.database_pool_pre_ping,  # a server may have closed it
    }


def create_pooled_engine(settings: Settings) -> AsyncEngine:
    """create_engine of notebook 03, with the pool limits from settings."""
    return create_engine(settings, **pool_options(settings))


@asynccontextmanager
async def open_app_database(settings: Settings, cache: CatalogueCache) -> AsyncIterator[Database]:
    """The pooled engine, and sessions that invalidate `cache` when products change.

    It creates no tables: in production the migrations did (`prestart`), and elsewhere the
    lifespan does.
    """
    engine = create_pooled_engine(settings)
    try:
        yield Database(engine, catalogue_session_factory(engine, cache))
    finally:
        await engine.dispose()
