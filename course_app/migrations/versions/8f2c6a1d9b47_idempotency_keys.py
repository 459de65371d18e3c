# Written by notebooks/11_idempotency.ipynb: edit the notebook, not this file.
"""Idempotency keys: the orders that each user's key created.

Revision ID: 8f2c6a1d9b47
Revises: 3d1875a489a2
Create Date: 2026-11-27

Generated with `revision --autogenerate` and read: the draft was right this time. Only tidied:
formatted, and the index made without batch mode, which a table just created does not need.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from course_app.models import UTCDateTime

revision: str = "8f2c6a1d9b47"
down_revision: str | Sequence[str] | None = "3d1875a489a2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "key"),
    )
    op.create_index("idx_idempotency_keys_created", "idempotency_keys", ["created_at"])


def downgrade() -> None:
    op.drop_table("idempotency_keys")  # its index goes with it
