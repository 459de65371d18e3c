"""Common mistakes in the holes of notebook 07 (orders)."""

from course_tools.holes.mistakes import Mistake

MISTAKES = [
    Mistake(
        "07.totals",
        "free shipping only above 50.00",
        change=(
            'shipping = Decimal("0.00") if subtotal >= FREE_SHIPPING_FROM else SHIPPING_FEE\n',
            'shipping = Decimal("0.00") if subtotal > FREE_SHIPPING_FROM else SHIPPING_FEE\n',
        ),
        names="exactly 50.00",
    ),
    Mistake(
        "07.totals",
        "tax not rounded",
        change=(
            "tax = (subtotal * TAX_RATE).quantize(CENT, rounding=ROUND_HALF_UP)\n",
            "tax = subtotal * TAX_RATE\n",
        ),
        names="rounded half-up to the cent",
    ),
    Mistake(
        "07.totals",
        "free shipping judged with the tax",
        change=(
            'shipping = Decimal("0.00") if subtotal >= FREE_SHIPPING_FROM else SHIPPING_FEE\n',
            'shipping = Decimal("0.00") if subtotal + tax >= FREE_SHIPPING_FROM else SHIPPING_FEE\n',
        ),
        names="before tax",
    ),
    Mistake(
        "07.reserve_items",
        "reserve's answer ignored",
        """
        for item in sorted(data.items, key=lambda item: item.product_id):
            await products.reserve(item.product_id, item.quantity)
        """,
        names="returns False",
    ),
    Mistake(
        "07.reserve_items",
        "items reserved in the client's order",
        """
        for item in data.items:
            if not await products.reserve(item.product_id, item.quantity):
                raise InsufficientStockError(f"not enough stock for product {item.product_id}")
        """,
        names="sorted by product id",
    ),
    Mistake(
        "07.reserve_items",
        "a deleted product blamed on the stock",
        change=(
            "        # Deleted since its price was read: not for sale (404), whatever its stock.\n"
            "        if await products.get_active(item.product_id) is None:\n"
            '            raise ProductUnavailableError(f"product {item.product_id} not found")\n',
            "",
        ),
        names="no longer for sale",
    ),
    Mistake(
        "07.change_status",
        "cancelling keeps the reservation",
        """
        if not await OrderRepository(session).change_status(order.id, {order.status}, new_status):
            raise InvalidTransitionError(f"order is no longer {order.status}")
        for item in order.items:
            if new_status == OrderStatus.SHIPPED:
                await products.ship(item.product_id, item.quantity)
        """,
        names="release the order's reservation",
    ),
    Mistake(
        "07.change_status",
        "shipping only releases the reservation",
        """
        if not await OrderRepository(session).change_status(order.id, {order.status}, new_status):
            raise InvalidTransitionError(f"order is no longer {order.status}")
        for item in order.items:
            if new_status in (OrderStatus.CANCELLED, OrderStatus.SHIPPED):
                await products.release(item.product_id, item.quantity)
        """,
        names="stock decrease",
    ),
    Mistake(
        "07.change_status",
        "status set on the object, whatever it is now",
        change=(
            (
                "# Conditional on the status we saw: a concurrent change makes this a no-op, not a repeat.\n"
                "if not await OrderRepository(session).change_status(order.id, {order.status}, new_status):\n"
                '    raise InvalidTransitionError(f"order is no longer {order.status}")\n'
            ),
            ("order.status = new_status\nawait session.flush()\n"),
        ),
        names="stale copy",
    ),
    Mistake(
        "07.change_status",
        "the UPDATE's answer ignored",
        change=(
            (
                "# Conditional on the status we saw: a concurrent change makes this a no-op, not a repeat.\n"
                "if not await OrderRepository(session).change_status(order.id, {order.status}, new_status):\n"
                '    raise InvalidTransitionError(f"order is no longer {order.status}")\n'
            ),
            "await OrderRepository(session).change_status(order.id, {order.status}, new_status)\n",
        ),
        names="check that the UPDATE changed a row",
    ),
]
