"""Test helpers shared by stages. course_app is imported inside functions, never at the top."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from course_tools.databases import on_postgres

PASSWORD = "Str0ng!Passw0rd"


def sqlite_only(why: str) -> pytest.MarkDecorator:
    """Skip on PostgreSQL runs (COURSE_TEST_DATABASE=postgresql): a test of SQLite itself."""
    return pytest.mark.skipif(on_postgres(), reason=f"SQLite only: {why}")


def postgres_only(why: str) -> pytest.MarkDecorator:
    """Skip on SQLite runs: a fault only a PostgreSQL server can have."""
    return pytest.mark.skipif(not on_postgres(), reason=f"PostgreSQL only: {why}")


@asynccontextmanager
async def open_client(
    app: Any, raise_app_exceptions: bool = True
) -> AsyncIterator[httpx.AsyncClient]:
    """An in-process client of `app`, its lifespan running. With raise_app_exceptions=False an
    unhandled error comes back as the 500 a real client gets, not as the exception itself."""
    # ASGITransport alone does not run the lifespan: LifespanManager does.
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=raise_app_exceptions)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def add_user(
    app: Any,
    password_hash: str,
    *,
    email: str,
    role: str = "user",
    status: str = "active",
    full_name: str = "Test User",
) -> tuple[Any, dict[str, str]]:
    """Insert a user straight into the database and return it with bearer headers."""
    from datetime import timedelta

    from course_app.core.security import create_access_token
    from course_app.enums import UserRole, UserStatus
    from course_app.models import User

    async with app.state.resources.session_factory() as session:
        user = User(
            email=email,
            hashed_password=password_hash,
            full_name=full_name,
            role=UserRole(role),
            status=UserStatus(status),
        )
        session.add(user)
        await session.commit()
    secret = app.state.resources.settings.secret_key.get_secret_value()
    token = create_access_token(user.id, secret, timedelta(minutes=5))
    return user, {"Authorization": f"Bearer {token}"}


async def create_product(
    client: httpx.AsyncClient, headers: dict, price: str = "19.99", stock: int = 10, **extra: Any
) -> dict:
    body = {"name": "Lamp", "category": "home", "price": price, "stock_quantity": stock, **extra}
    response = await client.post("/products", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def place(
    client: httpx.AsyncClient, headers: dict, *items: tuple[str, int], **extra: Any
) -> httpx.Response:
    body = {"items": [{"product_id": pid, "quantity": qty} for pid, qty in items], **extra}
    return await client.post("/orders", json=body, headers=headers)


async def set_status(client: httpx.AsyncClient, headers: dict, order_id: str, status: str) -> int:
    response = await client.patch(
        f"/orders/{order_id}/status", json={"status": status}, headers=headers
    )
    return response.status_code


def assert_stopped(base_url: str) -> None:
    """Nothing answers at `base_url` any more: the server was stopped, not left running."""
    with httpx.Client(trust_env=False, timeout=1) as client:
        try:
            client.get(base_url + "/health")
        except httpx.TransportError:
            return
    raise AssertionError("the server still answers after the block")
