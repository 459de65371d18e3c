# Written by notebooks/13_events.ipynb: edit the notebook, not this file.
"""Order rules: totals, order numbers, stock reservation and status transitions; each change of
status writes its event to the outbox, in the same transaction."""

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from course_app.db import transaction
from course_app.enums import OrderStatus, UserRole
from course_app.exceptions import DomainError, InvalidValueError, NotFoundError
from course_app.models import Order, OrderItem, User
from course_app.repositories.orders import OrderRepository
from course_app.repositories.products import ProductRepository
from course_app.schemas.common import MAX_MONEY
from course_app.schemas.orders import OrderCreate
from course_app.services.events import record_status_change

CENT = Decimal("0.01")
TAX_RATE = Decimal("0.08")
FREE_SHIPPING_FROM = Decimal("50.00")
SHIPPING_FEE = Decimal("9.99")

ALLOWED_TRANSITIONS: dict[OrderStatus, set[OrderStatus]] = {
    OrderStatus.PENDING: {OrderStatus.CONFIRMED, OrderStatus.CANCELLED},
    OrderStatus.CONFIRMED: {OrderStatus.PROCESSING, OrderStatus.CANCELLED},
    OrderStatus.PROCESSING: {OrderStatus.SHIPPED, OrderStatus.CANCELLED},
    OrderStatus.SHIPPED: {OrderStatus.DELIVERED},
    OrderStatus.DELIVERED: set(),
    OrderStatus.CANCELLED: set(),
}
CANCELLABLE = {
    status for status, targets in ALLOWED_TRANSITIONS.items() if OrderStatus.CANCELLED in targets
}


class OrderError(DomainError):
    """Base class for order rule violations: a conflict (409) unless a subclass says otherwise."""


class ProductUnavailableError(OrderError, NotFoundError):
    """A product in the order does not exist or is no longer for sale."""


class InsufficientStockError(OrderError):
    """Not enough units are available to reserve."""


class OrderNotFoundError(OrderError, NotFoundError):
    """No such order, or the caller may not see it."""


class InvalidTransitionError(OrderError):
    """The order cannot move from its current status to the requested one."""


class OrderTooLargeError(OrderError, InvalidValueError):
    """The total would not fit the money columns (99,999,999.99)."""


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    tax_amount: Decimal
    shipping_amount: Decimal
    total_amount: Decimal


def calculate_totals(line_totals: list[Decimal]) -> Totals:
    subtotal = sum(line_totals, Decimal("0.00")).quantize(CENT)
    tax = (subtotal * TAX_RATE).quantize(CENT, rounding=ROUND_HALF_UP)
    shipping = Decimal("0.00") if subtotal >= FREE_SHIPPING_FROM else SHIPPING_FEE
    return Totals(subtotal, tax, shipping, subtotal + tax + shipping)


def generate_order_number(now: datetime | None = None) -> str:
    day = (now or datetime.now(UTC)).astimezone(UTC)
    return f"ORD-{day:%Y%m%d}-{secrets.token_hex(4).upper()}"


async def place_order(session: AsyncSession, user: User, data: OrderCreate) -> Order:
    """Create an order with prices from the database, reserving all items or none."""
    products = ProductRepository(session)
    # One transaction: if any step fails, the rollback undoes the reservations made before it.
    async with transaction(session):
        prices = await products.active_prices([item.product_id for item in data.items])
        missing = [item.product_id for item in data.items if item.product_id not in prices]
        if missing:
            raise ProductUnavailableError(f"product {missing[0]} not found")

        items = [
            OrderItem(
                product_id=item.product_id,
                quantity=item.quantity,
                unit_price=prices[item.product_id],
                total_price=(prices[item.product_id] * item.quantity).quantize(CENT),
            )
            for item in data.items
        ]
        totals = calculate_totals([item.total_price for item in items])
        # Refuse what the money columns cannot hold. SQLite would store it anyway, as a float,
        # and a later read would return a different (rounded) total from the one we answered.
        if totals.total_amount > MAX_MONEY:
            raise OrderTooLargeError(f"the order total would exceed {MAX_MONEY}")

        # Sorted ids make every order lock rows in the same sequence (no deadlocks).
        for item in sorted(data.items, key=lambda item: item.product_id):
            if not await products.reserve(item.product_id, item.quantity):
                # Deleted since its price was read: not for sale (404), whatever its stock.
                if await products.get_active(item.product_id) is None:
                    raise ProductUnavailableError(f"product {item.product_id} not found")
                raise InsufficientStockError(f"not enough stock for product {item.product_id}")

        order = Order(
            order_number=generate_order_number(),
            user_id=user.id,
            status=OrderStatus.PENDING,
            subtotal=totals.subtotal,
            tax_amount=totals.tax_amount,
            shipping_amount=totals.shipping_amount,
            total_amount=totals.total_amount,
            customer_notes=data.customer_notes,
            items=items,
        )
        session.add(order)
        await session.flush()  # gives the order its id, for the event
        await record_status_change(session, order, None, OrderStatus.PENDING)
    return order


async def get_visible_order(session: AsyncSession, order_id: uuid.UUID, user: User) -> Order:
    """The order if the caller owns it or is an admin; otherwise it does not exist for them."""
    order = await OrderRepository(session).get(order_id)
    if order is None or (order.user_id != user.id and user.role != UserRole.ADMIN):
        raise OrderNotFoundError("order not found")
    return order


async def change_status(session: AsyncSession, order: Order, new_status: OrderStatus) -> Order:
    """Apply an allowed transition once, moving stock as the new status requires."""
    if new_status not in ALLOWED_TRANSITIONS[order.status]:
        raise InvalidTransitionError(f"cannot go from {order.status} to {new_status}")
    products = ProductRepository(session)
    async with transaction(session):
        # Conditional on the status we saw: a concurrent change makes this a no-op, not a repeat.
        if not await OrderRepository(session).change_status(order.id, {order.status}, new_status):
            raise InvalidTransitionError(f"order is no longer {order.status}")
        await record_status_change(session, order, order.status, new_status)
        for item in order.items:
            if new_status == OrderStatus.CANCELLED:
                await products.release(item.product_id, item.quantity)
            elif new_status == OrderStatus.SHIPPED:
                await products.ship(item.product_id, item.quantity)
    await session.refresh(order)
    return order


async def cancel_order(session: AsyncSession, order: Order) -> Order:
    if order.status not in CANCELLABLE:
        raise InvalidTransitionError(f"an order that is {order.status} cannot be cancelled")
    return await change_status(session, order, OrderStatus.CANCELLED)
