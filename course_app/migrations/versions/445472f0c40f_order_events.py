# Written by notebooks/13_events.ipynb: edit the notebook, not this file.
"""Order events: the outbox, the consumers' inbox and the sales counter.

Revision ID: 445472f0c40f
Revises: 8f2c6a1d9b47
Create Date: 2026-11-27

Generated with `revision --autogenerate` and read; only tidied (formatted, the indexes made
without batch mode, which tables just created do not need).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from course_app.models import UTCDateTime

revision: str = "445472f0c40f"
down_revision: str | Sequence[str] | None = "8f2c6a1d9b47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("previous_status", sa.String(length=20), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("idx_outbox_events_delivered", "outbox_events", ["delivered_at"])
    op.create_index("idx_outbox_events_order", "outbox_events", ["order_id", "id"])
    op.create_table(
        "processed_events",
        sa.Column("consumer", sa.String(length=50), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("processed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id"),
    )
    op.create_index("idx_processed_events_processed", "processed_events", ["processed_at"])
    op.create_table(
        "product_sales",
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("product_id"),
    )


def downgrade() -> None:
    op.drop_table("product_sales")
    op.drop_table("processed_events")  # the indexes go with their tables
    op.drop_table("outbox_events")
