"""This stage tests the whole service, as `course_app.main.create_app` builds it, its worker and
its event stream, on SQLite and (for claiming and crashing) on a real PostgreSQL on every run
(on a PostgreSQL run, the run's own server; otherwise one of their own, started on 127.0.0.1
and always stopped).
"""

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def build_app() -> Callable[[Any], Any]:
    from course_app.main import create_app

    return create_app
