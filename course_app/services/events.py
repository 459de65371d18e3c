# Written by notebooks/13_events.ipynb: edit the notebook, not this file.
"""Order events: written to the outbox with each status change, delivered by the worker at least
once, applied by each consumer once (its inbox remembers what it applied)."""

import asyncio
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from course_app.db import transaction
from course_app.enums import OrderStatus
from course_app.events import OutboxEvent
from course_app.models import Order
from course_app.repositories.events import InboxRepository, OutboxRepository, SalesRepository

logger = logging.getLogger(__name__)

FINAL_STATUSES = frozenset({OrderStatus.DELIVERED, OrderStatus.CANCELLED})
# Delivered events (and inbox entries) are kept this long, then deleted: the table stops growing.
EVENT_RETENTION = timedelta(days=7)


async def record_status_change(
    session: AsyncSession, order: Order, previous: OrderStatus | None, status: OrderStatus
) -> OutboxEvent:
    """Add the event of `order` going from `previous` (None: just placed) to `status`.

    Call it inside the transaction that changes the status: the event is committed with the
    change, or rolled back with it.
    """
    await OutboxRepository(session).notify_workers()  # sent at commit, and only then
    payload = {
        "user_id": str(order.user_id),
        "items": [
            {"product_id": str(item.product_id), "quantity": item.quantity} for item in order.items
        ],
    }
    event = OutboxEvent(
        order_id=order.id,
        status=status.value,
        previous_status=previous.value if previous else None,
        payload=payload,
    )
    session.add(event)
    return event


class Consumer(Protocol):
    """Something that reacts to events. `apply` runs in the transaction that records the event
    in the consumer's inbox, so its effect and the inbox entry are committed together."""

    @property
    def name(self) -> str: ...  # its inbox's key: never rename a consumer that has one

    async def apply(self, session: AsyncSession, event: OutboxEvent) -> None: ...


@dataclass(frozen=True)
class SalesCounter:
    """Units sold per product: + the quantities when an order is placed, - when it is cancelled.

    Applied twice, an event would count twice: that is what the inbox prevents.
    """

    name: str = "product_sales"

    async def apply(self, session: AsyncSession, event: OutboxEvent) -> None:
        if event.previous_status is None:
            sign = 1
        elif event.status == OrderStatus.CANCELLED:
            sign = -1
        else:
            return  # confirmed, shipped...: nothing to count
        sales = SalesRepository(session)
        for item in event.payload["items"]:
            await sales.add_units(uuid.UUID(item["product_id"]), sign * item["quantity"])


CONSUMERS: tuple[Consumer, ...] = (SalesCounter(),)


async def apply_once(session: AsyncSession, consumer: Consumer, event: OutboxEvent) -> bool:
    """Apply `event` unless the consumer's inbox says it already did; True if applied now."""
    inbox = InboxRepository(session)
    async with transaction(session):
        if await inbox.has(consumer.name, event.id):
            return False  # a redelivery: applied before
        await consumer.apply(session, event)
        inbox.record(consumer.name, event.id)
    return True


async def deliver_batch(
    sessions: async_sessionmaker[AsyncSession],
    consumers: Sequence[Consumer] = CONSUMERS,
    size: int = 100,
    pause: float = 0.0,
) -> int:
    """Claim a batch of events, hand each to every consumer, then mark the batch delivered.

    Dying anywhere before the last commit leaves the batch undelivered: the next run delivers it
    again (at least once) and the inboxes skip what was applied (once). Returns the batch's size.
    """
    async with sessions() as claim, transaction(claim):
        events = await OutboxRepository(claim).claim_batch(size)
        for event in events:
            for consumer in consumers:
                # Each consumer in a session of its own, as if it lived in another service.
                async with sessions() as session:
                    applied = await apply_once(session, consumer, event)
                logger.info(
                    "event %s (%s) %s by %s",
                    event.id,
                    event.status,
                    "applied" if applied else "skipped, already applied",
                    consumer.name,
                )
            if pause:  # a demonstration knob: time to watch a batch, or to kill it halfway
                await asyncio.sleep(pause)
        if events:
            await OutboxRepository(claim).mark_delivered([e.id for e in events], datetime.now(UTC))
    return len(events)


async def delete_old_events(
    session: AsyncSession, retention: timedelta = EVENT_RETENTION, now: datetime | None = None
) -> int:
    """Delete delivered events and inbox entries older than `retention`; returns the events."""
    cutoff = (now or datetime.now(UTC)) - retention
    async with transaction(session):
        deleted = await OutboxRepository(session).delete_delivered_before(cutoff)
        await InboxRepository(session).delete_before(cutoff)
    return deleted


async def order_events_after(
    sessions: async_sessionmaker[AsyncSession], order_id: uuid.UUID, after_id: int
) -> Sequence[OutboxEvent]:
    """One order's events after `after_id`, read in a short session of their own."""
    async with sessions() as session:
        return await OutboxRepository(session).of_order_after(order_id, after_id)


def describe(event: OutboxEvent) -> dict[str, Any]:
    """What a subscriber sees of an event."""
    return {
        "order_id": str(event.order_id),
        "status": event.status,
        "previous_status": event.previous_status,
        "occurred_at": event.occurred_at.isoformat(),
    }
