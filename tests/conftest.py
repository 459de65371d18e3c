"""Shared fixtures. course_app is imported inside fixtures so each stage loads only what it uses.

Tests run on SQLite files; with COURSE_TEST_DATABASE=postgresql (`make test-postgres`), the same
tests run on PostgreSQL, each in a fresh database of its own.
"""

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from course_tools.databases import PostgresDatabases, on_postgres, postgres_databases
from tests.helpers import PASSWORD, add_user, open_client


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresDatabases | None]:
    """On PostgreSQL runs, one server per test process (each xdist worker has its own)."""
    if not on_postgres():
        yield None
        return
    with postgres_databases() as databases:
        yield databases


@pytest.fixture(scope="session")
def postgres_always(postgres: PostgresDatabases | None) -> Iterator[PostgresDatabases]:
    """A PostgreSQL server on every run, not only PostgreSQL runs: the run's own, or one started
    for this process (on 127.0.0.1, always stopped), for tests that compare both databases."""
    if postgres is not None:
        yield postgres
        return
    with postgres_databases() as databases:
        yield databases


@pytest.fixture
def postgres_url(postgres_always: PostgresDatabases) -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped after the test."""
    url = postgres_always.create()
    yield url
    postgres_always.drop(url)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest) -> str:
    """An empty database, once on each backend."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(fixture)
    return url


@pytest.fixture
def new_database_url(
    tmp_path: Path, postgres: PostgresDatabases | None
) -> Iterator[Callable[[str], str]]:
    """Every test database comes from here: `new_database_url("name")` is a fresh, empty one.

    A SQLite file under the test's tmp_path (a file, not :memory:, so concurrent sessions really
    use separate connections), or a PostgreSQL database that is dropped when the test ends.
    """
    created: list[str] = []

    def new(name: str) -> str:
        if postgres is None:
            return f"sqlite+aiosqlite:///{tmp_path / name}.db"
        created.append(postgres.create())
        return created[-1]

    yield new
    if postgres is not None:
        for url in created:
            postgres.drop(url)


@pytest.fixture
def database_url(new_database_url: Callable[[str], str]) -> str:
    return new_database_url("test")


@pytest.fixture
def unreachable_database_url(postgres: PostgresDatabases | None) -> str:
    """A database that cannot be opened: a file in a folder that does not exist, or a
    PostgreSQL port on 127.0.0.1 where no server listens."""
    if postgres is None:
        return "sqlite+aiosqlite:////nonexistent-dir/db.sqlite"
    from course_tools.ports import LOOPBACK, free_port

    return f"postgresql+asyncpg://postgres@{LOOPBACK}:{free_port()}/postgres"


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
