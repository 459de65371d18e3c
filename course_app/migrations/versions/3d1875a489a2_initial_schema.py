# Written by notebooks/10_production.ipynb: edit the notebook, not this file.
"""Initial schema: users, products, orders and their items.

Revision ID: 3d1875a489a2
Revises:
Create Date: 2026-11-27

Generated with `revision --autogenerate`, then read and fixed by hand:
- autogenerate wrote `course_app.models.UTCDateTime(timezone=True)` without importing it (env.py
  now renders the type with its import);
- on SQLite it skipped the unique index on lower(email) with only a warning: added below.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from course_app.models import UTCDateTime

revision: str = "3d1875a489a2"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(*values: str, name: str) -> sa.Enum:
    # A VARCHAR(20) with a CHECK on the values, as the models declare their enums.
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=20)


def _money(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.Numeric(precision=10, scale=2), nullable=False)


def _timestamps() -> list[sa.Column[Any]]:
    return [
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("hashed_password", sa.String(length=255), nullable=False),
        sa.Column("full_name", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("role", _enum("admin", "user", "moderator", name="userrole"), nullable=False),
        sa.Column(
            "status", _enum("active", "inactive", "suspended", name="userstatus"), nullable=False
        ),
        sa.Column("is_verified", sa.Boolean(), nullable=False),
        sa.Column("last_login", UTCDateTime(), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("idx_users_email_status", "users", ["email", "status"])
    op.create_index("idx_users_role_created", "users", ["role", "created_at"])
    # Added by hand: one account per address whatever its case.
    op.create_index("uq_users_email_lower", "users", [sa.text("lower(email)")], unique=True)

    op.create_table(
        "products",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=250), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "category",
            _enum("electronics", "clothing", "books", "home", "sports", name="productcategory"),
            nullable=False,
        ),
        _money("price"),
        sa.Column("stock_quantity", sa.Integer(), nullable=False),
        sa.Column("reserved_quantity", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        *_timestamps(),
        sa.CheckConstraint("price > 0", name="ck_products_price_positive"),
        sa.CheckConstraint(
            "reserved_quantity <= stock_quantity", name="ck_products_reserved_within_stock"
        ),
        sa.CheckConstraint("reserved_quantity >= 0", name="ck_products_reserved_non_negative"),
        sa.CheckConstraint("stock_quantity >= 0", name="ck_products_stock_non_negative"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    op.create_index("idx_products_active_created", "products", ["is_active", "created_at"])
    op.create_index("idx_products_category_active", "products", ["category", "is_active"])
    op.create_index("idx_products_price_range", "products", ["price", "is_active"])

    op.create_table(
        "orders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_number", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            _enum(
                "pending",
                "confirmed",
                "processing",
                "shipped",
                "delivered",
                "cancelled",
                name="orderstatus",
            ),
            nullable=False,
        ),
        _money("subtotal"),
        _money("tax_amount"),
        _money("shipping_amount"),
        _money("total_amount"),
        sa.Column("customer_notes", sa.String(length=500), nullable=True),
        *_timestamps(),
        sa.CheckConstraint("subtotal >= 0", name="ck_orders_subtotal_non_negative"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_number"),
    )
    op.create_index("idx_orders_status_created", "orders", ["status", "created_at"])
    op.create_index("idx_orders_user_created", "orders", ["user_id", "created_at"])

    op.create_table(
        "order_items",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        _money("unit_price"),
        _money("total_price"),
        *_timestamps(),
        sa.CheckConstraint("quantity >= 1", name="ck_order_items_quantity_positive"),
        sa.CheckConstraint("unit_price > 0", name="ck_order_items_unit_price_positive"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("idx_order_items_product", "order_items", ["product_id"])
    op.create_index(
        "uq_order_items_order_product", "order_items", ["order_id", "product_id"], unique=True
    )


def downgrade() -> None:
    # Dropping a table drops its indexes. Children first: their foreign keys point at parents.
    op.drop_table("order_items")
    op.drop_table("orders")
    op.drop_table("products")
    op.drop_table("users")
