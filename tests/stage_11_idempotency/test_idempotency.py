"""Stage 11: POST /orders with an Idempotency-Key places one order, however often it is sent."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.helpers import add_user, create_product, open_client, place
from tests.smtp_sink import smtp_sink

KEY = "checkout-7f3a"


def body_of(*items: tuple[str, int], **extra: Any) -> dict[str, Any]:
    return {"items": [{"product_id": pid, "quantity": qty} for pid, qty in items], **extra}


def with_key(headers: dict[str, str], key: str = KEY) -> dict[str, str]:
    return headers | {"Idempotency-Key": key}


async def reserved(client: httpx.AsyncClient, product_id: str) -> int:
    product = (await client.get(f"/products/{product_id}")).json()
    reserved_quantity: int = product["reserved_quantity"]
    return reserved_quantity


async def orders_of(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    total: int = (await client.get("/orders", headers=headers)).json()["total"]
    return total


async def test_without_a_key_every_post_is_a_new_order(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """Without Idempotency-Key nothing changes: two identical POSTs place two orders."""
    product = await create_product(client, admin_headers, stock=10)
    first = await place(client, user_headers, (product["id"], 1))
    second = await place(client, user_headers, (product["id"], 1))
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]
    assert await reserved(client, product["id"]) == 2


@pytest.mark.hole("11.replay")
async def test_a_repeat_with_the_same_key_returns_the_first_order(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """A repeat with the same key and body gets the first order and 201 again, and reserves
    nothing: look the key up before placing anything, and answer with the remembered order."""
    product = await create_product(client, admin_headers, stock=10)
    body = body_of((product["id"], 2), customer_notes="Ring twice")
    first = await client.post("/orders", json=body, headers=with_key(user_headers))
    again = await client.post("/orders", json=body, headers=with_key(user_headers))
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert again.json() == first.json()
    assert await reserved(client, product["id"]) == 2
    assert await orders_of(client, user_headers) == 1


@pytest.mark.hole("11.replay")
async def test_the_same_request_written_differently_is_a_repeat(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """Key order, spaces, an upper-case UUID or a missing null field do not make a new request:
    the fingerprint is of the validated body, not of its bytes."""
    product = await create_product(client, admin_headers, stock=10)
    first = await client.post(
        "/orders",
        json={"items": [{"product_id": product["id"], "quantity": 1}], "customer_notes": None},
        headers=with_key(user_headers),
    )
    content = f'{{ "items" : [ {{"quantity": 1, "product_id": "{product["id"].upper()}"}} ] }}'
    again = await client.post(
        "/orders",
        content=content,
        headers=with_key(user_headers) | {"Content-Type": "application/json"},
    )
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert again.json()["id"] == first.json()["id"]
    assert await reserved(client, product["id"]) == 1


@pytest.mark.hole("11.replay")
async def test_the_same_key_with_another_body_is_refused(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """The same key with a different body gets 422 and reserves nothing: compare the stored
    request hash, and refuse (IdempotencyKeyReusedError) when it differs."""
    product = await create_product(client, admin_headers, stock=10)
    first = await client.post(
        "/orders", json=body_of((product["id"], 1)), headers=with_key(user_headers)
    )
    other = await client.post(
        "/orders", json=body_of((product["id"], 3)), headers=with_key(user_headers)
    )
    assert first.status_code == 201
    assert other.status_code == 422, other.text
    assert "Idempotency-Key" in other.json()["detail"]
    assert await reserved(client, product["id"]) == 1
    assert await orders_of(client, user_headers) == 1


@pytest.mark.hole("11.replay")
async def test_keys_are_per_user(
    app: Any,
    client: httpx.AsyncClient,
    admin_headers: dict,
    user_headers: dict,
    known_password_hash: str,
) -> None:
    """Two users who pick the same key each get an order of their own: look the key up for
    this user (user id and key), never by the key alone."""
    _, other_headers = await add_user(app, known_password_hash, email="other@example.com")
    product = await create_product(client, admin_headers, stock=10)
    body = body_of((product["id"], 1))
    mine = await client.post("/orders", json=body, headers=with_key(user_headers))
    theirs = await client.post("/orders", json=body, headers=with_key(other_headers))
    assert (mine.status_code, theirs.status_code) == (201, 201), theirs.text
    assert mine.json()["id"] != theirs.json()["id"]
    assert theirs.json()["user_id"] != mine.json()["user_id"]
    assert await reserved(client, product["id"]) == 2


@pytest.mark.hole("11.lost_race")
async def test_a_failure_is_not_remembered(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """Only created orders are remembered: a 409 (no stock) or a 404 (unknown product) reaches
    the client, and the same key is processed anew. When no twin placed the order, re-raise."""
    product = await create_product(client, admin_headers, stock=1)
    body = body_of((product["id"], 2))
    refused = await client.post("/orders", json=body, headers=with_key(user_headers))
    assert refused.status_code == 409
    restocked = await client.patch(
        f"/products/{product['id']}", json={"stock_quantity": 5}, headers=admin_headers
    )
    assert restocked.status_code == 200
    placed = await client.post("/orders", json=body, headers=with_key(user_headers))
    assert placed.status_code == 201, placed.text
    assert await reserved(client, product["id"]) == 2

    unknown = body_of((str(uuid.uuid4()), 1))
    missing = await client.post("/orders", json=unknown, headers=with_key(user_headers, "k404"))
    assert missing.status_code == 404
    retried = await client.post(
        "/orders", json=body_of((product["id"], 1)), headers=with_key(user_headers, "k404")
    )
    assert retried.status_code == 201, retried.text


@pytest.mark.parametrize(
    ("key", "expected"),
    [("", 422), ("k" * 256, 422), ("k" * 255, 201), ("a b/c:d", 201)],
    ids=["empty", "256 characters", "255 characters", "spaces and punctuation"],
)
async def test_the_key_is_1_to_255_characters(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict, key: str, expected: int
) -> None:
    """An empty key or one over 255 characters gets 422 naming the header, before any order."""
    product = await create_product(client, admin_headers, stock=10)
    response = await client.post(
        "/orders", json=body_of((product["id"], 1)), headers=with_key(user_headers, key)
    )
    assert response.status_code == expected, response.text
    if expected == 422:
        [problem] = response.json()["detail"]
        assert problem["loc"] == ["header", "Idempotency-Key"]
        assert await reserved(client, product["id"]) == 0


async def test_openapi_documents_the_header(client: httpx.AsyncClient) -> None:
    """POST /orders documents an optional Idempotency-Key header of at most 255 characters."""
    operation = (await client.get("/openapi.json")).json()["paths"]["/orders"]["post"]
    [header] = [p for p in operation["parameters"] if p["in"] == "header"]
    assert header["name"] == "Idempotency-Key"
    assert not header.get("required", False)
    schema = header["schema"]
    [string] = [option for option in schema.get("anyOf", [schema]) if option["type"] == "string"]
    assert (string["minLength"], string["maxLength"]) == (1, 255)


async def placed_concurrently(
    database_url: str, known_password_hash: str, stock: int, requests: int
) -> tuple[list[httpx.Response], int, int]:
    """`requests` identical POSTs with one key, all at once: responses, reserved, orders."""
    from course_app.main import create_app
    from course_app.settings import Settings

    app = create_app(Settings(_env_file=None, environment="test", database_url=database_url))
    async with open_client(app) as client:
        _, admin = await add_user(app, known_password_hash, email="a@example.com", role="admin")
        _, user = await add_user(app, known_password_hash, email="u@example.com")
        product = await create_product(client, admin, stock=stock)
        body = body_of((product["id"], 1))
        responses = await asyncio.gather(
            *(client.post("/orders", json=body, headers=with_key(user)) for _ in range(requests))
        )
        return responses, await reserved(client, product["id"]), await orders_of(client, user)


@pytest.mark.hole("11.lost_race")
async def test_ten_concurrent_requests_with_one_key_reserve_once(
    fresh_url: str, known_password_hash: str
) -> None:
    """Ten concurrent POSTs with one key all get 201 and the same order, and one unit is
    reserved: a request that lost the race for the key must answer with the winner's order,
    not with the IntegrityError (409) of the duplicate key."""
    responses, reserved_units, orders = await placed_concurrently(
        fresh_url, known_password_hash, stock=10, requests=10
    )
    assert [r.status_code for r in responses] == [201] * 10, [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert (reserved_units, orders) == (1, 1)


@pytest.mark.hole("11.lost_race")
async def test_concurrent_requests_for_the_last_unit_share_the_winners_order(
    fresh_url: str, known_password_hash: str
) -> None:
    """Ten concurrent POSTs with one key for the last unit: the losers' own reservations fail
    (409), yet each gets the winner's order: after a failure, look for a twin's key first."""
    responses, reserved_units, orders = await placed_concurrently(
        fresh_url, known_password_hash, stock=1, requests=10
    )
    assert [r.status_code for r in responses] == [201] * 10, [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert (reserved_units, orders) == (1, 1)


async def test_the_key_and_the_order_are_written_together(
    app: Any, client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """The key's row is written with the order: one row per created order, none for a failure."""
    from sqlalchemy import func, select

    from course_app.idempotency import IdempotencyKey

    product = await create_product(client, admin_headers, stock=1)
    placed = await client.post(
        "/orders", json=body_of((product["id"], 1)), headers=with_key(user_headers)
    )
    refused = await client.post(
        "/orders", json=body_of((product["id"], 1)), headers=with_key(user_headers, "second")
    )
    assert (placed.status_code, refused.status_code) == (201, 409)
    async with app.state.resources.session_factory() as session:
        rows = (await session.scalars(select(IdempotencyKey))).all()
        assert await session.scalar(select(func.count()).select_from(IdempotencyKey)) == 1
    [row] = rows
    assert (row.key, str(row.order_id), row.status_code) == (KEY, placed.json()["id"], 201)
    assert len(row.request_hash) == 64


