# Written by notebooks/10_production.ipynb: edit the notebook, not this file.
"""JSON logs: one line per record, each with the id of the request it belongs to, and one
access line per request."""

import logging
import sys
import time
from typing import Protocol, TextIO

from asgi_correlation_id import CorrelationIdFilter
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.orjson import OrjsonFormatter
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HANDLER_NAME = "course_app-json"
UNMATCHED_ROUTE = "<unmatched>"  # the route of a request no route matched: 404s, Host refused

access_logger = logging.getLogger("course_app.access")
error_logger = logging.getLogger("course_app.errors")


class StandardErrorHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever `sys.stderr` is at the moment of writing.

    pytest and Jupyter replace `sys.stderr`; a handler that kept the stream it was made with
    would go on writing into a capture that has since been closed.
    """

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def json_handler(stream: TextIO | None = None) -> logging.Handler:
    """A handler writing each record to `stream` (stderr by default) as one JSON object, with the
    id of the request it belongs to."""
    handler = StandardErrorHandler() if stream is None else logging.StreamHandler(stream)
    handler.set_name(HANDLER_NAME)
    # The filter copies the request id from its context variable onto every record.
    handler.addFilter(CorrelationIdFilter())
    handler.setFormatter(
        # orjson, not the standard library's json: the access log writes a line per request, and
        # a line costs about a third less to write.
        OrjsonFormatter(
            "{levelname}{name}{message}",
            style="{",
            timestamp="time",
            rename_fields={"levelname": "level", "name": "logger", "correlation_id": "request_id"},
            # uvicorn adds a copy of each message with terminal colour codes: not for JSON.
            reserved_attrs=[*RESERVED_ATTRS, "color_message"],
        )
    )
    return handler


def configure_logging(level: str) -> None:
    """Send every log record of this process to stderr as JSON. Calling it again changes only
    the level, so building many apps in one process (tests, notebooks) adds one handler."""
    root = logging.getLogger()
    root.setLevel(level)
    if not any(handler.get_name() == HANDLER_NAME for handler in root.handlers):
        root.addHandler(json_handler())
    # uvicorn's server messages go through its own plain-text handlers: make them JSON too.
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    # uvicorn's access log says less than ours, and it prints query strings, which can hold
    # secrets. Serve with --no-access-log so uvicorn does not even format it.
    logging.getLogger("uvicorn.access").disabled = True
    # asgi-correlation-id warns each time it replaces a malformed id: any client could fill the
    # log with those lines, and they come before the new id is set, so they would carry none.
    logging.getLogger("asgi_correlation_id").setLevel(logging.ERROR)


def route_template(scope: Scope) -> str:
    """The path template of the route that matched ("/products/{product_id}"), never the raw
    path: that holds ids, so every product would be a log group and a metric series of its own."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED_ROUTE


class RequestObserver(Protocol):
    """Anything that wants the numbers of each finished request (the metrics, say)."""

    def observe(self, method: str, route: str, status: int, seconds: float) -> None: ...


class AccessLogMiddleware:
    """One access line per request: method, route template, status, duration and client.

    Never the query string, headers or body: they hold passwords, tokens and personal data.
    `metrics`, when given, observe the same numbers.
    """

    def __init__(self, app: ASGIApp, metrics: RequestObserver | None = None) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app fails before it answers

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            seconds = time.perf_counter() - started
            route = route_template(scope)
            client = scope.get("client")
            access_logger.info(
                "%s %s %s",
                scope["method"],
                route,
                status,
                extra={
                    "method": scope["method"],
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 2),
                    "client": client[0] if client else None,
                },
            )
            if self.metrics is not None:
                self.metrics.observe(scope["method"], route, status, seconds)


class UnhandledErrorMiddleware:
    """Log an unhandled error once, with its traceback, and answer 500 with a JSON detail.

    Starlette answers it too, but from outside every middleware, so its 500 would carry no
    request id, security or CORS headers. The error is not raised again (uvicorn would log the
    same traceback a second time), unless the answer had already begun: then only the server
    can end it, by closing the connection.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        answer_started = False

        async def send_noting_start(message: Message) -> None:
            nonlocal answer_started
            answer_started = answer_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_noting_start)
        except Exception:
            error_logger.exception(
                "unhandled error", extra={"method": scope["method"], "route": route_template(scope)}
            )
            if answer_started:
                raise
            response = JSONResponse({"detail": "Internal Server Error"}, status_code=500)
            await response(scope, receive, send)
