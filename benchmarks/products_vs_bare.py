"""Benchmark 2: how close does the product list come to a bare FastAPI route?

Measures the throughput (requests/s) of `GET /products`, one page of 20 products, with 16
clients in a closed loop for a fixed time, first on the service and then on a bare FastAPI app
(`benchmarks/bare_app.py`) returning the same JSON body. Both run under uvicorn with one
worker. The ratio service/bare says how much of the framework's ceiling the service keeps after
its database query, ORM objects, validation and middleware.

Run it alone with `.venv/bin/python -m benchmarks.products_vs_bare`; `make bench` runs it with
the others.
"""

import asyncio
import json
import tempfile
import time
from collections.abc import Awaitable
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path

import httpx

from benchmarks.load import LoadResult, closed_loop, local_client
from benchmarks.server import Server, uvicorn_server

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
    server_cpu_percent: float  # of one core: near 100 means the server was the bottleneck
    driver_cpu_percent: float  # the same for this process, the load driver


@dataclass(frozen=True)
class ProductsVsBare:
    service: Throughput
    bare: Throughput
    body_bytes: int

    @property
    def throughput_ratio(self) -> float:
        return self.service.load.per_second / self.bare.load.per_second

    def as_dict(self) -> dict[str, object]:
        return {
            "clients": CLIENTS,
            "seconds": MEASURE_SECONDS,
            "body_bytes": self.body_bytes,
            "service": side_dict(self.service),
            "bare": side_dict(self.bare),
            "throughput_ratio": self.throughput_ratio,
        }

    def describe(self) -> str:
        return (
            f"GET /products ({self.body_bytes} bytes, {CLIENTS} clients): "
            f"service {describe_side(self.service)}, bare FastAPI {describe_side(self.bare)}: "
            f"ratio {self.throughput_ratio:.2f}x, "
            f"errors {self.service.load.errors + self.bare.load.errors}"
        )


def side_dict(side: Throughput) -> dict[str, object]:
    return {
        **asdict(side.load),
        "per_second": side.load.per_second,
        "server_cpu_percent": side.server_cpu_percent,
        "driver_cpu_percent": side.driver_cpu_percent,
    }


def describe_side(side: Throughput) -> str:
    return (
        f"{side.load.per_second:.0f} req/s (p99 {side.load.p99_ms:.1f} ms, "
        f"server CPU {side.server_cpu_percent:.0f}%, driver {side.driver_cpu_percent:.0f}%)"
    )


def server_settings(database_path: Path) -> dict[str, str]:
    return {
        "ENVIRONMENT": "test",
        "DATABASE_URL": f"sqlite+aiosqlite:///{database_path}",
        "FIRST_ADMIN_EMAIL": ADMIN_EMAIL,
        "FIRST_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }


async def seed_products(client: httpx.AsyncClient) -> None:
    form = {"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    token = (await client.post("/auth/token", data=form)).raise_for_status().json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    for number in range(1, PRODUCTS + 1):
        product = {
            "name": f"Bench product {number}",
            "description": f"Product number {number}, made for the benchmark.",
            "category": CATEGORIES[number % len(CATEGORIES)],
            "price": str(Decimal(number) + Decimal("0.99")),
            "stock_quantity": 10 * number,
        }
        (await client.post("/products", json=product, headers=headers)).raise_for_status()


async def closed_loop_on(server: Server) -> Throughput:
    async with local_client(server.base_url, CLIENTS) as client:

        def list_products() -> Awaitable[httpx.Response]:
            return client.get("/products")

        await closed_loop(
            list_products, clients=CLIENTS, max_requests=MAX_REQUESTS, max_seconds=WARM_UP_SECONDS
        )
        server_cpu, driver_cpu = server.cpu_seconds(), time.process_time()
        load = await closed_loop(
            list_products, clients=CLIENTS, max_requests=MAX_REQUESTS, max_seconds=MEASURE_SECONDS
        )
        return Throughput(
            load=load,
            server_cpu_percent=100 * (server.cpu_seconds() - server_cpu) / load.seconds,
            driver_cpu_percent=100 * (time.process_time() - driver_cpu) / load.seconds,
        )


async def seed_and_capture(base_url: str) -> bytes:
    async with local_client(base_url, 1) as client:
        await seed_products(client)
        page = (await client.get("/products")).raise_for_status()
        if len(page.json()["items"]) != 20:
            raise RuntimeError(f"expected a page of 20 products, got {page.text[:200]}")
        return page.content


async def check_same_body(base_url: str, expected: bytes) -> None:
    async with local_client(base_url, 1) as client:
        answer = (await client.get("/products")).raise_for_status()
        if answer.json() != json.loads(expected):
            raise RuntimeError("the bare app does not answer the service's JSON")


def run() -> ProductsVsBare:
    with tempfile.TemporaryDirectory(prefix="bench-products-") as scratch:
        workdir = Path(scratch)
        env = server_settings(workdir / "bench.db")
        with uvicorn_server("course_app.main:app", workdir=workdir, env=env) as server:
            body = asyncio.run(seed_and_capture(server.base_url))
            service = asyncio.run(closed_loop_on(server))
        body_path = workdir / "products.json"
        body_path.write_bytes(body)
        bare_env = {"BARE_APP_BODY": str(body_path)}
        with uvicorn_server(
            "benchmarks.bare_app:app", workdir=workdir, env=bare_env, ready_path="/products"
        ) as server:
            asyncio.run(check_same_body(server.base_url, body))
            bare = asyncio.run(closed_loop_on(server))
    return ProductsVsBare(service=service, bare=bare, body_bytes=len(body))


if __name__ == "__main__":
    print(run().describe())
