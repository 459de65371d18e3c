"""Helpers of stage 13: a shop with an order, and what the outbox and the counter hold."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from tests.helpers import add_user, create_product, open_client, place, set_status


@dataclass
class Shop:
    app: Any
    client: httpx.AsyncClient
    admin: dict[str, str]
    user: dict[str, str]
    product_id: str
    user_id: Any
    admin_id: Any

    async def order(self, quantity: int = 1) -> str:
        response = await place(self.client, self.user, (self.product_id, quantity))
        assert response.status_code == 201, response.text
        order_id: str = response.json()["id"]
        return order_id

    async def move(self, order_id: str, *statuses: str) -> None:
        for status in statuses:
            assert await set_status(self.client, self.admin, order_id, status) == 200

    async def events(self) -> list[Any]:
        from sqlalchemy import select

        from course_app.events import OutboxEvent

        async with self.app.state.resources.session_factory() as session:
            return list(await session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))

    async def units_sold(self) -> int:
        from course_app.repositories.events import SalesRepository

        async with self.app.state.resources.session_factory() as session:
            return await SalesRepository(session).units_of(_uuid(self.product_id))

    async def inbox_size(self) -> int:
        from sqlalchemy import func, select

        from course_app.events import ProcessedEvent

        async with self.app.state.resources.session_factory() as session:
            count = await session.scalar(select(func.count()).select_from(ProcessedEvent))
            return int(count or 0)


def _uuid(value: str) -> Any:
    import uuid

    return uuid.UUID(value)


@asynccontextmanager
async def open_shop(database_url: str, password_hash: str, stock: int = 100) -> AsyncIterator[Shop]:
    from course_app.main import create_app
    from course_app.settings import Settings

    app = create_app(Settings(_env_file=None, environment="test", database_url=database_url))
    async with open_client(app) as client:
        admin_row, admin = await add_user(app, password_hash, email="a@example.com", role="admin")
        user_row, user = await add_user(app, password_hash, email="u@example.com")
        product = await create_product(client, admin, stock=stock)
        yield Shop(app, client, admin, user, product["id"], user_row.id, admin_row.id)
