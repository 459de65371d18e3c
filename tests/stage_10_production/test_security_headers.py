"""Stage 10: security headers on every response; HSTS only on responses served over HTTPS."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

EXPECTED = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}


@asynccontextmanager
async def open_client(app: FastAPI, base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests arrive over `base_url`'s scheme; a crash comes back as a 500."""
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield client


def crashing_app(make_app, **overrides) -> FastAPI:
    app = make_app(**overrides)

    @app.get("/crash")
    async def crash() -> None:
        raise RuntimeError("a bug")

    return app


PREFLIGHT = {"Origin": "http://localhost:3000", "Access-Control-Request-Method": "GET"}
ATTEMPTS = [
    ("GET", "/health", {}, 200),
    ("GET", "/no-such-page", {}, 404),
    ("DELETE", "/health", {}, 405),
    ("GET", "/users/me", {}, 401),
    ("GET", "/products", {"params": {"per_page": 0}}, 422),
    ("POST", "/auth/register", {"content": b"x" * 2000}, 413),
    ("GET", "/health", {"headers": {"Host": "evil.example"}}, 400),
    ("GET", "/crash", {}, 500),
    ("OPTIONS", "/products", {"headers": PREFLIGHT}, 200),  # CORS answers the preflight itself
]


@pytest.mark.hole("10.security_headers")
async def test_every_response_has_the_headers_and_no_hsts_over_http(make_app) -> None:
    """Every answer has the three security headers, errors and refusals included, and none served
    over plain HTTP has HSTS: `Strict-Transport-Security` only when the scheme is https."""
    app = crashing_app(make_app, max_body_bytes=1000)
    async with open_client(app, "http://test") as client:
        for method, path, kwargs, status in ATTEMPTS:
            response = await client.request(method, path, **kwargs)
            assert response.status_code == status, (method, path)
            for name, value in EXPECTED.items():
                assert response.headers.get(name) == value, (path, name)
            # Over plain HTTP the header would mean nothing (and browsers ignore it).
            assert "strict-transport-security" not in response.headers, path


@pytest.mark.hole("10.security_headers")
async def test_hsts_on_every_response_served_over_https(make_app) -> None:
    """Every answer served over HTTPS has HSTS for at least a year, and the three other headers."""
    app = crashing_app(make_app, max_body_bytes=1000)
    async with open_client(app, "https://test") as client:
        for method, path, kwargs, status in ATTEMPTS:
            response = await client.request(method, path, **kwargs)
            assert response.status_code == status, (method, path)
            hsts = response.headers.get("strict-transport-security", "")
            assert hsts.startswith("max-age=") and int(hsts.split("=")[1]) >= 31_536_000, path
            for name, value in EXPECTED.items():
                assert response.headers.get(name) == value, (path, name)


@pytest.mark.hole("10.security_headers")
async def test_a_route_may_set_its_own_value(make_app) -> None:
    """The middleware fills in what a response lacks; it never overrides what a route chose (one
    X-Frame-Options, the route's)."""
    from fastapi import Response

    app = make_app()

    @app.get("/framed")
    async def framed() -> Response:
        return Response("ok", headers={"X-Frame-Options": "SAMEORIGIN"})

    async with open_client(app, "http://test") as client:
        response = await client.get("/framed")
    assert response.headers.get_list("x-frame-options") == ["SAMEORIGIN"]
