# Written by notebooks/10_production.ipynb: edit the notebook, not this file.
"""The application factory: lifespan, middleware, routers and error handlers."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.trustedhost import TrustedHostMiddleware

from course_app.api.router import api_router
from course_app.core.body_limit import BodySizeLimitMiddleware
from course_app.errors import register_exception_handlers
from course_app.settings import Settings, get_settings
from course_app.state import AppResources


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    # Everything that needs no I/O is built here, so it is ready before the lifespan runs.
    resources = AppResources.from_settings(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Outside production, open() also creates missing tables and the first admin; in
        # production, `python -m course_app.prestart` did both before the workers started.
        async with resources.open():
            yield

    app = FastAPI(title="course_app", lifespan=lifespan)
    app.state.resources = resources

    # The middleware added last runs first: TrustedHost refuses a foreign Host before CORS
    # or any route sees the request, and CORS headers reach even a 413.
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.allowed_origins,
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
    )
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.allowed_hosts)
    register_exception_handlers(app)
    app.include_router(api_router)
    return app


# For `uvicorn course_app.main:app`. Building the app touches no database: the lifespan does.
app = create_app()
