"""Common mistakes in the holes of notebook 07 (orders)."""

from course_tools.holes.mistakes import Mistake

MISTAKES = [
    Mistake(
        "07.totals",
        "free shipping only above 50.00",
        """
        subtotal = sum(line_totals, Decimal("0.00")).quantize(CENT)
        tax = (subtotal * TAX_RATE).quantize(CENT, rounding=ROUND_HALF_UP)
        shipping = Decimal("0.00") if subtotal > FREE_SHIPPING_FROM else SHIPPING_FEE
        return Totals(subtotal, tax, shipping, subtotal + tax + shipping)
        """,
        names="exactly 50.00",
    ),
    Mistake(
        "07.totals",
        "tax not rounded",
        """
        subtotal = sum(line_totals, Decimal("0.00")).quantize(CENT)
        tax = subtotal * TAX_RATE
        shipping = Decimal("0.00") if subtotal >= FREE_SHIPPING_FROM else SHIPPING_FEE
        return Totals(subtotal, tax, shipping, subtotal + tax + shipping)
        """,
        names="rounded half-up to the cent",
    ),
    Mistake(
        "07.totals",
        "free shipping judged with the tax",
        """
        subtotal = sum(line_totals, Decimal("0.00")).quantize(CENT)
        tax = (subtotal * TAX_RATE).quantize(CENT, rounding=ROUND_HALF_UP)
        shipping = Decimal("0.00") if subtotal + tax >= FREE_SHIPPING_FROM else SHIPPING_FEE
        return Totals(subtotal, tax, shipping, subtotal + tax + shipping)
        """,
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
        """
        order.status = new_status
        await session.flush()
        for item in order.items:
            if new_status == OrderStatus.CANCELLED:
                await products.release(item.product_id, item.quantity)
            elif new_status == OrderStatus.SHIPPED:
                await products.ship(item.product_id, item.quantity)
        """,
        names="stale copy",
    ),
    Mistake(
        "07.change_status",
        "the UPDATE's answer ignored",
        """
        await OrderRepository(session).change_status(order.id, {order.status}, new_status)
        for item in order.items:
            if new_status == OrderStatus.CANCELLED:
                await products.release(item.product_id, item.quantity)
            elif new_status == OrderStatus.SHIPPED:
                await products.ship(item.product_id, item.quantity)
        """,
        names="check that the UPDATE changed a row",
    ),
]
