"""This stage tests the whole service, as `course_app.main.create_app` builds it."""

import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest


@pytest.fixture
async def served_database_url(tmp_path: Any) -> str:
    """A SQLite file with its tables already made, for servers with several workers: two workers
    creating the tables of a fresh database at the same moment can fail (notebook 10's prestart
    step is the real answer)."""
    from course_app.db import create_engine, create_tables

    url = f"sqlite+aiosqlite:///{tmp_path / 'served.db'}"
    engine = create_engine(url)
    await create_tables(engine)
    await engine.dispose()
    return url


@pytest.fixture
def build_app() -> Callable[[Any], Any]:
    from course_app.main import create_app

    return create_app


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
