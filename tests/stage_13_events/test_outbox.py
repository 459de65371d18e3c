"""Stage 13: every change of an order's status writes its event to the outbox, in the same
transaction as the change."""

import uuid
from typing import Any

import pytest

from tests.stage_13_events.shop import open_shop


class Injected(Exception):
    """The failure a test injects right after the event was added."""


@pytest.mark.hole("13.same_transaction")
async def test_every_status_change_writes_an_event(
    database_url: str, known_password_hash: str
) -> None:
    """Placing, confirming and cancelling an order write three events, in order, each with the
    new and previous status and the items: add an OutboxEvent to the session for each change."""
    async with open_shop(database_url, known_password_hash) as shop:
        order_id = await shop.order(quantity=2)
        await shop.move(order_id, "confirmed")
        cancel = await shop.client.post(f"/orders/{order_id}/cancel", headers=shop.user)
        assert cancel.status_code == 200
        events = await shop.events()
    assert [(e.previous_status, e.status) for e in events] == [
        (None, "pending"),
        ("pending", "confirmed"),
        ("confirmed", "cancelled"),
    ]
    assert {str(e.order_id) for e in events} == {order_id}
    assert all(e.delivered_at is None for e in events)
    assert events[0].payload["items"] == [{"product_id": shop.product_id, "quantity": 2}]


async def test_a_refused_change_writes_no_event(
    database_url: str, known_password_hash: str
) -> None:
    """A transition that is not allowed (409) or an order refused for stock writes nothing."""
    async with open_shop(database_url, known_password_hash, stock=1) as shop:
        order_id = await shop.order()
        refused = await shop.client.patch(
            f"/orders/{order_id}/status", json={"status": "delivered"}, headers=shop.admin
        )
        assert refused.status_code == 409
        too_many = await shop.client.post(
            "/orders",
            json={"items": [{"product_id": shop.product_id, "quantity": 5}]},
            headers=shop.user,
        )
        assert too_many.status_code == 409
        assert [e.status for e in await shop.events()] == ["pending"]


def fail_after_recording(monkeypatch: pytest.MonkeyPatch) -> None:
    """The orders service records the event as usual, then fails: the change must roll back."""
    import course_app.services.orders as orders

    record = orders.record_status_change

    async def record_then_fail(*arguments: Any, **options: Any) -> Any:
        await record(*arguments, **options)
        raise Injected("the transaction fails after the event was added")

    monkeypatch.setattr(orders, "record_status_change", record_then_fail)


@pytest.mark.hole("13.same_transaction")
async def test_a_failure_after_the_event_leaves_neither_order_nor_event(
    database_url: str, known_password_hash: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure after the event was added rolls back the order, its reservation and the event
    together: add the event to the caller's session and never commit it on its own."""
    from course_app.models import User
    from course_app.schemas.orders import OrderCreate
    from course_app.services.orders import place_order

    async with open_shop(database_url, known_password_hash) as shop:
        sessions = shop.app.state.resources.session_factory
        data = OrderCreate.model_validate(
            {"items": [{"product_id": shop.product_id, "quantity": 3}]}
        )
        fail_after_recording(monkeypatch)
        async with sessions() as session:
            user = await session.get(User, shop.user_id)
            with pytest.raises(Injected):
                await place_order(session, user, data)
        orders = await shop.client.get("/orders", headers=shop.user)
        product = await shop.client.get(f"/products/{shop.product_id}")
        assert (orders.json()["total"], await shop.events()) == (0, [])
        assert product.json()["reserved_quantity"] == 0


@pytest.mark.hole("13.same_transaction")
async def test_a_failed_status_change_leaves_the_status_and_no_event(
    database_url: str, known_password_hash: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A status change that fails after its event was added keeps the old status and writes no
    event: the event belongs to the change's transaction, not to one of its own."""
    from course_app.enums import OrderStatus
    from course_app.models import User
    from course_app.services.orders import change_status, get_visible_order

    async with open_shop(database_url, known_password_hash) as shop:
        order_id = await shop.order()
        sessions = shop.app.state.resources.session_factory
        fail_after_recording(monkeypatch)
        async with sessions() as session:
            admin = await session.get(User, shop.admin_id)
            order = await get_visible_order(session, uuid.UUID(order_id), admin)
            with pytest.raises(Injected):
                await change_status(session, order, OrderStatus.CONFIRMED)
        read = await shop.client.get(f"/orders/{order_id}", headers=shop.user)
        assert read.json()["status"] == "pending"
        assert [e.status for e in await shop.events()] == ["pending"]


async def test_the_migration_adds_the_tables_and_removes_them(fresh_url: str) -> None:
    """Revision 445472f0c40f follows the idempotency keys: upgrade creates outbox_events,
    processed_events and product_sales; downgrade to 8f2c6a1d9b47 drops exactly those."""
    from alembic import command
    from sqlalchemy import inspect

    from course_app.core.migrations import run_alembic, upgrade_to_head
    from course_app.db import create_engine

    new = {"outbox_events", "processed_events", "product_sales"}
    engine = create_engine(fresh_url)
    try:
        await upgrade_to_head(engine)
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        assert new <= tables
        await run_alembic(engine, command.downgrade, "8f2c6a1d9b47")
        async with engine.connect() as connection:
            after = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        assert after == tables - new
    finally:
        await engine.dispose()