async def test_expired_keys_are_deleted_and_then_place_a_new_order(
    app: Any, client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """delete_expired_keys removes keys older than the retention and keeps newer ones; a key
    that was deleted places a new order: protection lasts as long as the key is kept."""
    from course_app.services.idempotency import KEY_RETENTION, delete_expired_keys

    product = await create_product(client, admin_headers, stock=10)
    body = body_of((product["id"], 1))
    first = await client.post("/orders", json=body, headers=with_key(user_headers))
    assert first.status_code == 201
    sessions = app.state.resources.session_factory
    async with sessions() as session:
        assert await delete_expired_keys(session) == 0
    later = datetime.now(UTC) + KEY_RETENTION + timedelta(minutes=1)
    async with sessions() as session:
        assert await delete_expired_keys(session, now=later) == 1
    again = await client.post("/orders", json=body, headers=with_key(user_headers))
    assert again.status_code == 201
    assert again.json()["id"] != first.json()["id"]
    assert await reserved(client, product["id"]) == 2


def test_the_fingerprint_ignores_form_and_sees_values() -> None:
    """request_fingerprint: the same for equal validated bodies, different for any other value."""
    from course_app.schemas.orders import OrderCreate
    from course_app.services.idempotency import request_fingerprint

    product = uuid.uuid4()

    def fingerprint(**data: Any) -> str:
        return request_fingerprint(OrderCreate.model_validate(data))

    base = fingerprint(items=[{"product_id": str(product), "quantity": 1}])
    assert base == fingerprint(items=[{"quantity": 1, "product_id": str(product).upper()}])
    assert base == fingerprint(
        items=[{"product_id": str(product), "quantity": 1}], customer_notes=None
    )
    assert base != fingerprint(items=[{"product_id": str(product), "quantity": 2}])
    assert base != fingerprint(
        items=[{"product_id": str(product), "quantity": 1}], customer_notes="x"
    )
    assert len(base) == 64 and int(base, 16) >= 0


async def test_the_migration_adds_the_table_and_removes_it(fresh_url: str) -> None:
    """Revision 8f2c6a1d9b47 follows the initial schema: upgrade creates idempotency_keys,
    downgrade to 3d1875a489a2 drops it and leaves the rest."""
    from alembic import command
    from alembic.script import ScriptDirectory
    from sqlalchemy import inspect

    from course_app.core.migrations import alembic_config, run_alembic
    from course_app.db import create_engine

    # Later stages add revisions after this one: it need not stay the head.
    revision = ScriptDirectory.from_config(alembic_config()).get_revision("8f2c6a1d9b47")
    assert revision is not None and revision.down_revision == "3d1875a489a2"
    engine = create_engine(fresh_url)
    try:
        await run_alembic(engine, command.upgrade, "8f2c6a1d9b47")  # later stages add more
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        assert "idempotency_keys" in tables
        await run_alembic(engine, command.downgrade, "3d1875a489a2")
        async with engine.connect() as connection:
            after = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        assert after == tables - {"idempotency_keys"}
    finally:
        await engine.dispose()


async def test_a_replay_sends_no_second_confirmation(
    make_app: Any, known_password_hash: str
) -> None:
    """Only the first request of a key emails a confirmation; a replay sends nothing."""
    with smtp_sink() as (url, inbox):
        app = make_app(smtp_url=url)
        async with open_client(app) as client:
            _, admin = await add_user(app, known_password_hash, email="a@example.com", role="admin")
            _, user = await add_user(app, known_password_hash, email="u@example.com")
            product = await create_product(client, admin, stock=10)
            body = body_of((product["id"], 1))
            for _ in range(3):
                response = await client.post("/orders", json=body, headers=with_key(user))
                assert response.status_code == 201
        assert len(inbox.messages) == 1
