"""Stage 02, hardening: strict values in request bodies.

API.md, "Added: hardening", Strict values. The schemas are validated with the Python objects FastAPI
hands them after `json.loads`: a JSON `true` is `True`, `1.0` is a float, `"1"` is a str.
"""

import uuid
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from course_app.schemas.orders import OrderItemCreate
from course_app.schemas.products import ProductCreate, ProductUpdate
from course_app.schemas.users import UserRegister, UserUpdateMe

FULL_WIDTH_PRICE = "\uff11\uff12.\uff13\uff10"  # "12.30" in full-width digits
PRODUCT = {"name": "Desk Lamp", "category": "home", "price": "19.99"}
ORDER_ITEM = {"product_id": str(uuid.uuid4()), "quantity": 1}
REGISTRATION = {
    "email": "ada@example.com",
    "full_name": "Ada Lovelace",
    "password": "Str0ng!Passw0rd",
    "password_confirm": "Str0ng!Passw0rd",
    "terms_accepted": True,
}


def refused_fields(error: ValidationError) -> set[object]:
    """The body fields the errors point at (a union's errors add a branch name after the field)."""
    return {item["loc"][0] for item in error.errors()}


# (model, a valid body, the integer field in it)
INTEGER_FIELDS = [
    pytest.param(OrderItemCreate, ORDER_ITEM, "quantity", id="OrderItemCreate.quantity"),
    pytest.param(ProductCreate, PRODUCT, "stock_quantity", id="ProductCreate.stock_quantity"),
    pytest.param(ProductUpdate, {}, "stock_quantity", id="ProductUpdate.stock_quantity"),
]


@pytest.mark.parametrize(("model", "body", "field"), INTEGER_FIELDS)
@pytest.mark.parametrize("value", [True, False, "1", 1.0, "2", 2.0], ids=repr)
def test_integers_refuse_booleans_strings_and_floats(
    model: type[BaseModel], body: dict[str, Any], field: str, value: object
) -> None:
    """An integer field takes only a JSON integer: true, "1" and 1.0 are refused."""
    with pytest.raises(ValidationError) as caught:
        model.model_validate({**body, field: value})
    assert refused_fields(caught.value) == {field}


@pytest.mark.parametrize(("model", "body", "field"), INTEGER_FIELDS)
def test_integers_still_accept_integers(
    model: type[BaseModel], body: dict[str, Any], field: str
) -> None:
    """A plain JSON integer is still accepted and kept as an int."""
    value = getattr(model.model_validate({**body, field: 2}), field)
    assert value == 2 and type(value) is int


MONEY_MODELS = [
    pytest.param(ProductCreate, PRODUCT, id="ProductCreate"),
    pytest.param(ProductUpdate, {}, id="ProductUpdate"),
]


@pytest.mark.hole("02.money")
@pytest.mark.parametrize(("model", "body"), MONEY_MODELS)
@pytest.mark.parametrize(
    "price",
    [
        FULL_WIDTH_PRICE,  # which Python's Decimal() accepts
        "1_000",  # digit grouping, which Decimal() accepts
        " 12.30 ",
        "12.30 ",
        "+12.30",
        "1e2",
        "1E2",
        "12.",
        ".5",
        "12.345",
        "12,30",
        "0x10",
        "",
        "NaN",
        "Infinity",
        float("nan"),
        float("inf"),
        12.345,
        True,
    ],
    ids=repr,
)
def test_money_refuses_anything_but_plain_digits(
    model: type[BaseModel], body: dict[str, Any], price: object
) -> None:
    """Money is ASCII digits with an optional point and one or two digits, or a number with <= 2 places.
    Text must pass MONEY_TEXT before Decimal() sees it (Decimal() reads "1e2", "1_000" and
    full-width digits), and a float is never rounded: 12.345 is refused, not made 12.35."""
    with pytest.raises(ValidationError) as caught:
        model.model_validate({**body, "price": price})
    assert refused_fields(caught.value) == {"price"}


@pytest.mark.hole("02.money")
@pytest.mark.parametrize(("model", "body"), MONEY_MODELS)
@pytest.mark.parametrize(
    ("price", "expected"),
    [
        ("12.30", Decimal("12.30")),
        ("12.3", Decimal("12.30")),
        ("12", Decimal("12.00")),
        ("0.01", Decimal("0.01")),
        ("99999999.99", Decimal("99999999.99")),
        (12.3, Decimal("12.30")),
        (12, Decimal("12.00")),
        (0.5, Decimal("0.50")),
    ],
    ids=repr,
)
def test_money_accepts_plain_strings_and_numbers(
    model: type[BaseModel], body: dict[str, Any], price: object, expected: Decimal
) -> None:
    """ "12.30", "12.3", "12", 12.3 and 12 are the same kind of money: accepted, exact. A float
    becomes the Decimal of its shortest text, Decimal(repr(value)): Decimal(12.3) is the float's
    binary value, 12.3000000000000007105..., which has more than two places."""
    value = model.model_validate({**body, "price": price}).price
    assert isinstance(value, Decimal)
    assert value == expected


@pytest.mark.parametrize(
    ("model", "body"),
    [
        pytest.param(UserUpdateMe, {}, id="UserUpdateMe"),
        pytest.param(UserRegister, REGISTRATION, id="UserRegister"),
    ],
)
@pytest.mark.parametrize("value", [0, 0.0, 946684800, 631152000.0], ids=repr)
def test_dates_refuse_numbers(model: type[BaseModel], body: dict[str, Any], value: object) -> None:
    """A date of birth is an ISO date string: a number (a Unix timestamp) is refused."""
    with pytest.raises(ValidationError) as caught:
        model.model_validate({**body, "date_of_birth": value})
    assert refused_fields(caught.value) == {"date_of_birth"}


def test_dates_still_accept_iso_strings() -> None:
    """An ISO 8601 date string is still accepted."""
    assert UserUpdateMe.model_validate({"date_of_birth": "1990-01-31"}).date_of_birth is not None


# Beyond the listed rules, found by the schemathesis run (tests/stage_07_orders/test_fuzz.py): a body
# boolean documented as `boolean` took 0, 1, "true", "yes" or "off", which negative_data_rejection flags.
@pytest.mark.parametrize(
    ("model", "body", "field"),
    [
        pytest.param(ProductCreate, PRODUCT, "is_active", id="ProductCreate.is_active"),
        pytest.param(ProductUpdate, {}, "is_active", id="ProductUpdate.is_active"),
        pytest.param(
            UserRegister, REGISTRATION, "terms_accepted", id="UserRegister.terms_accepted"
        ),
    ],
)
@pytest.mark.parametrize("value", [1, 1.0, "true", "yes", "on"], ids=repr)
def test_booleans_refuse_numbers_and_strings(
    model: type[BaseModel], body: dict[str, Any], field: str, value: object
) -> None:
    """A boolean field takes only JSON true or false."""
    with pytest.raises(ValidationError) as caught:
        model.model_validate({**body, field: value})
    assert refused_fields(caught.value) == {field}
