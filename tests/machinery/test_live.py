"""The service's API docs inside JupyterLab: a real Jupyter server, its proxy, a real uvicorn."""

from pathlib import Path

import httpx
import pytest

from course_tools.live import DEMO_ADMIN, serve_in_lab
from course_tools.maintainer.browser import jupyter_lab
from tests.helpers import assert_stopped

pytestmark = pytest.mark.heavy  # tens of seconds: `make test-slow` runs it

REPO = Path(__file__).resolve().parents[2]


def test_swagger_ui_works_through_jupyterlabs_proxy(tmp_path: Path) -> None:
    """/proxy/PORT/docs shows Swagger UI, whose openapi.json and token URL resolve through the
    proxy too; the server is stopped by stop()."""
    with jupyter_lab(REPO, tmp_path, tmp_path / "lab.log") as lab:
        live = serve_in_lab(reference=True)
        try:
            headers = {"Authorization": f"token {lab.token}"}
            with httpx.Client(base_url=lab.url, headers=headers, trust_env=False) as browser:
                page = browser.get(f"{live.proxied}/docs")
                assert page.status_code == 200 and "swagger-ui" in page.text
                assert f"'{live.proxied}/openapi.json'" in page.text
                spec = browser.get(f"{live.proxied}/openapi.json")
                assert spec.status_code == 200
                flows = spec.json()["components"]["securitySchemes"]["OAuth2PasswordBearer"]
                token_url = flows["flows"]["password"]["tokenUrl"]
                assert not token_url.startswith("/"), "relative, so it resolves under the prefix"
                login = browser.post(
                    f"{live.proxied}/{token_url}",
                    data={"username": DEMO_ADMIN[0], "password": DEMO_ADMIN[1]},
                )
                assert login.status_code == 200 and login.json()["token_type"] == "bearer"
        finally:
            live.stop()
    assert_stopped(live.url)
