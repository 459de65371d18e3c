# Written by notebooks/04_repositories.ipynb: edit the notebook, not this file.
"""Queries on products, including the atomic stock reservation."""

import re
import secrets
import uuid
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import or_, select, update

from course_app.enums import ProductCategory
from course_app.models import Product
from course_app.repositories.base import Repository, execute_write

# Every slug slugify() makes, with or without its random suffix, is made of these characters.
SLUG_CHARACTERS = re.compile(r"[a-z0-9-]+")


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:200] or "product"


class ProductRepository(Repository[Product]):
    model = Product

    async def get_active(self, product_id: uuid.UUID) -> Product | None:
        return await self.session.scalar(
            select(Product).where(Product.id == product_id, Product.is_active.is_(True))
        )

    async def get_active_by_slug(self, slug: str) -> Product | None:
        if not SLUG_CHARACTERS.fullmatch(slug):
            # No product has such a slug, and some text (a NUL character) would make
            # PostgreSQL fail the query: the answer is "not found" without asking.
            return None
        return await self.session.scalar(
            select(Product).where(Product.slug == slug, Product.is_active.is_(True))
        )

    async def active_prices(self, product_ids: list[uuid.UUID]) -> dict[uuid.UUID, Decimal]:
        """The current price of each product that exists and is for sale."""
        rows = await self.session.execute(
            select(Product.id, Product.price).where(
                Product.id.in_(product_ids), Product.is_active.is_(True)
            )
        )
        return {product_id: price for product_id, price in rows}

    async def search(
        self,
        *,
        q: str | None = None,
        category: ProductCategory | None = None,
        min_price: Decimal | None = None,
        max_price: Decimal | None = None,
        page: int = 1,
        per_page: int = 20,
    ) -> tuple[Sequence[Product], int]:
        statement = select(Product).where(Product.is_active.is_(True))
        if q:
            # autoescape: `%`, `_` and the escape character itself match literally.
            statement = statement.where(
                or_(
                    Product.name.icontains(q, autoescape=True),
                    Product.description.icontains(q, autoescape=True),
                )
            )
        if category is not None:
            statement = statement.where(Product.category == category)
        if min_price is not None:
            statement = statement.where(Product.price >= min_price)
        if max_price is not None:
            statement = statement.where(Product.price <= max_price)
        statement = statement.order_by(Product.created_at.desc(), Product.id)
        return await self.paginate(statement, page, per_page)

    async def unique_slug(self, name: str) -> str:
        base = slugify(name)
        candidate = base
        while await self.session.scalar(select(Product.id).where(Product.slug == candidate)):
            candidate = f"{base}-{secrets.token_hex(3)}"
        return candidate

    async def reserve(self, product_id: uuid.UUID, quantity: int) -> bool:
        """Reserve `quantity` units if that many are available, in one conditional UPDATE.

        The check and the write happen in the same statement, so two concurrent
        requests can never both take the last unit.
        """
        updated = await execute_write(
            self.session,
            update(Product)
            .where(
                Product.id == product_id,
                Product.is_active.is_(True),
                Product.stock_quantity - Product.reserved_quantity >= quantity,
            )
            .values(reserved_quantity=Product.reserved_quantity + quantity)
            .execution_options(synchronize_session=False),
        )
        return updated == 1

    async def release(self, product_id: uuid.UUID, quantity: int) -> bool:
        updated = await execute_write(
            self.session,
            update(Product)
            .where(Product.id == product_id, Product.reserved_quantity >= quantity)
            .values(reserved_quantity=Product.reserved_quantity - quantity)
            .execution_options(synchronize_session=False),
        )
        return updated == 1

    async def ship(self, product_id: uuid.UUID, quantity: int) -> bool:
        """Turn a reservation into a stock decrease: the units leave the warehouse."""
        updated = await execute_write(
            self.session,
            update(Product)
            .where(Product.id == product_id, Product.reserved_quantity >= quantity)
            .values(
                stock_quantity=Product.stock_quantity - quantity,
                reserved_quantity=Product.reserved_quantity - quantity,
            )
            .execution_options(synchronize_session=False),
        )
        return updated == 1
