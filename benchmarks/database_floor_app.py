"""The ceiling of any uncached read in benchmark 2: bare FastAPI plus the cheapest database read.

`benchmarks/bare_app.py`'s page, returned after `SELECT 1` in a session of the service's own
pooled engine (its settings from the environment, as the service reads them): a connection
checked out of the pool, one statement, the connection handed back. Every uncached read of the
service does at least that much, so its throughput bounds theirs from above.

Served by benchmark 2 (`benchmarks/products_vs_bare.py`) as
`uvicorn benchmarks.database_floor_app:app`, with the service's environment and `BARE_APP_BODY`.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from sqlalchemy import literal, select

from benchmarks.bare_app import BODY
from course_app.core.pool import create_pooled_engine
from course_app.db import create_session_factory
from course_app.settings import Settings


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    engine = create_pooled_engine(Settings())
    app.state.sessions = create_session_factory(engine)
    try:
        yield
    finally:
        await engine.dispose()


app = FastAPI(lifespan=lifespan)


@app.get("/products")
async def list_products(request: Request) -> dict[str, Any]:
    async with request.app.state.sessions() as session:
        await session.execute(select(literal(1)))
    return BODY
