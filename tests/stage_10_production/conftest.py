"""Stage 10 tests the whole service in production form: migrations, prestart, readiness, workers,
logs, metrics and traces.

Schema tests run on SQLite and on a real PostgreSQL on every run (on a PostgreSQL run, the run's
own server; otherwise one of their own, started on 127.0.0.1 and always stopped). Each test gets
a database of its own.
"""

import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

# A password that passes production's rules, and a secret long enough for production.
ADMIN_EMAIL = "boss@example.com"
ADMIN_PASSWORD = "Str0ng!Passw0rd"
PRODUCTION_SECRET = "a-production-secret-that-is-long-enough-0123456789"


@pytest.fixture
def build_app() -> Callable[[Any], Any]:
    from course_app.main import create_app

    return create_app


@pytest.fixture
async def served_database_url(database_url: str) -> str:
    """A database that prestart has prepared, for servers with several workers."""
    from course_app.prestart import prestart
    from course_app.settings import Settings

    await prestart(Settings(_env_file=None, environment="test", database_url=database_url))
    return database_url


class LogLines:
    """Every log line this process writes while the fixture lives, as the JSON handler writes it."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines()]

    def of_request(self, request_id: str) -> list[dict[str, Any]]:
        return [record for record in self.records() if record.get("request_id") == request_id]


@pytest.fixture
def log_lines() -> Iterator[LogLines]:
    """The service's JSON handler on the root logger, writing to a buffer."""
    from course_app.core.logs import json_handler

    lines = LogLines()
    root = logging.getLogger()
    handler = json_handler(lines.stream)
    # The test's own HTTP client logs each URL it calls; that is not the service's log.
    handler.addFilter(lambda record: not record.name.startswith("httpx"))
    root.addHandler(handler)
    try:
        yield lines
    finally:
        root.removeHandler(handler)
