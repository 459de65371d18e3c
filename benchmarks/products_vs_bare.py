"""Benchmarks 2 and 3: the product reads against a bare FastAPI route, cached and uncached.

Measures the throughput (requests/s) of `GET /products`, one page of 20 products, with 16
clients in a closed loop for a fixed time: on the service as it ships (notebook 09's cache on),
on the same service with the cache off (`benchmarks/uncached_app.py`), and on a bare FastAPI app
(`benchmarks/bare_app.py`) returning the same JSON body. All run under uvicorn with one worker.
The ratio service/bare says how much of the framework's ceiling the service keeps after its
database query, ORM objects, validation and middleware. A fourth side, the bare app after one
`SELECT 1` through the service's engine (`benchmarks/database_floor_app.py`), is the ceiling of
any read that goes to the database: the best an uncached read could do. Benchmark 3 then reads
one product, `GET /products/{id}`, cached against uncached: the cache's speed-up.

Run it alone with `.venv/bin/python -m benchmarks.products_vs_bare`; `make bench` runs it with
the others. With `--postgresql` it serves the products from a throw-away PostgreSQL server (the
production database, through asyncpg) instead of a SQLite file.
"""

import argparse
import asyncio
import json
import tempfile
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import aiohttp

from benchmarks.load import (
    LoadResult,
    closed_loop,
    describe_failures,
    json_of,
    local_session,
    status_of,
)
from benchmarks.server import Server, uvicorn_server
from course_tools.postgres_server import fresh_database, running_postgres

CLIENTS = 16
WARM_UP_SECONDS = 2.0
MEASURE_SECONDS = 10.0
MAX_REQUESTS = 100_000
PRODUCTS = 25  # more than one page of 20
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "Admin-Passw0rd!"
CATEGORIES = ("electronics", "clothing", "books", "home", "sports")


@dataclass(frozen=True)
class Throughput:
    load: LoadResult
    server_cpu_seconds: float  # used by the server process while it was measured
    driver_cpu_seconds: float  # used by this process, the load driver

    @property
    def server_cpu_percent(self) -> float:
        """Of one core: near 100 means the server, not the driver, set the pace."""
        return 100 * self.server_cpu_seconds / self.load.seconds

    @property
    def server_cpu_ms_per_request(self) -> float:
        """The server's work per request, whoever set the pace."""
        return 1000 * self.server_cpu_seconds / self.load.requests


def throughput_ratio(side: Throughput, reference: Throughput) -> float:
    return side.load.per_second / reference.load.per_second


def cpu_ratio(side: Throughput, reference: Throughput) -> float:
    """The reference's CPU per request over the side's: the throughput ratio if both were
    CPU-bound, and steadier than throughput on a busy machine."""
    return reference.server_cpu_ms_per_request / side.server_cpu_ms_per_request


