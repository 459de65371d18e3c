"""Stage 09: with redis_url set, the login limit and the catalogue cache are shared by workers."""

from collections.abc import Iterator

import pytest

from course_tools.redis_server import free_port, running_redis
from tests.helpers import add_user, create_product, open_client


@pytest.fixture(scope="module")
def redis_server() -> Iterator[str]:
    with running_redis() as url:
        yield url


@pytest.fixture
def redis_url(redis_server: str) -> str:
    from redis import Redis

    with Redis.from_url(redis_server) as client:
        client.flushdb()
    return redis_server


async def login(client, email: str = "nobody@example.com"):
    return await client.post("/auth/token", data={"username": email, "password": "wrong"})


@pytest.mark.hole("09.redis_hit")
async def test_limit_is_shared_by_two_workers(make_app, redis_url):
    """Two apps on one Redis allow N login attempts in total, the Nth included (`count <= limit`),
    then 429 with Retry-After."""
    first = make_app(redis_url=redis_url, rate_limit_requests=3, rate_limit_window_seconds=30)
    second = make_app(redis_url=redis_url, rate_limit_requests=3, rate_limit_window_seconds=30)
    async with open_client(first) as one, open_client(second) as two:
        codes = [(await login(client)).status_code for client in (one, two, one)]
        assert codes == [401, 401, 401]
        for client in (two, one):
            refused = await login(client)
            assert refused.status_code == 429
            assert 1 <= int(refused.headers["retry-after"]) <= 30


async def test_window_expires_in_redis(make_app, redis_url):
    """The Redis key of a window has a TTL: it never outlives the window."""
    from redis.asyncio import Redis

    app = make_app(redis_url=redis_url, rate_limit_requests=1, rate_limit_window_seconds=20)
    async with open_client(app) as client:
        await login(client)
    async with Redis.from_url(redis_url) as redis:
        keys = await redis.keys("ratelimit:*")
        assert len(keys) == 1
        assert 0 < await redis.ttl(keys[0]) <= 20


def redis_limiter(redis, limit: int, window_seconds: int):
    from course_app.core.rate_limit import InMemoryRateLimiter
    from course_app.core.redis_backends import RedisRateLimiter

    return RedisRateLimiter(
        redis, limit, window_seconds, InMemoryRateLimiter(limit, window_seconds)
    )


@pytest.mark.hole("09.redis_hit")
async def test_an_attempt_never_restarts_the_window(redis_url):
    """A later attempt never restarts the window: count with the one script, whose EXPIRE runs
    only on the first hit. An EXPIRE on every attempt would never let a persistent client go."""
    from redis.asyncio import Redis

    async with Redis.from_url(redis_url) as redis:
        limiter = redis_limiter(redis, limit=5, window_seconds=60)
        assert (await limiter.hit("ann")).allowed
        await redis.expire("ratelimit:ann", 5)  # as if 55 of the 60 seconds had passed
        assert (await limiter.hit("ann")).allowed
        assert 0 < await redis.ttl("ratelimit:ann") <= 5


@pytest.mark.hole("09.redis_hit")
async def test_retry_after_is_the_time_left_in_the_window(redis_url):
    """Retry-After is the time left in the window, the key's TTL that the script returns, not
    the whole window_seconds: a refused client waits no longer than it must."""
    from redis.asyncio import Redis

    async with Redis.from_url(redis_url) as redis:
        limiter = redis_limiter(redis, limit=1, window_seconds=60)
        assert (await limiter.hit("ann")).allowed
        await redis.expire("ratelimit:ann", 5)  # as if 55 of the 60 seconds had passed
        refused = await limiter.hit("ann")
        assert not refused.allowed
        assert 1 <= refused.retry_after <= 5


async def test_cache_invalidation_reaches_every_worker(make_app, redis_url, known_password_hash):
    """A change made through one app changes what the other serves, and both ETags at once."""
    first = make_app(redis_url=redis_url)
    second = make_app(redis_url=redis_url)
    async with open_client(first) as one, open_client(second) as two:
        _, admin = await add_user(first, known_password_hash, email="a@example.com", role="admin")
        product = await create_product(one, admin, price="10.00")
        url = f"/products/{product['id']}"
        cached = await one.get(url)
        listed = await one.get("/products")
        # The second worker serves the first one's cache entry: same ETag, so 304.
        assert (
            await two.get(url, headers={"If-None-Match": cached.headers["etag"]})
        ).status_code == 304
        patched = await two.patch(url, json={"price": "12.00"}, headers=admin)
        assert patched.status_code == 200
        after = await one.get(url, headers={"If-None-Match": cached.headers["etag"]})
        after_list = await one.get("/products", headers={"If-None-Match": listed.headers["etag"]})
        assert after.status_code == 200 and after.json()["price"] == "12.00"
        assert after_list.status_code == 200 and after_list.json()["items"][0]["price"] == "12.00"


async def test_orders_invalidate_the_shared_cache(make_app, redis_url, known_password_hash):
    """An order placed through one worker shows its reservation at once on the other."""
    from tests.helpers import place

    first = make_app(redis_url=redis_url)
    second = make_app(redis_url=redis_url)
    async with open_client(first) as one, open_client(second) as two:
        _, admin = await add_user(first, known_password_hash, email="a@example.com", role="admin")
        _, user = await add_user(first, known_password_hash, email="u@example.com")
        product = await create_product(one, admin, stock=5)
        url = f"/products/{product['id']}"
        assert (await one.get(url)).json()["available_quantity"] == 5
        assert (await place(two, user, (product["id"], 2))).status_code == 201
        assert (await one.get(url)).json()["available_quantity"] == 3


@pytest.mark.hole("09.redis_hit")
async def test_redis_down_fails_open_to_this_process(make_app, known_password_hash):
    """With Redis unreachable, logins fall back to the in-process limiter: still limited, per
    worker, never a 500 and never unlimited. Reads still work."""
    app = make_app(
        redis_url=f"redis://127.0.0.1:{free_port()}/0",
        rate_limit_requests=2,
        rate_limit_window_seconds=30,
    )
    async with open_client(app) as client:
        codes = [(await login(client)).status_code for _ in range(3)]
        assert codes == [401, 401, 429]
        _, admin = await add_user(app, known_password_hash, email="a@example.com", role="admin")
        product = await create_product(client, admin)
        response = await client.get(f"/products/{product['id']}")
        assert response.status_code == 200 and "etag" in response.headers
        patched = await client.patch(
            f"/products/{product['id']}", json={"price": "5.00"}, headers=admin
        )
        assert patched.status_code == 200
        assert (await client.get(f"/products/{product['id']}")).json()["price"] == "5.00"


def test_running_redis_starts_and_always_stops(monkeypatch):
    """course_tools' Redis listens on 127.0.0.1 while the block runs and is gone after it."""
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    monkeypatch.delenv("REDIS_URL", raising=False)
    with running_redis() as url:
        assert url.startswith("redis://127.0.0.1:")
        with Redis.from_url(url) as client:
            assert client.ping() is True
    with (
        Redis.from_url(url, socket_connect_timeout=0.5) as client,
        pytest.raises(RedisConnectionError),
    ):
        client.ping()


def test_running_redis_honours_redis_url(monkeypatch):
    """An existing REDIS_URL is used as it is: no server is started."""
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    with running_redis() as url:
        assert url == "redis://127.0.0.1:1/0"
