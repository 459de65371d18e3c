"""Checks for the exercises of notebook 07 (orders)."""

from decimal import Decimal

from course_tools.exercises import Namespace, exercise, expect

STATUSES = ("pending", "confirmed", "processing", "shipped", "delivered", "cancelled")
ALLOWED = {
    ("pending", "confirmed"),
    ("confirmed", "processing"),
    ("processing", "shipped"),
    ("shipped", "delivered"),
    ("pending", "cancelled"),
    ("confirmed", "cancelled"),
    ("processing", "cancelled"),
}


@exercise("07.1")
def order_totals(ns: Namespace) -> None:
    totals_of = ns["order_totals"]
    totals = totals_of([(Decimal("19.99"), 2)])
    expect(isinstance(totals, dict), "Return a dict with subtotal, tax, shipping and total.")
    expect(
        set(totals) == {"subtotal", "tax", "shipping", "total"},
        "The dict's keys are subtotal, tax, shipping and total.",
    )
    expect(
        all(isinstance(value, Decimal) for value in totals.values()),
        "Every amount should be a Decimal, not a float.",
    )
    expect(totals["subtotal"] == Decimal("39.98"), "subtotal = sum of unit_price * quantity.")
    expect(totals["tax"] == Decimal("3.20"), "tax = 8% of the subtotal, quantized to 0.01.")
    expect(totals["shipping"] == Decimal("9.99"), "Shipping is 9.99 below a 50.00 subtotal.")
    expect(totals["total"] == Decimal("53.17"), "total = subtotal + tax + shipping.")
    free = totals_of([(Decimal("25.00"), 1), (Decimal("12.50"), 2)])
    expect(free["shipping"] == Decimal("0.00"), "A subtotal of exactly 50.00 ships free.")
    expect(free["total"] == Decimal("54.00"), "50.00 + 4.00 tax + 0.00 shipping = 54.00.")
    expect(
        totals_of([(Decimal("0.07"), 1)])["tax"] == Decimal("0.01"),
        "Round half-up: 8% of 0.07 is 0.0056, which rounds to 0.01.",
    )
    expect(
        totals_of([(Decimal("0.06"), 1)])["tax"] == Decimal("0.00"),
        "8% of 0.06 is 0.0048, which rounds to 0.00.",
    )
    expect(
        str(totals_of([(Decimal("10.00"), 1)])["tax"]) == "0.80",
        "Quantize the tax to exactly two places (Decimal('0.01')).",
    )


@exercise("07.2")
def status_graph(ns: Namespace) -> None:
    next_statuses, can_move = ns["next_statuses"], ns["can_move"]
    for current in STATUSES:
        expected = {target for origin, target in ALLOWED if origin == current}
        expect(
            set(next_statuses(current)) == expected,
            f"next_statuses({current!r}) should be {sorted(expected) or 'empty'}.",
        )
    for current in STATUSES:
        for target in STATUSES:
            allowed = (current, target) in ALLOWED
            expect(
                can_move(current, target) is allowed,
                f"can_move({current!r}, {target!r}) should be {allowed}.",
            )


@exercise("07.3")
def stock_effect(ns: Namespace) -> None:
    stock_after = ns["stock_after"]
    expect(
        tuple(stock_after("cancelled", 10, 4, 3)) == (10, 1),
        "Cancelling releases the reservation: stock stays, reserved drops by the quantity.",
    )
    expect(
        tuple(stock_after("shipped", 10, 4, 3)) == (7, 1),
        "Shipping removes the units from the stock and from the reservation.",
    )
    for status in ("confirmed", "processing", "delivered"):
        expect(
            tuple(stock_after(status, 10, 4, 3)) == (10, 4),
            f"{status!r} changes no stock.",
        )
