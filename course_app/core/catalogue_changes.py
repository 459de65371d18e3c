# Written by notebooks/09_performance.ipynb: edit the notebook, not this file.
"""Sessions that notice every write to the products table and invalidate the cache after commit.

Routes, services and repositories stay as they are: a new product, an edit, a soft delete and
every stock reservation, release or shipment pass through the session, so the session is the
one place that cannot miss a change.
"""

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from course_app.core.cache import CatalogueCache

CACHE_KEY = "catalogue_cache"
CHANGED_KEY = "catalogue_changed"
WATCHED_TABLES = {"products"}


def _touches_watched_table(mappers: Any) -> bool:
    return any(mapper.local_table.name in WATCHED_TABLES for mapper in mappers)


class TrackingSession(Session):
    """A plain ORM session whose events mark it when the products table is written."""


@event.listens_for(TrackingSession, "do_orm_execute")
def _mark_bulk_writes(state: ORMExecuteState) -> None:
    # update(Product)..., as in reserve(), release() and ship(): no object is flushed.
    if (state.is_update or state.is_delete or state.is_insert) and _touches_watched_table(
        state.all_mappers
    ):
        state.session.info[CHANGED_KEY] = True


@event.listens_for(TrackingSession, "after_flush")
def _mark_flushed_objects(session: Session, _context: UOWTransaction) -> None:
    # new, dirty and deleted still list what this flush wrote.
    changed = [*session.new, *session.dirty, *session.deleted]
    if _touches_watched_table(type(instance).__mapper__ for instance in changed):
        session.info[CHANGED_KEY] = True


class CatalogueSession(AsyncSession):
    """Invalidates the catalogue cache once a transaction that wrote products has committed."""

    sync_session_class = TrackingSession

    async def commit(self) -> None:
        await super().commit()
        # After the commit, never before: a reader between an early invalidation and the commit
        # would read the old row and cache it again, and the stale entry would stay.
        if self.info.pop(CHANGED_KEY, False):
            cache: CatalogueCache = self.info[CACHE_KEY]
            await cache.invalidate()

    async def rollback(self) -> None:
        await super().rollback()
        self.info.pop(CHANGED_KEY, None)


def catalogue_session_factory(
    engine: AsyncEngine, cache: CatalogueCache
) -> async_sessionmaker[AsyncSession]:
    # The same options as create_session_factory in db.py, plus the cache to invalidate.
    return async_sessionmaker(
        engine, class_=CatalogueSession, expire_on_commit=False, info={CACHE_KEY: cache}
    )
