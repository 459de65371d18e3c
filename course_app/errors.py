# Written by notebooks/06_app.ipynb: edit the notebook, not this file.
"""Exception handlers: every failure becomes a JSON answer with the right status, never a 500."""

import logging
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.routing import compile_path

from course_app.exceptions import DomainError

logger = logging.getLogger(__name__)


def _printable(value: Any) -> Any:
    # Error locations can hold a client's own text (an unknown key): a lone surrogate in it
    # would make the JSON encoder fail, so such characters are written as escapes.
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    # FastAPI's own handler echoes each refused value (`input`). That sends passwords and
    # megabytes back to the client, and a value JSON cannot encode (NaN, a lone surrogate)
    # turns the 422 into a 500. Where, what and which kind is all a client needs.
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "loc": [_printable(part) for part in error["loc"]],
            "msg": _printable(error["msg"]),
            "type": error["type"],
        }
        for error in exc.errors()
    ]
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, content={"detail": errors}
    )


async def method_not_allowed_handler(request: Request, exc: Exception) -> JSONResponse:
    # Starlette answers 405 from the first route whose path matches, so its `Allow` header names
    # that route's methods only, though GET and PATCH /users/me are two routes. The OpenAPI
    # document knows every method of every path: `Allow` lists exactly what it documents.
    path = request.url.path
    allowed = {
        method.upper()
        for template, operations in request.app.openapi()["paths"].items()
        if compile_path(template)[0].match(path)
        for method in operations
    }
    return JSONResponse(
        status_code=status.HTTP_405_METHOD_NOT_ALLOWED,
        content={"detail": "Method Not Allowed"},
        headers={"Allow": ", ".join(sorted(allowed))},
    )


async def domain_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return JSONResponse(status_code=exc.status_code, content={"detail": str(exc)})


async def integrity_error_handler(request: Request, exc: Exception) -> JSONResponse:
    # A unique or check constraint refused the write, usually because a concurrent
    # request changed the same row first: a conflict the client can retry or resolve.
    logger.info("integrity error on %s %s: %s", request.method, request.url.path, exc)
    return JSONResponse(
        status_code=status.HTTP_409_CONFLICT,
        content={"detail": "The request conflicts with the current state of the data"},
    )


# PostgreSQL's error codes (SQLSTATE) that start with "22" are data exceptions: a value the
# column cannot hold (a numeric overflow, a NUL character in text). asyncpg's errors do not
# arrive as DataError, so the code is what tells them apart from a database that is down.
DATA_EXCEPTION_CLASS = "22"
VALUE_OUT_OF_RANGE = (
    "A value is out of range for the database: a number too large, or a NUL character"
)


def is_data_error(exc: DBAPIError) -> bool:
    """The database refused a value (the client's fault), rather than failing to answer."""
    sqlstate = getattr(exc.orig, "sqlstate", None) or ""
    return isinstance(exc, DataError) or sqlstate.startswith(DATA_EXCEPTION_CLASS)


async def data_error_handler(request: Request, exc: Exception) -> JSONResponse:
    # The database refused a value, e.g. an order total beyond the money column's precision.
    logger.info("data error on %s %s: %s", request.method, request.url.path, exc)
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, content={"detail": VALUE_OUT_OF_RANGE}
    )


async def database_unavailable_handler(request: Request, exc: Exception) -> JSONResponse:
    # Locked, read-only, missing, corrupt, or a server that is down: the client can only wait.
    # The details (file names, SQL) go to the log, never into the answer.
    logger.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
    return JSONResponse(
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        content={"detail": "The database is unavailable, try again later"},
    )


async def database_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DBAPIError)
    if is_data_error(exc):
        return await data_error_handler(request, exc)
    return await database_unavailable_handler(request, exc)


def register_exception_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(status.HTTP_405_METHOD_NOT_ALLOWED, method_not_allowed_handler)
    app.add_exception_handler(DomainError, domain_error_handler)
    # The most specific class wins: IntegrityError and DataError are kinds of DBAPIError.
    app.add_exception_handler(IntegrityError, integrity_error_handler)
    app.add_exception_handler(DataError, data_error_handler)
    app.add_exception_handler(DBAPIError, database_error_handler)
    app.add_exception_handler(PoolTimeoutError, database_unavailable_handler)
    # A database server that cannot be reached: asyncpg raises the socket's own error
    # (connection refused, host not found, a timeout), not a database error.
    app.add_exception_handler(OSError, database_unavailable_handler)
