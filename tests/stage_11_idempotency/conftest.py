"""This stage tests the whole service, as `course_app.main.create_app` builds it, and its
concurrency on both databases: SQLite and a real PostgreSQL on every run (on a PostgreSQL run,
the run's own server; otherwise one of their own, started on 127.0.0.1 and always stopped).
"""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from course_tools.databases import PostgresDatabases, postgres_databases


@pytest.fixture
def build_app() -> Callable[[Any], Any]:
    from course_app.main import create_app

    return create_app


@pytest.fixture(scope="session")
def postgres_always(postgres: PostgresDatabases | None) -> Iterator[PostgresDatabases]:
    if postgres is not None:
        yield postgres
        return
    with postgres_databases() as databases:
        yield databases


@pytest.fixture(params=["sqlite", "postgresql"])
def both_databases_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database, once on each backend."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'both.db'}"
        return
    databases: PostgresDatabases = request.getfixturevalue("postgres_always")
    url = databases.create()
    yield url
    databases.drop(url)
