# Written by notebooks/10_production.ipynb: edit the notebook, not this file.
"""The application factory: lifespan, middleware, routers and error handlers."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.trustedhost import TrustedHostMiddleware

from course_app.api.cached_reads import CachedReadsMiddleware
from course_app.api.router import api_router
from course_app.core.body_limit import BodySizeLimitMiddleware
from course_app.core.logs import (
    AccessLogMiddleware,
    UnhandledErrorMiddleware,
    configure_logging,
)
from course_app.core.metrics import RequestMetrics, metrics_router
from course_app.core.request_id import REQUEST_ID_HEADER, is_well_formed, new_request_id
from course_app.core.security_headers import SecurityHeadersMiddleware
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

    configure_logging(settings.log_level)  # once per process, however many apps
    docs = settings.docs_are_served
    app = FastAPI(
        title=settings.app_title,
        version=settings.app_version,
        lifespan=lifespan,
        # In production the docs are off unless a setting turns them on: they map every route.
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.resources = resources

    # The middleware added last runs first. From the outside in:
    # - the request id, so every answer carries it and every log line of the request knows it;
    # - the security headers, on every answer, even a foreign Host's 400 or a crash's 500;
    # - the access log and the metrics, which see the final status of every request;
    # - TrustedHost refuses a foreign Host before CORS or any route sees the request;
    # - CORS, whose headers reach even a 413 or a 500;
    # - unhandled errors, logged and answered 500 inside all of the above; then the body limit;
    # - last, cached catalogue reads: a hit has passed all of the above, and skips the router.
    app.add_middleware(CachedReadsMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(UnhandledErrorMiddleware)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.allowed_origins,
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=[REQUEST_ID_HEADER],  # so a browser app can quote it in a bug report
    )
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.allowed_hosts)
    metrics = RequestMetrics() if settings.metrics_enabled else None
    app.add_middleware(AccessLogMiddleware, metrics=metrics)
    if metrics is not None:
        app.include_router(metrics_router(metrics))
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(
        CorrelationIdMiddleware,
        header_name=REQUEST_ID_HEADER,
        validator=is_well_formed,
        generator=new_request_id,
    )
    register_exception_handlers(app)
    app.include_router(api_router)
    return app


# For `uvicorn course_app.main:app`. Building the app touches no database: the lifespan does.
app = create_app()
