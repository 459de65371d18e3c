"""This stage tests the whole service, as `course_app.main.create_app` builds it, through its
GraphQL endpoint beside REST."""

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def build_app() -> Callable[[Any], Any]:
    from course_app.main import create_app

    return create_app
