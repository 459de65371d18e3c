# Written by notebooks/13_events.ipynb: edit the notebook, not this file.
"""Queries on the outbox, the inbox and the sales counter."""

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from course_app.events import OutboxEvent, ProcessedEvent, ProductSales
from course_app.repositories.base import execute_write

# The PostgreSQL channel on which workers LISTEN for new events.
OUTBOX_CHANNEL = "outbox"


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim_batch(self, size: int) -> Sequence[OutboxEvent]:
        """The oldest undelivered events, at most `size`, locked for this transaction.

        An event waits while an earlier event of its order is undelivered, so each order's events
        are applied in order even with several workers. On PostgreSQL, `FOR UPDATE SKIP LOCKED`
        locks the rows and skips those another worker holds; SQLite ignores it (one worker).
        """
        earlier = aliased(OutboxEvent)
        earlier_pending = exists().where(
            earlier.order_id == OutboxEvent.order_id,
            earlier.delivered_at.is_(None),
            earlier.id < OutboxEvent.id,
        )
        statement = (
            select(OutboxEvent)
            .where(OutboxEvent.delivered_at.is_(None), ~earlier_pending)
            .order_by(OutboxEvent.id)
            .limit(size)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.scalars(statement)).all()

    async def notify_workers(self) -> None:
        """On PostgreSQL, NOTIFY the workers that LISTEN on OUTBOX_CHANNEL. PostgreSQL sends it
        when this transaction commits, and never if it rolls back. On SQLite, workers poll."""
        if self.session.get_bind().dialect.name == "postgresql":
            await self.session.execute(select(func.pg_notify(OUTBOX_CHANNEL, "")))

    async def mark_delivered(self, event_ids: Sequence[int], when: datetime) -> None:
        await self.session.execute(
            update(OutboxEvent).where(OutboxEvent.id.in_(event_ids)).values(delivered_at=when)
        )

    async def of_order_after(self, order_id: uuid.UUID, after_id: int) -> Sequence[OutboxEvent]:
        """One order's events with an id above `after_id`, oldest first (for the SSE stream)."""
        statement = (
            select(OutboxEvent)
            .where(OutboxEvent.order_id == order_id, OutboxEvent.id > after_id)
            .order_by(OutboxEvent.id)
        )
        return (await self.session.scalars(statement)).all()

    async def delete_delivered_before(self, cutoff: datetime) -> int:
        statement = delete(OutboxEvent).where(OutboxEvent.delivered_at < cutoff)
        return await execute_write(self.session, statement)


class InboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def has(self, consumer: str, event_id: int) -> bool:
        return await self.session.get(ProcessedEvent, (consumer, event_id)) is not None

    def record(self, consumer: str, event_id: int) -> None:
        self.session.add(ProcessedEvent(consumer=consumer, event_id=event_id))

    async def delete_before(self, cutoff: datetime) -> int:
        """Every consumer's entries processed before `cutoff`."""
        statement = delete(ProcessedEvent).where(ProcessedEvent.processed_at < cutoff)
        return await execute_write(self.session, statement)


class SalesRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_units(self, product_id: uuid.UUID, units: int) -> None:
        """Add (or, negative, remove) units: an atomic UPDATE, or the product's first row."""
        updated = await execute_write(
            self.session,
            update(ProductSales)
            .where(ProductSales.product_id == product_id)
            .values(units=ProductSales.units + units),
        )
        if updated == 0:
            self.session.add(ProductSales(product_id=product_id, units=units))
            await self.session.flush()

    async def units_of(self, product_id: uuid.UUID) -> int:
        sales = await self.session.get(ProductSales, product_id)
        return sales.units if sales else 0
