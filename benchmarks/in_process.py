"""Where a cached `GET /products` spends its time, with no HTTP server in the way.

Calls each ASGI app directly, one request after another, and reports the CPU time (of this
process) per request of:

1. benchmark 2's floor, `benchmarks/bare_app.py`: a bare FastAPI route returning the page;
2. the service's middleware alone, around an ASGI app that answers the same bytes (and again
   without the access log, to show its share);
3. the finished service, on a route added for this run that returns the same bytes with no
   dependency: its middleware, FastAPI and routing;
4. the finished service's cached `GET /products`, answered before routing by
   `CachedReadsMiddleware` (notebook 10);
5. the same read on the service without that middleware: 3 plus the route's dependencies.

The service's access log goes to /dev/null. Run it with
`.venv/bin/python -m benchmarks.in_process` (about 20 seconds).
"""

import asyncio
import contextlib
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Response
from starlette.types import ASGIApp

from benchmarks.products_vs_bare import server_settings
from course_app.api.cached_reads import CachedReadsMiddleware
from course_app.core.logs import AccessLogMiddleware

REQUESTS = 3_000
ROUNDS = 3  # the best of three: other processes only ever add time


async def get(app: ASGIApp, path: str) -> bytes:
    """One GET through the app's ASGI interface; the body of the answer."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    body = bytearray()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        body.extend(message.get("body", b""))

    await app(scope, receive, send)
    return bytes(body)


async def cpu_ms_per_request(app: ASGIApp, path: str) -> float:
    for _ in range(50):  # warm up
        await get(app, path)
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.process_time()
        for _ in range(REQUESTS):
            await get(app, path)
        best = min(best, (time.process_time() - started) / REQUESTS)
    return 1000 * best


def middleware_around(app: ASGIApp, service: FastAPI, *leave_out: type) -> ASGIApp:
    """`app` wrapped in the service's middleware, in the service's order, without FastAPI and
    without the cached reads (which need FastAPI's routes to find an answer)."""
    for middleware in reversed(service.user_middleware):
        if middleware.cls not in (CachedReadsMiddleware, *leave_out):
            app = middleware.cls(app, *middleware.args, **middleware.kwargs)
    return app


def without_cached_reads(service: FastAPI) -> FastAPI:
    service.user_middleware = [
        m for m in service.user_middleware if m.cls is not CachedReadsMiddleware
    ]
    return service


async def measure(workdir: Path) -> dict[str, float]:
    os.environ.update(server_settings(workdir / "bench.db"))
    from course_app.main import create_app  # after the settings are in the environment

    service = create_app()
    fixed_body = b""

    @service.get("/fixed-bytes")
    async def fixed_bytes() -> Response:
        return Response(fixed_body, media_type="application/json")

    async with service.router.lifespan_context(service):
        fixed_body = await get(service, "/products")  # the cache is filled from here on
        results = {
            "middleware_ms": await cpu_ms_per_request(
                middleware_around(Response(fixed_body), service), "/products"
            ),
            "middleware_without_access_log_ms": await cpu_ms_per_request(
                middleware_around(Response(fixed_body), service, AccessLogMiddleware),
                "/products",
            ),
            "service_fixed_bytes_ms": await cpu_ms_per_request(service, "/fixed-bytes"),
            "service_cached_products_ms": await cpu_ms_per_request(service, "/products"),
        }
    routed = without_cached_reads(create_app())
    async with routed.router.lifespan_context(routed):
        await get(routed, "/products")  # fills this app's cache
        results["routed_cached_products_ms"] = await cpu_ms_per_request(routed, "/products")
    # Benchmark 2's bare app, which reads the page from the file named by BARE_APP_BODY.
    body_path = workdir / "body.json"
    body_path.write_bytes(fixed_body)
    os.environ["BARE_APP_BODY"] = str(body_path)
    from benchmarks.bare_app import app as bare_app

    results["bare_ms"] = await cpu_ms_per_request(bare_app, "/products")
    return results


def main() -> None:
    # The service logs every request to stderr, as in production: here into /dev/null.
    with (
        tempfile.TemporaryDirectory() as folder,
        open(os.devnull, "w") as devnull,
        contextlib.redirect_stderr(devnull),
    ):
        results = asyncio.run(measure(Path(folder)))
    print(
        f"CPU per request, in process: bare FastAPI {results['bare_ms']:.2f} ms; the service's "
        f"middleware alone {results['middleware_ms']:.2f} ms "
        f"({results['middleware_without_access_log_ms']:.2f} ms without the access log); "
        f"its middleware, FastAPI and routing {results['service_fixed_bytes_ms']:.2f} ms; "
        f"its cached GET /products {results['service_cached_products_ms']:.2f} ms "
        f"({results['routed_cached_products_ms']:.2f} ms through the router)"
    )


if __name__ == "__main__":
    main()
