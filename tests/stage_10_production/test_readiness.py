"""Stage 10: /health/ready names what is not ready; a production app creates no tables."""

import hashlib
import socket
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from sqlalchemy import inspect

from course_tools.ports import free_port
from course_tools.redis_server import running_redis
from tests.helpers import open_client, sqlite_only
from tests.stage_10_production.conftest import PRODUCTION_SECRET

READY = {"status": "ok", "database": "ok", "redis": "not configured", "migrations": "ok"}


async def ready(app: Any) -> httpx.Response:
    async with open_client(app) as client:
        # A guard, not a measurement: a readiness check that hangs fails here instead.
        with anyio.fail_after(30):
            return await client.get("/health/ready")


async def migrate(database_url: str) -> None:
    from course_app.core.migrations import upgrade_to_head
    from course_app.db import create_engine

    engine = create_engine(database_url)
    try:
        await upgrade_to_head(engine)
    finally:
        await engine.dispose()


async def table_names(database_url: str) -> list[str]:
    from course_app.db import create_engine

    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    finally:
        await engine.dispose()


@pytest.fixture
def make_production_app(make_app: Callable[..., Any]) -> Callable[..., Any]:
    def make(**overrides: Any) -> Any:
        return make_app(environment="production", secret_key=PRODUCTION_SECRET, **overrides)

    return make


@pytest.mark.hole("10.readiness")
async def test_ready_on_a_fresh_development_database(make_app: Callable[..., Any]) -> None:
    """A fresh development database with no Redis configured is ready: 200. Redis "not configured"
    is not a failure; only a configured Redis that does not answer is.

    Outside production the lifespan creates the tables and records them as the latest migration.
    """
    response = await ready(make_app())
    assert (response.status_code, response.json()) == (200, READY)


@pytest.mark.hole("10.readiness")
async def test_production_app_on_an_empty_database_starts_creates_nothing_and_is_not_ready(
    make_production_app: Callable[..., Any], database_url: str
) -> None:
    """A database whose schema is not at the latest migration is not ready: the answer must be
    503 (not 200 with "error" in the body), naming the migrations "not at head".

    In production the lifespan creates no tables and no admin (prestart does): the app starts.
    """
    app = make_production_app(
        first_admin_email="boss@example.com", first_admin_password="Str0ng!Passw0rd"
    )
    async with open_client(app) as client:
        response = await client.get("/health/ready")
        assert response.status_code == 503
        assert response.json()["migrations"] == "not at head"
        assert (await client.get("/health")).status_code == 503  # liveness: no tables either
    assert await table_names(database_url) == []


@pytest.mark.hole("10.readiness")
async def test_production_app_is_ready_once_migrated(
    make_production_app: Callable[..., Any], database_url: str
) -> None:
    """Once the database is at the latest migration, the production app is ready: 200, every
    part named "ok" and Redis "not configured"."""
    await migrate(database_url)
    response = await ready(make_production_app())
    assert (response.status_code, response.json()) == (200, READY)


async def test_ready_on_postgresql(
    make_production_app: Callable[..., Any], postgres_url: str
) -> None:
    """The same answers through asyncpg: 503 before the migrations, 200 after."""
    response = await ready(make_production_app(database_url=postgres_url))
    assert response.status_code == 503
    assert response.json() == {**READY, "status": "error", "migrations": "not at head"}
    await migrate(postgres_url)
    response = await ready(make_production_app(database_url=postgres_url))
    assert (response.status_code, response.json()) == (200, READY)


async def test_development_lifespan_prepares_a_postgresql_database(
    make_app: Callable[..., Any], postgres_url: str
) -> None:
    """Outside production, on PostgreSQL too: tables created, marked at head, ready."""
    response = await ready(make_app(database_url=postgres_url))
    assert (response.status_code, response.json()) == (200, READY)


@pytest.mark.hole("10.readiness")
async def test_a_database_built_without_migrations_is_not_ready(
    make_app: Callable[..., Any], engine: Any
) -> None:
    """Tables made by create_all alone (the `engine` fixture), with no migration recorded: the
    lifespan leaves them, and readiness says the migrations are not at head."""
    response = await ready(make_app())
    assert response.status_code == 503
    assert response.json() == {**READY, "status": "error", "migrations": "not at head"}


