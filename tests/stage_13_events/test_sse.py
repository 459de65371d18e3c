"""Stage 13: GET /orders/{id}/events streams an order's status changes as Server-Sent Events."""

import asyncio
import json
from typing import Any

import httpx
import pytest

from tests.helpers import add_user
from tests.stage_13_events.shop import Shop, open_shop


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Streams look for new events every 10 ms instead of every second."""
    import course_app.api.routes.orders as routes

    monkeypatch.setattr(routes, "POLL_SECONDS", 0.01)


def parse(stream: str) -> list[dict[str, Any]]:
    """The events of a text/event-stream body, without comments (keep-alives)."""
    events = []
    for block in stream.strip().split("\n\n"):
        fields: dict[str, Any] = {}
        for line in block.splitlines():
            name, _, value = line.partition(": ")
            if name in ("id", "event"):
                fields[name] = value
            elif name == "data":
                fields["data"] = json.loads(value)
        if fields:
            events.append(fields)
    return events


async def subscribe(shop: Shop, order_id: str, headers: dict[str, str]) -> httpx.Response:
    response = await shop.client.get(f"/orders/{order_id}/events", headers=headers)
    return response


async def test_the_owner_gets_the_history_and_the_stream_ends_when_final(
    database_url: str, known_password_hash: str
) -> None:
    """For an order that is already delivered, the owner gets every change as an event (id,
    event "status", data with the status) and the stream ends."""
    async with open_shop(database_url, known_password_hash) as shop:
        order_id = await shop.order()
        await shop.move(order_id, "confirmed", "processing", "shipped", "delivered")
        response = await subscribe(shop, order_id, shop.user)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = parse(response.text)
    assert [e["data"]["status"] for e in events] == [
        "pending",
        "confirmed",
        "processing",
        "shipped",
        "delivered",
    ]
    assert {e["event"] for e in events} == {"status"}
    assert {e["data"]["order_id"] for e in events} == {order_id}
    ids = [int(e["id"]) for e in events]
    assert ids == sorted(ids) and len(set(ids)) == 5


async def test_changes_made_while_subscribed_arrive_live(
    database_url: str, known_password_hash: str
) -> None:
    """A subscriber connected before the changes receives each of them, then the stream ends
    when the order is cancelled: the stream polls the database for events after the last id."""
    async with open_shop(database_url, known_password_hash) as shop:
        order_id = await shop.order()
        listening = asyncio.create_task(subscribe(shop, order_id, shop.user))
        await asyncio.sleep(0.05)
        await shop.move(order_id, "confirmed")
        await asyncio.sleep(0.05)
        await shop.move(order_id, "cancelled")
        response = await asyncio.wait_for(listening, timeout=30)
    statuses = [e["data"]["status"] for e in parse(response.text)]
    assert statuses == ["pending", "confirmed", "cancelled"]


async def test_last_event_id_resumes_after_that_event(
    database_url: str, known_password_hash: str
) -> None:
    """With Last-Event-ID, the stream starts after that event; a bad one is a 422, not a 500."""
    async with open_shop(database_url, known_password_hash) as shop:
        order_id = await shop.order()
        await shop.move(order_id, "confirmed", "cancelled")
        everything = parse((await subscribe(shop, order_id, shop.user)).text)
        resumed = await subscribe(
            shop, order_id, shop.user | {"Last-Event-ID": everything[0]["id"]}
        )
        assert [e["id"] for e in parse(resumed.text)] == [e["id"] for e in everything[1:]]
        past_the_end = await subscribe(
            shop, order_id, shop.user | {"Last-Event-ID": everything[-1]["id"]}
        )
        assert (past_the_end.status_code, parse(past_the_end.text)) == (200, [])
        for bad in ("abc", "-1", str(2**40)):
            refused = await subscribe(shop, order_id, shop.user | {"Last-Event-ID": bad})
            assert refused.status_code == 422, bad


async def test_only_the_owner_or_an_admin_may_subscribe(
    database_url: str, known_password_hash: str
) -> None:
    """Another user gets 404 (as for GET /orders/{id}), no token gets 401, an admin the stream."""
    async with open_shop(database_url, known_password_hash) as shop:
        order_id = await shop.order()
        await shop.move(order_id, "cancelled")
        _, stranger = await add_user(shop.app, known_password_hash, email="s@example.com")
        assert (await subscribe(shop, order_id, stranger)).status_code == 404
        assert (await subscribe(shop, order_id, {})).status_code == 401
        unknown = await subscribe(shop, "00000000-0000-4000-8000-000000000000", shop.user)
        assert unknown.status_code == 404
        admin = await subscribe(shop, order_id, shop.admin)
        assert [e["data"]["status"] for e in parse(admin.text)] == ["pending", "cancelled"]


async def test_openapi_documents_the_stream(client: httpx.AsyncClient) -> None:
    """GET /orders/{order_id}/events is documented as text/event-stream, with Last-Event-ID."""
    operation = (await client.get("/openapi.json")).json()["paths"]["/orders/{order_id}/events"]
    get = operation["get"]
    assert "text/event-stream" in get["responses"]["200"]["content"]
    assert {"401", "404"} <= set(get["responses"])
    assert "Last-Event-ID" in {p["name"] for p in get["parameters"] if p["in"] == "header"}
