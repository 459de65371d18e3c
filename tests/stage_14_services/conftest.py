"""This stage tests the mail service's client on its own, with respx standing in for the network
and a fake clock and sleep standing in for time, and the whole service as
`course_app.main.create_app` builds it.
"""

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def build_app() -> Callable[[Any], Any]:
    from course_app.main import create_app

    return create_app