@dataclass(frozen=True)
class ProductsVsBare:
    service: Throughput  # GET /products, the cache on (as the service ships)
    uncached: Throughput  # GET /products, the cache off
    bare: Throughput  # the same body from a bare FastAPI route
    database_floor: Throughput  # the bare route after SELECT 1 through the service's engine
    one_cached: Throughput  # GET /products/{id}, the cache on
    one_uncached: Throughput  # GET /products/{id}, the cache off
    body_bytes: int

    @property
    def throughput_ratio(self) -> float:
        return throughput_ratio(self.service, self.bare)

    @property
    def cpu_ratio(self) -> float:
        return cpu_ratio(self.service, self.bare)

    @property
    def uncached_ratio(self) -> float:
        return throughput_ratio(self.uncached, self.bare)

    @property
    def database_floor_ratio(self) -> float:
        """The most any uncached read could reach, against bare FastAPI."""
        return throughput_ratio(self.database_floor, self.bare)

    @property
    def cache_speedup(self) -> float:
        """Benchmark 3: one product, cached against uncached, by throughput."""
        return throughput_ratio(self.one_cached, self.one_uncached)

    @property
    def loads(self) -> tuple[LoadResult, ...]:
        sides = (
            self.service,
            self.uncached,
            self.bare,
            self.database_floor,
            self.one_cached,
            self.one_uncached,
        )
        return tuple(side.load for side in sides)

    @property
    def errors(self) -> int:
        return sum(load.errors for load in self.loads)

    def as_dict(self) -> dict[str, object]:
        return {
            "clients": CLIENTS,
            "seconds": MEASURE_SECONDS,
            "body_bytes": self.body_bytes,
            "service": side_dict(self.service),
            "uncached": side_dict(self.uncached),
            "bare": side_dict(self.bare),
            "throughput_ratio": self.throughput_ratio,
            "cpu_per_request_ratio": self.cpu_ratio,
            "uncached_throughput_ratio": self.uncached_ratio,
            "uncached_cpu_per_request_ratio": cpu_ratio(self.uncached, self.bare),
            "database_floor": side_dict(self.database_floor),
            "database_floor_throughput_ratio": self.database_floor_ratio,
            "database_floor_cpu_per_request_ratio": cpu_ratio(self.database_floor, self.bare),
            "one_product_cached": side_dict(self.one_cached),
            "one_product_uncached": side_dict(self.one_uncached),
            "cache_speedup": self.cache_speedup,
            "cache_speedup_by_cpu": cpu_ratio(self.one_cached, self.one_uncached),
            "errors": self.errors,
        }

    def describe(self) -> str:
        return (
            f"GET /products ({self.body_bytes} bytes, {CLIENTS} clients): "
            f"cached {describe_side(self.service)}, uncached {describe_side(self.uncached)}, "
            f"bare FastAPI {describe_side(self.bare)}: ratio {self.throughput_ratio:.2f}x "
            f"cached, {self.uncached_ratio:.2f}x uncached (by server CPU per request "
            f"{self.cpu_ratio:.2f}x and {cpu_ratio(self.uncached, self.bare):.2f}x).\n"
            f"   The ceiling of a read from the database, bare FastAPI after one SELECT 1: "
            f"{describe_side(self.database_floor)}: {self.database_floor_ratio:.2f}x of bare "
            f"(by CPU {cpu_ratio(self.database_floor, self.bare):.2f}x).\n"
            f"3. GET /products/{{id}}: cached {describe_side(self.one_cached)}, uncached "
            f"{describe_side(self.one_uncached)}: the cache's speed-up "
            f"{self.cache_speedup:.2f}x (by CPU {cpu_ratio(self.one_cached, self.one_uncached):.2f}x)"
            f"; errors {describe_failures(*self.loads)}"
        )


def side_dict(side: Throughput) -> dict[str, object]:
    return {
        **side.load.as_dict(),
        "server_cpu_percent": side.server_cpu_percent,
        "server_cpu_ms_per_request": side.server_cpu_ms_per_request,
        "driver_cpu_percent": 100 * side.driver_cpu_seconds / side.load.seconds,
    }


def describe_side(side: Throughput) -> str:
    return (
        f"{side.load.per_second:.0f} req/s (p99 {side.load.p99_ms:.1f} ms, "
        f"server CPU {side.server_cpu_percent:.0f}% = "
        f"{side.server_cpu_ms_per_request:.2f} ms a request)"
    )


