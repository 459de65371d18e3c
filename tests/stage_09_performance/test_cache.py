"""Stage 09: the catalogue cache is invalidated by every change, and ETags answer 304."""

import asyncio

import httpx
import pytest

from tests.helpers import create_product, place, set_status


def cache_of(app):
    return app.state.resources.catalogue_cache


async def test_product_has_etag_and_matching_if_none_match_gets_304(
    client: httpx.AsyncClient, admin_headers
):
    """GET /products/{id} sends an ETag; the same ETag in If-None-Match gets 304 with no body."""
    product = await create_product(client, admin_headers)
    first = await client.get(f"/products/{product['id']}")
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = await client.get(f"/products/{product['id']}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag


async def test_list_has_etag_and_304(client: httpx.AsyncClient, admin_headers):
    """GET /products sends an ETag, and If-None-Match with it gets 304 with no body."""
    await create_product(client, admin_headers)
    first = await client.get("/products")
    etag = first.headers["etag"]
    again = await client.get("/products", headers={"If-None-Match": etag})
    assert (again.status_code, again.content) == (304, b"")


async def test_if_none_match_forms(client: httpx.AsyncClient, admin_headers):
    """If-None-Match accepts a list of tags, weak tags and "*"; a different tag gets 200."""
    product = await create_product(client, admin_headers)
    url = f"/products/{product['id']}"
    etag = (await client.get(url)).headers["etag"]
    for header, expected in [
        (f'"other", {etag}', 304),
        (f"W/{etag}", 304),
        ("*", 304),
        ('"other"', 200),
        (etag[:-2] + '"', 200),
    ]:
        response = await client.get(url, headers={"If-None-Match": header})
        assert response.status_code == expected, header


async def test_etag_differs_between_filters(client: httpx.AsyncClient, admin_headers):
    """Each list query has its own ETag: a tag of one query never answers another."""
    await create_product(client, admin_headers, name="Lamp")
    await create_product(client, admin_headers, name="Book", category="books")
    all_etag = (await client.get("/products")).headers["etag"]
    books = await client.get(
        "/products", params={"category": "books"}, headers={"If-None-Match": all_etag}
    )
    assert books.status_code == 200
    assert [item["name"] for item in books.json()["items"]] == ["Book"]


async def test_second_read_is_served_from_the_cache(app, client: httpx.AsyncClient, admin_headers):
    """A second identical read is a cache hit, not another query."""
    product = await create_product(client, admin_headers)
    await client.get(f"/products/{product['id']}")
    hits = cache_of(app).hits
    await client.get(f"/products/{product['id']}")
    assert cache_of(app).hits == hits + 1


@pytest.mark.hole("09.invalidate_after_commit")
async def test_update_changes_both_etags_and_content(client: httpx.AsyncClient, admin_headers):
    """After a commit that changed a product, the cache must be invalidated: PATCH
    /products/{id} changes both ETags, and both reads show the new price."""
    product = await create_product(client, admin_headers)
    url = f"/products/{product['id']}"
    one, page = await client.get(url), await client.get("/products")
    response = await client.patch(url, json={"price": "25.00"}, headers=admin_headers)
    assert response.status_code == 200
    one_after = await client.get(url, headers={"If-None-Match": one.headers["etag"]})
    page_after = await client.get("/products", headers={"If-None-Match": page.headers["etag"]})
    assert one_after.status_code == 200 and page_after.status_code == 200
    assert one_after.json()["price"] == "25.00"
    assert page_after.json()["items"][0]["price"] == "25.00"
    assert one_after.headers["etag"] != one.headers["etag"]
    assert page_after.headers["etag"] != page.headers["etag"]


async def test_create_invalidates_the_list(client: httpx.AsyncClient, admin_headers):
    """A new product appears at once in a list that was cached before it existed."""
    await create_product(client, admin_headers, name="First")
    assert (await client.get("/products")).json()["total"] == 1
    await create_product(client, admin_headers, name="Second")
    names = [item["name"] for item in (await client.get("/products")).json()["items"]]
    assert names == ["Second", "First"]


async def test_delete_invalidates(client: httpx.AsyncClient, admin_headers):
    """A deleted product is 404 and gone from the list even right after both were cached."""
    product = await create_product(client, admin_headers)
    url = f"/products/{product['id']}"
    assert (await client.get(url)).status_code == 200
    assert (await client.get("/products")).json()["total"] == 1
    assert (await client.delete(url, headers=admin_headers)).status_code == 204
    assert (await client.get(url)).status_code == 404
    assert (await client.get("/products")).json()["total"] == 0


@pytest.mark.hole("09.invalidate_after_commit")
async def test_orders_never_leave_stale_stock(
    client: httpx.AsyncClient, admin_headers, user_headers
):
    """Placing, cancelling and shipping orders shows the new stock at once in cached reads."""
    product = await create_product(client, admin_headers, stock=10)
    url = f"/products/{product['id']}"

    async def quantities() -> tuple[int, int, int]:
        one = (await client.get(url)).json()
        listed = (await client.get("/products")).json()["items"][0]
        assert listed["available_quantity"] == one["available_quantity"]
        return one["stock_quantity"], one["reserved_quantity"], one["available_quantity"]

    assert await quantities() == (10, 0, 10)
    order = (await place(client, user_headers, (product["id"], 3))).json()
    assert await quantities() == (10, 3, 7)
    other = (await place(client, user_headers, (product["id"], 2))).json()
    assert await quantities() == (10, 5, 5)
    cancelled = await client.post(f"/orders/{other['id']}/cancel", headers=user_headers)
    assert cancelled.status_code == 200
    assert await quantities() == (10, 3, 7)
    for status in ("confirmed", "processing", "shipped"):
        assert await set_status(client, admin_headers, order["id"], status) == 200
    assert await quantities() == (7, 0, 7)


async def test_refused_order_keeps_cache_right(
    client: httpx.AsyncClient, admin_headers, user_headers
):
    """An order refused for stock (rolled back) leaves the cached quantities correct."""
    product = await create_product(client, admin_headers, stock=2)
    url = f"/products/{product['id']}"
    assert (await client.get(url)).json()["available_quantity"] == 2
    assert (await place(client, user_headers, (product["id"], 3))).status_code == 409
    assert (await client.get(url)).json()["available_quantity"] == 2


async def test_concurrent_orders_and_reads_end_consistent(
    client: httpx.AsyncClient, admin_headers, user_headers
):
    """Reads racing with orders never leave a stale entry behind once the orders are done."""
    product = await create_product(client, admin_headers, stock=10)
    url = f"/products/{product['id']}"
    orders = [place(client, user_headers, (product["id"], 1)) for _ in range(5)]
    reads = [client.get(url) for _ in range(10)]
    await asyncio.gather(*orders, *reads)
    assert (await client.get(url)).json()["available_quantity"] == 5
    assert (await client.get("/products")).json()["items"][0]["available_quantity"] == 5


async def test_a_value_read_before_a_change_is_never_stored_after_it():
    """The cache refuses an entry read during an older generation (the cache-aside race)."""
    from course_app.core.cache import CachedResponse, InMemoryCatalogueCache

    cache = InMemoryCatalogueCache()
    generation = await cache.generation()
    await cache.invalidate()  # a writer commits while the reader was at the database
    await cache.set("product:1", CachedResponse.of(b"{}"), generation)
    assert await cache.get("product:1") is None
    await cache.set("product:1", CachedResponse.of(b"{}"), await cache.generation())
    assert await cache.get("product:1") is not None


async def test_entries_expire_and_stay_bounded():
    """Entries expire after the TTL, and the cache holds at most max_entries."""
    from course_app.core.cache import CachedResponse, InMemoryCatalogueCache

    now = [0.0]
    cache = InMemoryCatalogueCache(ttl_seconds=10, max_entries=2, clock=lambda: now[0])
    for key in ("a", "b", "c"):
        await cache.set(key, CachedResponse.of(key.encode()), 0)
    assert await cache.get("a") is None and await cache.get("c") is not None
    now[0] = 11
    assert await cache.get("c") is None


async def test_sessions_that_do_not_report_writes_turn_the_cache_off(
    app, client: httpx.AsyncClient, admin_headers, user_headers
):
    """A test's own get_session override (notebook 08) must not leave cached reads stale."""
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from course_app.api.deps import get_session

    plain_sessions = async_sessionmaker(app.state.resources.database.engine, expire_on_commit=False)

    async def plain_session():
        async with plain_sessions() as session:
            yield session

    app.dependency_overrides[get_session] = plain_session
    try:
        product = await create_product(client, admin_headers, stock=10)
        url = f"/products/{product['id']}"
        assert (await client.get(url)).json()["reserved_quantity"] == 0
        assert (await place(client, user_headers, (product["id"], 4))).status_code == 201
        assert (await client.get(url)).json()["reserved_quantity"] == 4
    finally:
        app.dependency_overrides.clear()


async def add_product(session, name: str = "Lamp"):
    from decimal import Decimal

    from course_app.enums import ProductCategory
    from course_app.models import Product

    product = Product(
        name=name, slug=name.lower(), category=ProductCategory.HOME, price=Decimal("10.00")
    )
    product.stock_quantity = 10
    session.add(product)
    await session.commit()
    return product


@pytest.mark.hole("09.invalidate_after_commit")
async def test_the_cache_is_invalidated_after_the_commit_never_before(engine):
    """Invalidate after the commit, never before: a reader that runs at the moment of the
    invalidation must already find the new row, or it would cache the old one again."""
    from sqlalchemy import select

    from course_app.core.cache import InMemoryCatalogueCache
    from course_app.core.catalogue_changes import catalogue_session_factory
    from course_app.db import create_session_factory
    from course_app.models import Product
    from course_app.repositories.products import ProductRepository

    readers = create_session_factory(engine)
    seen: list[int | None] = []

    class ReadingCache(InMemoryCatalogueCache):
        async def invalidate(self) -> None:
            # What a concurrent request would read, and cache, at this very moment.
            async with readers() as reader:
                seen.append(await reader.scalar(select(Product.reserved_quantity)))
            await super().invalidate()

    sessions = catalogue_session_factory(engine, ReadingCache())
    async with sessions() as session:
        product = await add_product(session)
        seen.clear()
        assert await ProductRepository(session).reserve(product.id, 3)  # a bulk UPDATE
        await session.commit()
    assert seen == [3]


@pytest.mark.hole("09.invalidate_after_commit")
async def test_only_a_commit_that_wrote_products_invalidates(engine, known_password_hash):
    """Only a commit that wrote products invalidates: a commit that wrote nothing, or only a
    user, leaves the cache alone, and `pop` clears the mark so the next commit does not
    invalidate again."""
    from course_app.core.cache import InMemoryCatalogueCache
    from course_app.core.catalogue_changes import catalogue_session_factory
    from course_app.models import User

    cache = InMemoryCatalogueCache()
    sessions = catalogue_session_factory(engine, cache)
    async with sessions() as session:
        await add_product(session)
        assert await cache.generation() == 1
        await session.commit()
        assert await cache.generation() == 1
        session.add(
            User(email="ann@example.com", hashed_password=known_password_hash, full_name="Ann")
        )
        await session.commit()
        assert await cache.generation() == 1
