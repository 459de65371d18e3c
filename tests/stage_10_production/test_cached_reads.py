"""Stage 10: a cached catalogue read is answered before routing, exactly as the route answers it."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from course_app.api.deps import get_session
from course_app.api.routes import products
from tests.helpers import create_product, open_client


class RouteRuns:
    """Counts the runs of the catalogue's cached reads: each asks `catalogue_cache` once."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real: Callable[..., Any] = products.catalogue_cache

        def counting(*args: Any) -> Any:
            self.count += 1
            return real(*args)

        monkeypatch.setattr(products, "catalogue_cache", counting)


@pytest.fixture
def route_runs(monkeypatch: pytest.MonkeyPatch) -> RouteRuns:
    return RouteRuns(monkeypatch)


async def test_a_cached_read_skips_the_route_and_answers_the_same(
    client: httpx.AsyncClient, admin_headers: dict, route_runs: RouteRuns
) -> None:
    product = await create_product(client, admin_headers)
    for path in ("/products", f"/products/{product['id']}"):
        first = await client.get(path)  # a miss: the route runs and stores its answer
        again = await client.get(path)  # a hit: answered before routing
        assert first.status_code == again.status_code == 200
        assert again.content == first.content
        for header in ("ETag", "Cache-Control", "Content-Type", "Content-Length"):
            assert again.headers[header] == first.headers[header], header
    assert route_runs.count == 2  # the two misses


async def test_a_cached_answer_still_passes_every_outer_middleware(
    client: httpx.AsyncClient, admin_headers: dict, route_runs: RouteRuns
) -> None:
    await create_product(client, admin_headers)
    etag = (await client.get("/products")).headers["ETag"]

    hit = await client.get("/products", headers={"X-Request-ID": "cached-read-1"})
    assert hit.headers["X-Request-ID"] == "cached-read-1"
    assert hit.headers["X-Content-Type-Options"] == "nosniff"
    refused = await client.get("/products", headers={"Host": "attacker.example"})
    assert refused.status_code == 400  # TrustedHost runs before any cached answer
    not_modified = await client.get("/products", headers={"If-None-Match": f"W/{etag}"})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified.headers["ETag"] == etag
    assert route_runs.count == 1


async def test_a_cached_read_is_logged_under_its_route(
    make_app: Callable[..., Any], log_lines: Any, admin_headers: dict
) -> None:
    async with open_client(make_app()) as client:
        product = await create_product(client, admin_headers)
        path = f"/products/{product['id']}"
        etag = (await client.get(path)).headers["ETag"]
        await client.get(path, headers={"X-Request-ID": "hit-1"})
        await client.get(path, headers={"X-Request-ID": "hit-2", "If-None-Match": etag})

    for request_id, status in (("hit-1", 200), ("hit-2", 304)):
        [line] = [r for r in log_lines.of_request(request_id) if r["logger"] == "course_app.access"]
        assert (line["route"], line["status"]) == ("/products/{product_id}", status)


async def test_a_change_to_a_product_is_never_hidden(
    client: httpx.AsyncClient, admin_headers: dict, route_runs: RouteRuns
) -> None:
    product = await create_product(client, admin_headers, price="19.99")
    path = f"/products/{product['id']}"
    before = await client.get(path)
    await client.get(path)  # cached
    changed = await client.patch(path, json={"price": "24.50"}, headers=admin_headers)
    assert changed.status_code == 200

    after = await client.get(path)
    assert after.json()["price"] == "24.50"
    assert after.headers["ETag"] != before.headers["ETag"]
    assert route_runs.count == 2  # before the change, and once after it


async def test_only_an_answer_the_route_stored_is_served(
    client: httpx.AsyncClient, admin_headers: dict
) -> None:
    await create_product(client, admin_headers)  # in "home"
    assert (await client.get("/products")).json()["total"] == 1
    assert (await client.get("/products")).json()["total"] == 1  # cached
    # Another query string is another key: never the cached answer of /products.
    assert (await client.get("/products?category=books")).json()["total"] == 0
    for _ in range(2):  # refused by the route, so never stored, so refused again
        assert (await client.get("/products?page=0")).status_code == 422
        assert (await client.get("/products/not-a-uuid")).status_code == 422
        assert (await client.head("/products")).status_code == 405


async def test_nothing_is_served_from_the_cache_while_the_session_is_overridden(
    app: Any, client: httpx.AsyncClient, admin_headers: dict, route_runs: RouteRuns
) -> None:
    """An overridden session may change products without invalidating the cache (notebook 09):
    then every read goes to its route, as the routes' own guard wants."""
    await create_product(client, admin_headers)
    await client.get("/products")  # stored
    app.dependency_overrides[get_session] = get_session  # any override at all
    for _ in range(2):
        assert (await client.get("/products")).status_code == 200
    assert route_runs.count == 3
