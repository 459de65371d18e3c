# Written by notebooks/11_idempotency.ipynb: edit the notebook, not this file.
"""The table of idempotency keys: which order a user's key created, and for which request."""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from course_app.models import Base, UTCDateTime, utc_now

MAX_KEY_LENGTH = 255


class IdempotencyKey(Base):
    """One row per order placed with an `Idempotency-Key`, written in the order's transaction."""

    __tablename__ = "idempotency_keys"

    # The primary key is (user_id, key): unique per user, so two users may pick the same key.
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), primary_key=True)
    # SHA-256 of the canonical request body, in hex: a repeat must be the same request.
    request_hash: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    status_code: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    # Old keys are deleted by age (see course_app.services.idempotency): an index makes it cheap.
    __table_args__ = (Index("idx_idempotency_keys_created", "created_at"),)
