"""A service running beside the notebook, with its API docs (Swagger UI) inside JupyterLab.

The server is a real uvicorn on 127.0.0.1 (see `uvicorn_server`). The browser reaches it through
jupyter-server-proxy, which forwards `<lab>/proxy/PORT/docs` to `http://127.0.0.1:PORT/docs`,
locally and on Binder. uvicorn's `--root-path` tells the app that prefix, so the docs page asks
for `<lab>/proxy/PORT/openapi.json`, which the proxy forwards too.
"""

from __future__ import annotations

import atexit
import html
import os
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from course_tools.holes import reference_root, require_written
from course_tools.paths import find_root
from course_tools.ports import free_port
from course_tools.uvicorn_server import uvicorn_server

# A throw-away account of a throw-away database, on 127.0.0.1 only.
DEMO_ADMIN = ("admin@example.com", "Demo-admin-2026")


def lab_prefix() -> str:
    """The Jupyter server's base URL: "/" locally, "/user/<name>/" on Binder (JupyterHub)."""
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")
    return prefix if prefix.endswith("/") else prefix + "/"


@dataclass
class LiveService:
    """A running service; shown in a notebook as links to its docs. `stop()` ends it."""

    label: str
    url: str  # http://127.0.0.1:PORT, for httpx from the kernel
    proxied: str  # <lab>/proxy/PORT, for the browser
    servers: ExitStack = field(repr=False)

    def stop(self) -> None:
        self.servers.close()

    def _repr_html_(self) -> str:
        docs, redoc = html.escape(self.proxied + "/docs"), html.escape(self.proxied + "/redoc")
        return (
            f"<p>{html.escape(self.label)} is running. Its interactive API docs: "
            f'<a href="{docs}" target="_blank">Swagger UI</a> · '
            f'<a href="{redoc}" target="_blank">ReDoc</a> (through JupyterLab\'s proxy). '
            f"To try the protected routes, press Authorize and log in as "
            f"<code>{DEMO_ADMIN[0]}</code> with <code>{DEMO_ADMIN[1]}</code>.</p>"
            f'<iframe src="{docs}" width="100%" height="480" style="border:1px solid #ccc">'
            "</iframe>"
        )

    def __repr__(self) -> str:
        return f"{self.label} on {self.url}; API docs in JupyterLab at {self.proxied}/docs"


def serve_in_lab(reference: bool = False) -> LiveService:
    """Start the service in development mode on a fresh SQLite file, until `stop()` or exit.

    `reference=True` serves the finished service of the full edition (the welcome notebook's
    preview); otherwise it is the course_app of this workspace, the one you are building.
    """
    root = reference_root() if reference else find_root()
    require_written(root)
    servers = ExitStack()
    atexit.register(servers.close)  # whatever happens in the notebook, the server stops with it
    folder = Path(servers.enter_context(tempfile.TemporaryDirectory(prefix="live-")))
    port = free_port()
    proxied = f"{lab_prefix()}proxy/{port}"
    env = {
        "ENVIRONMENT": "development",
        "DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'shop.db'}",
        # An admin to try the protected routes with ("Authorize" in Swagger UI).
        "FIRST_ADMIN_EMAIL": DEMO_ADMIN[0],
        "FIRST_ADMIN_PASSWORD": DEMO_ADMIN[1],
    }
    url = servers.enter_context(
        uvicorn_server(
            "course_app.main:app",
            env=env,
            app_dir=root,
            port=port,
            options=["--root-path", proxied],
        )
    )
    label = "The finished service" if reference else "Your service"
    return LiveService(label, url, proxied, servers)
