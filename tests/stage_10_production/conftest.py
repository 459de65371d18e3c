"""Stage 10 tests the whole service in production form: migrations, prestart, readiness, workers.

Schema tests run on SQLite and on a real PostgreSQL (one server per test process, started on
127.0.0.1 and always stopped; or the server a PostgreSQL DATABASE_URL names). Each test gets a
database of its own.
"""

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from course_tools.postgres_server import running_postgres

# A password that passes production's rules, and a secret long enough for production.
ADMIN_EMAIL = "boss@example.com"
ADMIN_PASSWORD = "Str0ng!Passw0rd"
PRODUCTION_SECRET = "a-production-secret-that-is-long-enough-0123456789"


@pytest.fixture
def build_app() -> Callable[[Any], Any]:
    from course_app.main import create_app

    return create_app


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    with running_postgres() as url:
        yield url


@pytest.fixture
async def postgres_url(postgres_server: str) -> AsyncIterator[str]:
    """A new, empty PostgreSQL database on the shared server, dropped after the test."""
    name = f"stage10_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(postgres_server, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield make_url(postgres_server).set(database=name).render_as_string(hide_password=False)
        async with admin.connect() as connection:
            await connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest) -> str:
    """An empty database, once on each backend."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(fixture)
    return url
