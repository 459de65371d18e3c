"""Test helpers shared by stages. course_app is imported inside functions, never at the top."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from asgi_lifespan import LifespanManager

PASSWORD = "Str0ng!Passw0rd"


@asynccontextmanager
async def open_client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    # ASGITransport alone does not run the lifespan: LifespanManager does.
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
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

    async with app.state.session_factory() as session:
        user = User(
            email=email,
            hashed_password=password_hash,
            full_name=full_name,
            role=UserRole(role),
            status=UserStatus(status),
        )
        session.add(user)
        await session.commit()
    secret = app.state.settings.secret_key.get_secret_value()
    token = create_access_token(user.id, secret, timedelta(minutes=5))
    return user, {"Authorization": f"Bearer {token}"}