@pytest.mark.hole("10.readiness")
async def test_a_read_only_database_is_not_ready_though_it_is_alive(
    make_production_app: Callable[..., Any], tmp_path: Path
) -> None:
    """A migrated database opened read-only: every read works (/health is 200), but readiness
    tries a write and answers 503 naming the database. The probe leaves the file unchanged."""
    path = tmp_path / "shop.db"
    await migrate(f"sqlite+aiosqlite:///{path}")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    app = make_production_app(database_url=f"sqlite+aiosqlite:///file:{path}?mode=ro&uri=true")
    async with open_client(app) as client:
        assert (await client.get("/health")).status_code == 200
        response = await client.get("/health/ready")
    assert response.status_code == 503
    assert response.json() == {**READY, "status": "error", "database": "unavailable"}

    writable = make_production_app(database_url=f"sqlite+aiosqlite:///{path}")
    assert (await ready(writable)).status_code == 200
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


async def test_an_unreachable_database_is_not_ready(make_app: Callable[..., Any]) -> None:
    """The database cannot be opened at all: "unavailable", and the migrations "unknown"."""
    from course_app.db import Database, create_engine, create_session_factory

    app = make_app()
    async with open_client(app) as client:
        broken = create_engine("sqlite+aiosqlite:////nonexistent-dir/db.sqlite")
        app.state.resources.database = Database(broken, create_session_factory(broken))
        response = await client.get("/health/ready")
        await broken.dispose()
    assert response.status_code == 503
    assert response.json() == {
        **READY,
        "status": "error",
        "database": "unavailable",
        "migrations": "unknown",
    }


@sqlite_only("locks the database file (PostgreSQL: a locked table, in stage 06's hardening tests)")
async def test_a_locked_database_is_not_ready_and_readiness_does_not_hang(
    make_app: Callable[..., Any], tmp_path: Path
) -> None:
    """Another process holds an exclusive lock: readiness answers 503 once SQLite's busy timeout
    runs out, and 200 again when the lock is gone."""
    async with open_client(make_app()) as client:
        assert (await client.get("/health/ready")).status_code == 200
        blocker = sqlite3.connect(tmp_path / "test.db", isolation_level=None)
        try:
            blocker.execute("BEGIN EXCLUSIVE")
            with anyio.fail_after(30):  # a guard against a hang, not a measurement
                response = await client.get("/health/ready")
            assert response.status_code == 503
            assert response.json()["database"] == "unavailable"
        finally:
            blocker.rollback()
            blocker.close()
        assert (await client.get("/health/ready")).status_code == 200


async def test_redis_configured_and_running_is_ready(make_app: Callable[..., Any]) -> None:
    with running_redis() as redis_url:
        response = await ready(make_app(redis_url=redis_url))
    assert (response.status_code, response.json()) == (200, {**READY, "redis": "ok"})


@pytest.mark.hole("10.readiness")
async def test_redis_configured_but_down_is_not_ready(make_app: Callable[..., Any]) -> None:
    """A configured Redis that does not answer makes the instance not ready: 503 naming Redis,
    the rest ok. Nothing listens where redis_url points."""
    response = await ready(make_app(redis_url=f"redis://127.0.0.1:{free_port()}/0"))
    assert response.status_code == 503
    assert response.json() == {**READY, "status": "error", "redis": "unavailable"}


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never answers: a hung server."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)  # connections wait in the backlog; nobody ever reads them
        yield listener.getsockname()[1]


async def test_a_redis_that_hangs_does_not_hang_readiness(
    make_app: Callable[..., Any], silent_server: int
) -> None:
    """Redis accepts the connection but never answers PING: readiness still answers, 503."""
    response = await ready(make_app(redis_url=f"redis://127.0.0.1:{silent_server}/0"))
    assert response.status_code == 503
    assert response.json()["redis"] == "unavailable"


def test_readiness_is_documented_with_both_answers(make_app: Callable[..., Any]) -> None:
    operation = make_app().openapi()["paths"]["/health/ready"]["get"]
    for code in ("200", "503"):
        schema = operation["responses"][code]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Readiness"}
