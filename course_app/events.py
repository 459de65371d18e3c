# Written by notebooks/13_events.ipynb: edit the notebook, not this file.
"""The tables of events: the outbox (each change of an order's status), the consumers' inbox of
processed events, and the sales counter that one consumer keeps."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from course_app.models import Base, UTCDateTime, utc_now


class OutboxEvent(Base):
    """An order's status changed. Written in the transaction of the change; delivered later."""

    __tablename__ = "outbox_events"

    # A number, not a UUID: it orders an order's events, and the SSE stream resumes after it.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20))
    previous_status: Mapped[str | None] = mapped_column(String(20))  # None: just placed
    # What consumers need, copied: they never read the orders table, as another service could not.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: not yet

    __table_args__ = (
        Index("idx_outbox_events_order", "order_id", "id"),  # one order's events, in order
        Index("idx_outbox_events_delivered", "delivered_at"),  # what is left to deliver
    )


class ProcessedEvent(Base):
    """A consumer's inbox: the events it has applied, written in the same transaction as the
    effect. The primary key lets one row per (consumer, event) in."""

    __tablename__ = "processed_events"

    consumer: Mapped[str] = mapped_column(String(50), primary_key=True)
    event_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    __table_args__ = (Index("idx_processed_events_processed", "processed_at"),)


class ProductSales(Base):
    """Units ordered per product, minus those cancelled: kept by the `product_sales` consumer."""

    __tablename__ = "product_sales"

    product_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    units: Mapped[int] = mapped_column(Integer, default=0)
