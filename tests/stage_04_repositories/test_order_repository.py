from decimal import Decimal
from typing import Any

from course_app.enums import OrderStatus
from course_app.models import Order, User
from course_app.repositories.orders import OrderRepository


async def add_order(session: Any, user: User, number: str) -> Order:
    order = Order(
        order_number=number,
        user_id=user.id,
        subtotal=Decimal("1.00"),
        tax_amount=Decimal("0.08"),
        shipping_amount=Decimal("9.99"),
        total_amount=Decimal("11.07"),
    )
    return await OrderRepository(session).add(order)


async def test_list_for_user_returns_only_their_orders_newest_first(session: Any) -> None:
    """list_for_user filters by user and sorts newest first, with the right total."""
    ada = User(email="ada@example.com", hashed_password="x", full_name="Ada")
    bob = User(email="bob@example.com", hashed_password="x", full_name="Bob")
    session.add_all([ada, bob])
    await session.flush()
    await add_order(session, ada, "ORD-1")
    await add_order(session, ada, "ORD-2")
    await add_order(session, bob, "ORD-3")
    await session.commit()
    orders, total = await OrderRepository(session).list_for_user(ada.id, page=1, per_page=10)
    assert total == 2
    assert [order.order_number for order in orders] == ["ORD-2", "ORD-1"]


async def test_change_status_applies_only_from_the_expected_status(session: Any) -> None:
    """change_status is conditional: a second identical transition changes nothing."""
    user = User(email="ada@example.com", hashed_password="x", full_name="Ada")
    session.add(user)
    await session.flush()
    order = await add_order(session, user, "ORD-1")
    repository = OrderRepository(session)
    pending = {OrderStatus.PENDING}
    assert await repository.change_status(order.id, pending, OrderStatus.CONFIRMED)
    assert not await repository.change_status(order.id, pending, OrderStatus.CONFIRMED)
    await session.commit()
    await session.refresh(order)
    assert order.status == OrderStatus.CONFIRMED
