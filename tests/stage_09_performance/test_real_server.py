"""Stage 09: the service under a real uvicorn process on 127.0.0.1, always stopped."""

import httpx
import psutil
import pytest

from course_tools.paths import find_root
from course_tools.uvicorn_server import uvicorn_server
from tests.helpers import assert_stopped

pytestmark = pytest.mark.heavy  # server processes or fuzzing: `make test-slow` runs it


def test_uvicorn_serves_etags_and_stops(database_url):
    """A uvicorn subprocess serves the shop (ETag and 304 over real HTTP) and is gone afterwards."""
    environment = {
        "ENVIRONMENT": "test",
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(find_root()),
    }
    with uvicorn_server("course_app.main:app", env=environment) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        port = int(base_url.rsplit(":", 1)[1])
        listening = [c for c in psutil.net_connections("tcp") if c.laddr and c.laddr.port == port]
        assert listening and all(c.laddr.ip == "127.0.0.1" for c in listening)
        with httpx.Client(base_url=base_url, trust_env=False) as client:
            first = client.get("/products")
            assert first.status_code == 200
            again = client.get("/products", headers={"If-None-Match": first.headers["etag"]})
            assert (again.status_code, again.content) == (304, b"")
    assert_stopped(base_url)
