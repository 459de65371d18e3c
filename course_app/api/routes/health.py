# Written by notebooks/10_production.ipynb: edit the notebook, not this file.
"""Liveness (`/health`: is the database there?) and readiness (`/health/ready`: can this
instance serve requests?)."""

from typing import Annotated, Literal

import anyio
from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from course_app.api.deps import SessionDep, failures, get_resources
from course_app.core.migrations import probe_write, schema_is_current
from course_app.db import read_every_table
from course_app.state import AppResources

router = APIRouter(tags=["health"])

# Redis gets this long to answer a PING; a Redis that hangs counts as down.
REDIS_PING_TIMEOUT_SECONDS = 3.0

DatabaseState = Literal["ok", "unavailable"]
RedisState = Literal["ok", "unavailable", "not configured"]
MigrationsState = Literal["ok", "not at head", "unknown"]


@router.get("/health", responses=failures(503))
async def health(session: SessionDep) -> JSONResponse:
    try:
        await read_every_table(session)
    except (SQLAlchemyError, OSError):
        return JSONResponse({"status": "error", "database": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


class Readiness(BaseModel):
    """Each part of readiness; `status` is "ok" only when every part is."""

    status: Literal["ok", "error"]
    database: DatabaseState
    redis: RedisState
    migrations: MigrationsState


async def check_database(session: AsyncSession) -> tuple[DatabaseState, MigrationsState]:
    # No timeout of our own around the database: cancelling a query half-way can strand its
    # connection. The driver bounds the wait (SQLite's busy timeout, asyncpg's connect timeout).
    migrations: MigrationsState = "unknown"
    try:
        connection = await session.connection()
        migrations = "ok" if await schema_is_current(connection) else "not at head"
        if migrations == "ok":  # the write probe needs the version table
            await probe_write(connection)
        await session.rollback()
    except (SQLAlchemyError, OSError):  # OSError: refused, reset, timed out
        return "unavailable", migrations
    return "ok", migrations


async def check_redis(redis: Redis | None) -> RedisState:
    if redis is None:
        return "not configured"
    try:
        with anyio.fail_after(REDIS_PING_TIMEOUT_SECONDS):
            await redis.ping()
    except (RedisError, OSError):
        return "unavailable"
    return "ok"


@router.get(
    "/health/ready",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "Not ready: the failing part is named"}},
)
async def ready(
    session: SessionDep, resources: Annotated[AppResources, Depends(get_resources)]
) -> JSONResponse:
    """Readiness: 200 when this instance can serve requests, else 503 naming what is not.

    - `database` is "unavailable" when it cannot be read, or cannot be written (a write that
      matches no row, then a rollback; tried once the schema is at head).
    - `redis` is "unavailable" when `redis_url` is set and Redis does not answer a PING.
    - `migrations` is "not at head" when the database is not at the latest migration (run
      `python -m course_app.prestart`), and "unknown" when the database cannot be read.

    A Redis that hangs counts as unavailable after a few seconds; the database, once its
    driver gives up waiting (SQLite's busy timeout is 5 seconds).
    """
    database, migrations = await check_database(session)
    redis = await check_redis(resources.redis)
    ok = database == "ok" and migrations == "ok" and redis != "unavailable"
    body = Readiness(
        status="ok" if ok else "error", database=database, redis=redis, migrations=migrations
    )
    return JSONResponse(body.model_dump(), status_code=200 if ok else 503)
