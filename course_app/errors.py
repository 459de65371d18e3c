"""Exception handlers: turn database conflicts into clean HTTP answers, never a 500."""

import logging

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

logger = logging.getLogger(__name__)


async def integrity_error_handler(request: Request, exc: Exception) -> JSONResponse:
    # A unique or check constraint refused the write, usually because a concurrent
    # request changed the same row first: a conflict the client can retry or resolve.
    logger.info("integrity error on %s %s: %s", request.method, request.url.path, exc)
    return JSONResponse(
        status_code=status.HTTP_409_CONFLICT,
        content={"detail": "The request conflicts with the current state of the data"},
    )


async def data_error_handler(request: Request, exc: Exception) -> JSONResponse:
    # The database refused a value, e.g. an order total beyond the money column's precision.
    logger.info("data error on %s %s: %s", request.method, request.url.path, exc)
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        content={"detail": "A value is out of range for the database"},
    )


async def operational_error_handler(request: Request, exc: Exception) -> JSONResponse:
    logger.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
    return JSONResponse(
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        content={"detail": "The database is unavailable, try again later"},
    )


def register_exception_handlers(app: FastAPI) -> None:
    app.add_exception_handler(IntegrityError, integrity_error_handler)
    app.add_exception_handler(DataError, data_error_handler)
    app.add_exception_handler(OperationalError, operational_error_handler)
