"""Checks for the exercises of notebook 07 (orders)."""

from decimal import Decimal
from types import CodeType

from course_tools.exercises import Namespace, exercise, expect
from course_tools.holes.mistakes import Mistake


def names_used(code: CodeType) -> set[str]:
    """The global names, attributes and string constants a function's code refers to."""
    found = set(code.co_names) | {c for c in code.co_consts if isinstance(c, str)}
    for constant in code.co_consts:
        if isinstance(constant, CodeType):
            found |= names_used(constant)
    return found


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
    # At 8% no amount in cents lands exactly on half a cent, so the numbers alone cannot tell
    # half-up from Decimal's default, half-even (banker's rounding); the code can. The rule
    # must hold when the rate changes: at 6.5%, a subtotal of 1.00 is taxed exactly 0.065.
    expect(
        "ROUND_HALF_UP" in names_used(totals_of.__code__),
        "Round the tax half-up: quantize(cent, rounding=ROUND_HALF_UP). quantize alone rounds "
        "half-even (banker's rounding): a tax of 0.065 would become 0.06, not 0.07.",
    )


@exercise("07.2")
def status_graph(ns: Namespace) -> None:
    next_statuses, can_move = ns["next_statuses"], ns["can_move"]
    for current in STATUSES:
        expected = {target for origin, target in ALLOWED if origin == current}
        try:
            answer = set(next_statuses(current))
        except KeyError:
            expect(
                False,
                f"next_statuses({current!r}) raised KeyError: every status needs an entry. "
                "delivered and cancelled are final: they go nowhere, an empty set.",
            )
        missing = sorted(expected - answer)
        extra = ", ".join(repr(status) for status in sorted(answer - expected))
        expect(
            not missing,
            f"next_statuses({current!r}) should be {sorted(expected)}: "
            + ", ".join(repr(status) for status in missing)
            + (" is missing." if len(missing) == 1 else " are missing."),
        )
        expect(
            not extra,
            f"next_statuses({current!r}) should be {sorted(expected) or 'empty'}: an order "
            f"{current} cannot move to {extra}.",
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
        "Cancelling releases the reservation: stock stays, reserved drops by the quantity. "
        "The units never left the stock, so nothing is added back to it.",
    )
    expect(
        tuple(stock_after("shipped", 10, 4, 3)) == (7, 1),
        "Shipping removes the units from the stock and from the reservation.",
    )
    for status in ("confirmed", "processing"):
        expect(tuple(stock_after(status, 10, 4, 3)) == (10, 4), f"{status!r} changes no stock.")
    expect(
        tuple(stock_after("delivered", 10, 4, 3)) == (10, 4),
        "'delivered' changes no stock: the units already left the stock when the order shipped.",
    )


MISTAKES = [
    Mistake(
        "07.1",
        "banker's rounding",
        change=(
            'tax = (subtotal * Decimal("0.08")).quantize(cent, rounding=ROUND_HALF_UP)\n',
            'tax = (subtotal * Decimal("0.08")).quantize(cent)\n',
        ),
        names="half-even",
    ),
    Mistake(
        "07.2",
        "final statuses left out",
        change=(
            ('    "delivered": set(),\n    "cancelled": set(),\n'),
            "",
        ),
        names="every status needs an entry",
    ),
    Mistake(
        "07.2",
        "no cancelling while processing",
        change=(
            '    "processing": {"shipped", "cancelled"},\n',
            '    "processing": {"shipped"},\n',
        ),
        names="'cancelled' is missing",
    ),
    Mistake(
        "07.2",
        "cancelling after shipping",
        change=(
            '    "shipped": {"delivered"},\n',
            '    "shipped": {"delivered", "cancelled"},\n',
        ),
        names="cannot move to 'cancelled'",
    ),
    Mistake(
        "07.3",
        "cancelling adds the units back",
        change=(
            "    return stock, reserved - quantity\n",
            "    return stock + quantity, reserved - quantity\n",
        ),
        names="nothing is added back",
    ),
    Mistake(
        "07.3",
        "shipping keeps the reservation",
        change=(
            "    return stock - quantity, reserved - quantity\n",
            "    return stock - quantity, reserved\n",
        ),
        names="and from the reservation",
    ),
    Mistake(
        "07.3",
        "delivery takes the units",
        change=(
            'if new_status == "shipped":\n',
            'if new_status in ("shipped", "delivered"):\n',
        ),
        names="already left the stock",
    ),
]
