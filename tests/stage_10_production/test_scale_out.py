"""Stage 10: the service scaled out. Two uvicorn processes share one PostgreSQL and one Redis.

Whatever process a request reaches, the shop behaves as one: the last units of stock are sold
once, a login limit of N allows N attempts in total, and a product change reaches every process's
cache at once. This always runs on PostgreSQL (a throw-away server, or the one DATABASE_URL
names, with a fresh database) and its own Redis; every server is stopped, even on failure.
"""

import asyncio
import itertools
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

import httpx
import pytest

from course_tools.databases import postgres_databases
from course_tools.paths import find_root
from course_tools.redis_server import running_redis
from course_tools.uvicorn_server import uvicorn_server
from tests.helpers import PASSWORD

pytestmark = pytest.mark.heavy  # tens of seconds: `make test-slow` runs it

PROCESSES = 2
LOGIN_LIMIT = 4
SECRET = "scale-out-test-secret-key-of-at-least-32-characters"

T = TypeVar("T")


def run_in_own_loop(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to the end from sync code, in a thread with its own event loop."""

    async def run() -> T:
        return await make()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run()).result()


@dataclass(frozen=True)
class Shop:
    urls: list[str]  # one base URL per server process
    admin: dict[str, str]  # bearer headers
    customer: dict[str, str]


async def create_schema_and_users(database_url: str) -> tuple[Any, Any]:
    """The tables, once, before any server starts; an admin and a customer, straight in the
    database (two processes each creating a first admin on start would race)."""
    from course_app.core.security import password_hash
    from course_app.db import open_database
    from course_app.enums import UserRole
    from course_app.models import User

    async with open_database(database_url) as database, database.session_factory() as session:
        hashed = password_hash.hash(PASSWORD)
        admin = User(
            email="admin@example.com", hashed_password=hashed, full_name="Admin",
            role=UserRole.ADMIN,
        )  # fmt: skip
        customer = User(email="customer@example.com", hashed_password=hashed, full_name="Ann")
        session.add_all([admin, customer])
        await session.commit()
        return admin.id, customer.id


def bearer(user_id: Any) -> dict[str, str]:
    from course_app.core.security import create_access_token

    return {"Authorization": f"Bearer {create_access_token(user_id, SECRET, timedelta(hours=1))}"}


@pytest.fixture(scope="module")
def shop() -> Iterator[Shop]:
    with ExitStack() as stack:
        databases = stack.enter_context(postgres_databases())
        database_url = databases.create()
        redis_url = stack.enter_context(running_redis(honour_env=False))
        admin_id, customer_id = run_in_own_loop(lambda: create_schema_and_users(database_url))
        environment = {
            "ENVIRONMENT": "test",
            "SECRET_KEY": SECRET,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "RATE_LIMIT_REQUESTS": str(LOGIN_LIMIT),
            "RATE_LIMIT_WINDOW_SECONDS": "300",
            "PYTHONPATH": str(find_root()),
        }
        urls = [
            stack.enter_context(uvicorn_server("course_app.main:app", env=environment))
            for _ in range(PROCESSES)
        ]
        yield Shop(urls, bearer(admin_id), bearer(customer_id))
    # Leaving the block stopped the servers (last started, first stopped), then Redis and
    # PostgreSQL, whether the tests passed or not.


def spread(urls: list[str], count: int) -> list[str]:
    """`count` base URLs taking turns: the requests are spread evenly over the processes."""
    return list(itertools.islice(itertools.cycle(urls), count))


async def test_the_last_10_units_are_sold_once_across_processes(shop: Shop) -> None:
    """50 concurrent orders for the last 10 units, spread over both processes: exactly 10 are
    placed (201), 40 are refused with 409 (not enough stock), and nothing is left to sell."""
    async with httpx.AsyncClient(trust_env=False, timeout=60) as client:
        body = {"name": "Last Lamps", "category": "home", "price": "19.99", "stock_quantity": 10}
        created = await client.post(f"{shop.urls[0]}/products", json=body, headers=shop.admin)
        assert created.status_code == 201, created.text
        product_id = created.json()["id"]
        order = {"items": [{"product_id": product_id, "quantity": 1}]}
        responses = await asyncio.gather(
            *(
                client.post(f"{url}/orders", json=order, headers=shop.customer)
                for url in spread(shop.urls, 50)
            )
        )
        codes = sorted(response.status_code for response in responses)
        assert codes == [201] * 10 + [409] * 40, [r.text[:120] for r in responses]
        refused = [response for response in responses if response.status_code == 409]
        assert all("stock" in response.json()["detail"] for response in refused)
        for url in shop.urls:
            product = (await client.get(f"{url}/products/{product_id}")).json()
            assert (product["stock_quantity"], product["reserved_quantity"]) == (10, 10)
            assert product["available_quantity"] == 0
        orders = await client.get(f"{shop.urls[1]}/orders?per_page=100", headers=shop.customer)
        assert orders.json()["total"] == 10


async def test_a_login_limit_of_n_allows_n_attempts_in_total(shop: Shop) -> None:
    """RATE_LIMIT_REQUESTS=N on every process: of 3N concurrent attempts spread over them,
    exactly N are judged (401, a wrong password) and the rest get 429 with Retry-After."""
    form = {"username": "customer@example.com", "password": "not-the-password"}
    async with httpx.AsyncClient(trust_env=False, timeout=60) as client:
        responses = await asyncio.gather(
            *(
                client.post(f"{url}/auth/token", data=form)
                for url in spread(shop.urls, 3 * LOGIN_LIMIT)
            )
        )
    codes = sorted(response.status_code for response in responses)
    assert codes == [401] * LOGIN_LIMIT + [429] * (2 * LOGIN_LIMIT)
    refused = [response for response in responses if response.status_code == 429]
    assert all(int(response.headers["retry-after"]) >= 1 for response in refused)


async def test_a_product_change_reaches_every_process_at_once(shop: Shop) -> None:
    """Both processes have the product cached; a PATCH through one changes what the other serves
    at once: the new price, a new ETag, and the old ETag no longer gets 304."""
    first, second = shop.urls[0], shop.urls[-1]
    async with httpx.AsyncClient(trust_env=False, timeout=60) as client:
        body = {"name": "Cached Lamp", "category": "home", "price": "10.00", "stock_quantity": 3}
        created = await client.post(f"{first}/products", json=body, headers=shop.admin)
        assert created.status_code == 201, created.text
        path = f"/products/{created.json()['id']}"
        before = {url: await client.get(url + path) for url in (first, second)}
        lists = {url: await client.get(url + "/products") for url in (first, second)}
        old_etag = before[second].headers["etag"]
        again = await client.get(second + path, headers={"If-None-Match": old_etag})
        assert again.status_code == 304, "the second process serves it from its cache"

        changed = await client.patch(first + path, json={"price": "12.50"}, headers=shop.admin)
        assert changed.status_code == 200, changed.text

        for url in (first, second):
            after = await client.get(url + path, headers={"If-None-Match": old_etag})
            assert after.status_code == 200, f"{url} still answers 304 to the old ETag"
            assert after.json()["price"] == "12.50"
            assert after.headers["etag"] != before[url].headers["etag"]
            listed = await client.get(url + "/products")
            assert listed.headers["etag"] != lists[url].headers["etag"]