def server_settings(database_path: Path, database_url: str | None = None) -> dict[str, str]:
    """The service's settings: a SQLite file at `database_path`, unless `database_url` is given."""
    return {
        "ENVIRONMENT": "test",
        "DATABASE_URL": database_url or f"sqlite+aiosqlite:///{database_path}",
        "FIRST_ADMIN_EMAIL": ADMIN_EMAIL,
        "FIRST_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }


async def seed_products(session: aiohttp.ClientSession) -> None:
    form = {"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    token = await json_of(session, "POST", "/auth/token", data=form)
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    for number in range(1, PRODUCTS + 1):
        product = {
            "name": f"Bench product {number}",
            "description": f"Product number {number}, made for the benchmark.",
            "category": CATEGORIES[number % len(CATEGORIES)],
            "price": str(Decimal(number) + Decimal("0.99")),
            "stock_quantity": 10 * number,
        }
        await json_of(session, "POST", "/products", json=product, headers=headers)


async def closed_loop_on(server: Server, path: str = "/products") -> Throughput:
    async with local_session(server.base_url, CLIENTS) as session:

        def read() -> Awaitable[int]:
            return status_of(session, "GET", path)

        await closed_loop(
            read, clients=CLIENTS, max_requests=MAX_REQUESTS, max_seconds=WARM_UP_SECONDS
        )
        server_cpu, driver_cpu = server.cpu_seconds(), time.process_time()
        load = await closed_loop(
            read, clients=CLIENTS, max_requests=MAX_REQUESTS, max_seconds=MEASURE_SECONDS
        )
        return Throughput(
            load=load,
            server_cpu_seconds=server.cpu_seconds() - server_cpu,
            driver_cpu_seconds=time.process_time() - driver_cpu,
        )


async def seed_and_capture(base_url: str) -> bytes:
    """Seed the products, then return the service's first page exactly as it sent it."""
    async with local_session(base_url, 1) as session:
        await seed_products(session)
        async with session.get("/products") as response:
            body = await response.read()
        if response.status != 200 or len(json.loads(body)["items"]) != 20:
            raise RuntimeError(f"expected a page of 20 products, got {body[:200]!r}")
        return body


async def check_same_body(base_url: str, expected: bytes) -> None:
    async with local_session(base_url, 1) as session:
        if await json_of(session, "GET", "/products") != json.loads(expected):
            raise RuntimeError(f"{base_url} does not answer the service's JSON")


def reference_throughput(app: str, workdir: Path, env: dict[str, str], body: bytes) -> Throughput:
    """`GET /products` on a reference app, once it is shown to answer the service's page."""
    with uvicorn_server(app, workdir=workdir, env=env, ready_path="/products") as server:
        asyncio.run(check_same_body(server.base_url, body))
        return asyncio.run(closed_loop_on(server))


def run(database_url: str | None = None) -> ProductsVsBare:
    """Benchmarks 2 and 3 on a fresh SQLite file, or on the (empty) database `database_url`."""
    with tempfile.TemporaryDirectory(prefix="bench-products-") as scratch:
        workdir = Path(scratch)
        env = server_settings(workdir / "bench.db", database_url)
        with uvicorn_server("course_app.main:app", workdir=workdir, env=env) as server:
            body = asyncio.run(seed_and_capture(server.base_url))
            one_product = f"/products/{json.loads(body)['items'][0]['id']}"
            service = asyncio.run(closed_loop_on(server))
            one_cached = asyncio.run(closed_loop_on(server, one_product))
        # The same database, served without the cache.
        with uvicorn_server("benchmarks.uncached_app:app", workdir=workdir, env=env) as server:
            uncached = asyncio.run(closed_loop_on(server))
            one_uncached = asyncio.run(closed_loop_on(server, one_product))
        body_path = workdir / "products.json"
        body_path.write_bytes(body)
        bare_env = {"BARE_APP_BODY": str(body_path)}
        bare = reference_throughput("benchmarks.bare_app:app", workdir, bare_env, body)
        database_floor = reference_throughput(
            "benchmarks.database_floor_app:app", workdir, {**env, **bare_env}, body
        )
    return ProductsVsBare(
        service=service,
        uncached=uncached,
        bare=bare,
        database_floor=database_floor,
        one_cached=one_cached,
        one_uncached=one_uncached,
        body_bytes=len(body),
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.products_vs_bare")
    parser.add_argument(
        "--postgresql",
        action="store_true",
        help="serve the products from a throw-away PostgreSQL server instead of a SQLite file",
    )
    if parser.parse_args().postgresql:
        with running_postgres(honour_env=False) as server_url:
            database_url = asyncio.run(fresh_database(server_url, "bench_products"))
            print(f"PostgreSQL: {run(database_url).describe()}")
    else:
        print(run().describe())


if __name__ == "__main__":
    main()
