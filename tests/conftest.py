"""Shared fixtures. course_app is imported inside fixtures so each stage loads only what it uses."""

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from tests.helpers import PASSWORD, add_user, open_client


@pytest.fixture
def database_url(tmp_path: Any) -> str:
    # A file, not :memory:, so concurrent sessions really use separate connections.
    return f"sqlite+aiosqlite:///{tmp_path}/test.db"


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[Any]:
    from course_app.db import create_engine, create_tables

    engine = create_engine(database_url)
    await create_tables(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def session_factory(engine: Any) -> Any:
    from course_app.db import create_session_factory

    return create_session_factory(engine)


@pytest.fixture
async def session(session_factory: Any) -> AsyncIterator[Any]:
    async with session_factory() as session:
        yield session


@pytest.fixture(scope="session")
def known_password_hash() -> str:
    """One argon2 hash of PASSWORD for the whole run: users inserted directly reuse it."""
    from course_app.core.security import password_hash

    return password_hash.hash(PASSWORD)


@pytest.fixture
def make_settings(database_url: str) -> Callable[..., Any]:
    from course_app.settings import Settings

    def make(**overrides: Any) -> Any:
        values: dict[str, Any] = {"environment": "test", "database_url": database_url}
        values.update(overrides)
        return Settings(**values)

    return make


# Each stage that serves HTTP says which app it tests, in its own conftest.py, as the fixture
# `build_app(settings) -> FastAPI`: stage 05 a small auth app, stages 06 on the whole service.
@pytest.fixture
def make_app(
    make_settings: Callable[..., Any], build_app: Callable[[Any], Any]
) -> Callable[..., Any]:
    def make(**overrides: Any) -> Any:
        return build_app(make_settings(**overrides))

    return make


@pytest.fixture
def app(make_app: Callable[..., Any]) -> Any:
    return make_app()


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with open_client(app) as client:
        yield client


@pytest.fixture
async def user_headers(
    app: Any, client: httpx.AsyncClient, known_password_hash: str
) -> dict[str, str]:
    _, headers = await add_user(app, known_password_hash, email="user@example.com")
    return headers


@pytest.fixture
async def admin_headers(
    app: Any, client: httpx.AsyncClient, known_password_hash: str
) -> dict[str, str]:
    _, headers = await add_user(
        app, known_password_hash, email="admin@example.com", role="admin", full_name="Admin"
    )
    return headers
