"""Stage 10: OpenTelemetry traces a request through FastAPI and its SQL through SQLAlchemy."""

import uuid
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from tests.helpers import open_client


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    yield exporter
    exporter.shutdown()


@pytest.fixture
def tracer_provider(exporter: InMemorySpanExporter) -> Iterator[TracerProvider]:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield provider
    provider.shutdown()


async def test_a_request_and_its_sql_share_one_trace(make_app, tracer_provider, exporter) -> None:
    from course_app.core.tracing import stop_tracing, trace_queries, trace_requests

    app = make_app()
    trace_requests(app, tracer_provider)
    try:
        async with open_client(app) as client:
            trace_queries(app.state.resources.database.engine, tracer_provider)
            exporter.clear()  # only the request below
            response = await client.get(f"/products/{uuid.uuid4()}")
            assert response.status_code == 404
    finally:
        stop_tracing(app)

    spans = exporter.get_finished_spans()
    [server] = [span for span in spans if span.kind == SpanKind.SERVER]
    assert server.name == "GET /products/{product_id}"
    assert server.attributes["http.route"] == "/products/{product_id}"
    assert server.attributes["http.status_code"] == 404
    queries = [span for span in spans if "db.statement" in (span.attributes or {})]
    assert queries, [span.name for span in spans]
    for query in queries:
        assert query.kind == SpanKind.CLIENT
        assert query.context.trace_id == server.context.trace_id
        assert query.parent is not None and query.parent.span_id == server.context.span_id
        assert "FROM products" in query.attributes["db.statement"]


async def test_nothing_is_traced_once_stopped(make_app, tracer_provider, exporter) -> None:
    from course_app.core.tracing import stop_tracing, trace_queries, trace_requests

    app = make_app()
    trace_requests(app, tracer_provider)
    async with open_client(app) as client:
        trace_queries(app.state.resources.database.engine, tracer_provider)
        stop_tracing(app)
        exporter.clear()
        assert (await client.get("/health")).status_code == 200
    assert exporter.get_finished_spans() == ()


async def test_an_app_without_tracing_sends_no_spans(make_app, tracer_provider, exporter) -> None:
    """Tracing is opt-in: an app nobody instrumented creates no spans."""
    async with open_client(make_app()) as client:
        assert (await client.get("/health")).status_code == 200
    assert exporter.get_finished_spans() == ()
