# Written by notebooks/10_production.ipynb: edit the notebook, not this file.
"""OpenTelemetry traces: a server span for each request, and a child span for each SQL statement.

The service exports nothing by default. Whoever wants traces builds a TracerProvider with an
exporter (an OTLP collector in production, an in-memory one in a notebook) and passes it here.
"""

from fastapi import FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.trace import TracerProvider
from sqlalchemy.ext.asyncio import AsyncEngine


def trace_requests(app: FastAPI, tracer_provider: TracerProvider) -> None:
    """A server span for every request `app` answers. Call it before the app starts: the
    tracing middleware joins the middleware stack when Starlette builds it, on first use."""
    FastAPIInstrumentor.instrument_app(app, tracer_provider=tracer_provider)


def trace_queries(engine: AsyncEngine, tracer_provider: TracerProvider) -> None:
    """A span for every SQL statement `engine` runs, the child of the request that ran it.

    Call it once the engine exists (in an app, once the lifespan has started). The instrumentor
    is one object per process, so tracing another engine replaces the previous set-up.
    """
    instrumentor = SQLAlchemyInstrumentor()
    if instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.uninstrument()
    # The instrumentation declares SQLAlchemy < 2.1 (its 0.66b2 release); it works with 2.1,
    # which the stage checks prove, but without skip_dep_check it logs an error and does nothing.
    instrumentor.instrument(
        engine=engine.sync_engine, tracer_provider=tracer_provider, skip_dep_check=True
    )


def stop_tracing(app: FastAPI) -> None:
    """Undo both: the app answers untraced again and no engine is traced."""
    FastAPIInstrumentor.uninstrument_app(app)
    instrumentor = SQLAlchemyInstrumentor()
    if instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.uninstrument()
