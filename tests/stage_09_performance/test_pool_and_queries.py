"""Stage 09: pool limits come from settings, an exhausted pool is a 503, and query budgets hold."""

import pytest
from pydantic import ValidationError

from tests.helpers import create_product, place
from tests.query_counter import count_queries


def engine_of(app):
    return app.state.resources.database.engine


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("database_pool_size", 0),
        ("database_max_overflow", -1),
        ("database_pool_timeout", 0),
        ("database_pool_timeout", "soon"),
        ("database_pool_recycle", -2),
        ("database_pool_pre_ping", "maybe"),
    ],
)
def test_bad_pool_settings_name_the_field(make_settings, field, value):
    """A bad pool setting fails at start-up with an error that names the field."""
    with pytest.raises(ValidationError) as caught:
        make_settings(**{field: value})
    assert field in str(caught.value)


def test_pool_settings_from_the_environment(monkeypatch):
    """DATABASE_POOL_SIZE and friends are read from the environment."""
    from course_app.settings import Settings

    monkeypatch.setenv("DATABASE_POOL_SIZE", "3")
    monkeypatch.setenv("DATABASE_POOL_TIMEOUT", "2.5")
    settings = Settings(_env_file=None)
    assert (settings.database_pool_size, settings.database_pool_timeout) == (3, 2.5)


async def test_engine_pool_uses_the_settings(make_app):
    """The app's engine has the pool size, overflow and timeout from settings."""
    from tests.helpers import open_client

    app = make_app(database_pool_size=2, database_max_overflow=1, database_pool_timeout=3)
    async with open_client(app):
        pool = engine_of(app).pool
        assert (pool.size(), pool._max_overflow, pool._timeout) == (2, 1, 3)


SERVER_URL = "postgresql+asyncpg://shop:secret@db.example:5432/shop"


@pytest.mark.parametrize(
    ("database_url", "pre_ping", "pinged"),
    [
        (SERVER_URL, True, True),
        (SERVER_URL, False, False),
        ("sqlite+aiosqlite:///./shop.db", True, False),
    ],
)
async def test_pre_ping_from_settings_but_never_for_a_sqlite_file(
    make_settings, database_url, pre_ping, pinged
):
    """A server may close a pooled connection behind the app's back, so its connections are
    pinged before use unless settings say not to. A SQLite file has no server: never pinged."""
    from course_app.core.pool import create_pooled_engine

    settings = make_settings(database_url=database_url, database_pool_pre_ping=pre_ping)
    engine = create_pooled_engine(settings)  # connects to nothing until first used
    try:
        assert engine.pool._pre_ping is pinged
    finally:
        await engine.dispose()


async def test_exhausted_pool_answers_503(make_app, known_password_hash):
    """With every connection held by a slow transaction, a request gets 503 after the timeout."""
    from sqlalchemy import text

    from tests.helpers import open_client

    app = make_app(database_pool_size=1, database_max_overflow=0, database_pool_timeout=0.2)
    async with open_client(app) as client:
        async with app.state.resources.session_factory() as slow:
            await slow.execute(text("SELECT 1"))  # holds the only connection until it ends
            response = await client.get("/products")
            assert response.status_code == 503
            assert "detail" in response.json()
        assert (await client.get("/products")).status_code == 200


async def test_cached_product_read_runs_no_query(app, client, admin_headers):
    """A cached GET /products/{id} (and its 304) sends no SQL at all."""
    product = await create_product(client, admin_headers)
    first = await client.get(f"/products/{product['id']}")
    with count_queries(engine_of(app)) as queries:
        await client.get(f"/products/{product['id']}")
        await client.get(
            f"/products/{product['id']}", headers={"If-None-Match": first.headers["etag"]}
        )
    assert queries.count == 0, queries


async def test_product_list_budget(app, client, admin_headers):
    """GET /products costs at most 2 statements (page and count), for 1 or 15 products."""
    counts = []
    for extra in (1, 14):
        for _ in range(extra):
            await create_product(client, admin_headers)
        with count_queries(engine_of(app)) as queries:
            assert (await client.get("/products")).status_code == 200
        counts.append(queries.count)
    assert counts[0] == counts[1] and counts[1] <= 2, counts


async def test_orders_list_budget_does_not_grow_with_orders(
    app, client, admin_headers, user_headers
):
    """GET /orders runs the same few statements for 1 order or 10 (no N+1 on items)."""
    products = [await create_product(client, admin_headers, stock=50) for _ in range(3)]
    counts = []
    for batch in (1, 9):
        for _ in range(batch):
            items = [(product["id"], 1) for product in products]
            assert (await place(client, user_headers, *items)).status_code == 201
        with count_queries(engine_of(app)) as queries:
            assert (await client.get("/orders", headers=user_headers)).status_code == 200
        counts.append(queries.count)
    assert counts[0] == counts[1] and counts[1] <= 4, counts


async def test_count_queries_records_statements(engine):
    """count_queries records each statement run inside the block, and only those."""
    from sqlalchemy import text

    async with engine.connect() as connection:
        with count_queries(engine) as queries:
            await connection.execute(text("SELECT 1"))
            await connection.execute(text("SELECT 2"))
        await connection.execute(text("SELECT 3"))
    assert queries == ["SELECT 1", "SELECT 2"]
