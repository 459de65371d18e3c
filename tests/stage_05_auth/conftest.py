"""Stage 05 has no main.py yet: its app is a small one with the auth router only."""

from collections.abc import Callable
from typing import Any

import pytest


def build_auth_app(settings: Any) -> Any:
    # Imported here, not at the top: a conftest that fails to import stops every stage's checks.
    from fastapi import FastAPI

    from course_app.api.deps import AdminUser, CurrentUser
    from course_app.api.routes import auth
    from course_app.state import AppResources

    resources = AppResources.from_settings(settings)
    app = FastAPI(lifespan=lambda _app: resources.open())
    app.state.resources = resources
    app.include_router(auth.router)

    @app.get("/whoami")
    async def whoami(user: CurrentUser) -> dict[str, str]:
        return {"email": user.email}

    @app.get("/admin-only")
    async def admin_only(user: AdminUser) -> dict[str, str]:
        return {"email": user.email}

    return app


@pytest.fixture
def build_app() -> Callable[[Any], Any]:
    return build_auth_app
