import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from course_app.services.orders import (
    ALLOWED_TRANSITIONS,
    calculate_totals,
    generate_order_number,
)
from tests.helpers import open_client


@pytest.mark.parametrize(
    ("subtotal", "tax"),
    [("0.06", "0.00"), ("0.07", "0.01"), ("19.99", "1.60"), ("10.06", "0.80"), ("31.25", "2.50")],
)
@pytest.mark.hole("07.totals")
def test_tax_is_8_percent_rounded_half_up_to_the_cent(subtotal: str, tax: str) -> None:
    """Tax is 8% of the subtotal, rounded half-up to the cent (0.0056 -> 0.01) with
    `quantize(CENT, rounding=ROUND_HALF_UP)`: never left with four decimal places, never cut off."""
    assert calculate_totals([Decimal(subtotal)]).tax_amount == Decimal(tax)


@pytest.mark.parametrize(
    ("lines", "shipping"),
    [(["49.99"], "9.99"), (["50.00"], "0.00"), (["25.00", "25.00"], "0.00"), (["0.01"], "9.99")],
)
@pytest.mark.hole("07.totals")
def test_shipping_is_free_from_exactly_50(lines: list[str], shipping: str) -> None:
    """Shipping is free when the subtotal, before tax, is 50.00 or more: exactly 50.00 ships free
    (`>=`, not `>`), and 49.99 pays 9.99 even though its tax lifts the total over 50."""
    assert calculate_totals([Decimal(line) for line in lines]).shipping_amount == Decimal(shipping)


@pytest.mark.hole("07.totals")
def test_total_is_subtotal_plus_tax_plus_shipping() -> None:
    """total = subtotal + tax + shipping, all exact Decimals with 2 places."""
    totals = calculate_totals([Decimal("19.99"), Decimal("5.01")])
    assert totals.subtotal == Decimal("25.00")
    assert totals.tax_amount == Decimal("2.00")
    assert totals.total_amount == Decimal("36.99")
    assert totals.total_amount.as_tuple().exponent == -2


def test_order_number_format() -> None:
    """Order numbers are ORD-YYYYMMDD-XXXXXXXX: the UTC date, then 8 upper-case hex digits."""
    number = generate_order_number(datetime(2024, 3, 9, 23, 59, tzinfo=UTC))
    assert re.fullmatch(r"ORD-20240309-[0-9A-F]{8}", number)
    assert generate_order_number() != generate_order_number()


def test_transition_graph() -> None:
    """Only pending->confirmed->processing->shipped->delivered and early cancels are allowed."""
    allowed = {(a.value, b.value) for a, targets in ALLOWED_TRANSITIONS.items() for b in targets}
    assert allowed == {
        ("pending", "confirmed"),
        ("confirmed", "processing"),
        ("processing", "shipped"),
        ("shipped", "delivered"),
        ("pending", "cancelled"),
        ("confirmed", "cancelled"),
        ("processing", "cancelled"),
    }


async def test_a_new_order_error_is_a_409_not_a_500(make_app: Any) -> None:
    """OrderError subclasses need no mapping table: a new one answers 409 like its parent."""
    from course_app.services.orders import OrderError

    class CouponExpiredError(OrderError):
        pass

    app = make_app()

    @app.get("/raise-a-new-order-error")
    async def raise_it() -> Any:
        raise CouponExpiredError("the coupon has expired")

    async with open_client(app) as client:
        response = await client.get("/raise-a-new-order-error")
    assert (response.status_code, response.json()) == (409, {"detail": "the coupon has expired"})
