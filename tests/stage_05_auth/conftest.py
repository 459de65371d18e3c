"""Stage 05 has no main.py yet: make_app builds a tiny app with the auth router only."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from fastapi import FastAPI

from course_app.api.deps import AdminUser, CurrentUser
from course_app.api.routes import auth
from course_app.core.rate_limit import InMemoryRateLimiter
from course_app.db import create_engine, create_session_factory, create_tables
from course_app.settings import Settings


def build_auth_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings)
        await create_tables(engine)
        app.state.session_factory = create_session_factory(engine)
        yield
        await engine.dispose()

    app = FastAPI(lifespan=lifespan)
    app.state.settings = settings
    app.state.rate_limiter = InMemoryRateLimiter.from_settings(settings)
    app.include_router(auth.router)

    @app.get("/whoami")
    async def whoami(user: CurrentUser) -> dict[str, str]:
        return {"email": user.email}

    @app.get("/admin-only")
    async def admin_only(user: AdminUser) -> dict[str, str]:
        return {"email": user.email}

    return app


@pytest.fixture
def make_app(make_settings: Callable[..., Settings]) -> Callable[..., FastAPI]:
    def make(**overrides: Any) -> FastAPI:
        return build_auth_app(make_settings(**overrides))

    return make
