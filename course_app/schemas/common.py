# Written by notebooks/02_schemas.ipynb: edit the notebook, not this file.
"""Shared schema building blocks: strict request values, money amounts and pages."""

import math
import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)

T = TypeVar("T")

MAX_INT32 = 2_147_483_647
# Keeps OFFSET = (page - 1) * per_page inside a 64-bit integer: a huge page is 422, not 500.
MAX_PAGE = 1_000_000_000

# The money columns are Numeric(10, 2): eight digits before the point, two after.
MAX_MONEY = Decimal("99999999.99")
# A positive amount in plain ASCII digits: "12.30", "12.3" or "12". Not "12.", ".5", "+1",
# "1e2", "1_000", " 12 " or full-width digits, all of which Python's Decimal() would accept.
MONEY_TEXT = re.compile(r"^(?!0+(\.0{1,2})?$)[0-9]{1,8}(\.[0-9]{1,2})?$")
# A price in a query string (a filter bound): the same plain digits, and 0 is allowed.
PRICE_FILTER_TEXT = re.compile(r"^[0-9]{1,8}(\.[0-9]{1,2})?$")
DATE_TEXT = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
# Text with at least one character that is not a JSON space: "  " is not a name. An explicit
# class, so pydantic's regex engine and every JSON Schema validator agree on what it means.
NOT_BLANK = r"[^ \t\n\r]"


def _two_places(value: Decimal) -> str:
    return f"{value:.2f}"


def _money_from_json(value: Any) -> Any:
    """Money arrives as a JSON string of ASCII digits, or a JSON number with at most two places."""
    if isinstance(value, bool):
        raise ValueError("must be an amount, not true or false")
    if isinstance(value, str):
        if not MONEY_TEXT.fullmatch(value):
            raise ValueError('must be a positive amount like "12.30", in ASCII digits')
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("must be a finite amount")
        return Decimal(repr(value))  # the shortest text of the float: what the client wrote
    return value  # an int, or a Decimal from Python code: the constraints below still apply


def _price_filter_from_query(value: Any) -> Any:
    if isinstance(value, str) and not PRICE_FILTER_TEXT.fullmatch(value):
        raise ValueError('must be an amount like "12.30", in ASCII digits')
    return value


def _date_from_json(value: Any) -> Any:
    # Pydantic would read 0 or "0" as a Unix timestamp: 1970-01-01.
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not DATE_TEXT.fullmatch(value):
        raise ValueError("must be a date written as YYYY-MM-DD")
    return value


# Sent as a JSON string so no client parses money into a float.
_as_string = PlainSerializer(_two_places, return_type=str, when_used="json")

# A price a client may send: positive, at most 2 decimal places, fits Numeric(10, 2).
Money = Annotated[
    Decimal,
    BeforeValidator(_money_from_json),
    Field(gt=0, max_digits=10, decimal_places=2),
    _as_string,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": MONEY_TEXT.pattern},
                {
                    "type": "number",
                    "exclusiveMinimum": 0,
                    "maximum": float(MAX_MONEY),
                    "multipleOf": 0.01,
                },
            ],
            "examples": ["12.30"],
        },
        mode="validation",
    ),
]

# A bound of a price filter in a query string: "0", "12.5", "12.30".
PriceFilter = Annotated[
    Decimal,
    BeforeValidator(_price_filter_from_query),
    WithJsonSchema({"type": "string", "pattern": PRICE_FILTER_TEXT.pattern}, mode="validation"),
]

# An amount the API returns (may be 0.00, e.g. free shipping).
MoneyAmount = Annotated[
    Decimal,
    _as_string,
    WithJsonSchema({"type": "string", "pattern": r"^-?[0-9]+\.[0-9]{2}$"}, mode="serialization"),
]

# Whole numbers only: `true`, `"1"` and `1.0` are refused, not quietly turned into 1.
StrictInt = Annotated[int, Field(strict=True)]

# A calendar date as "YYYY-MM-DD" text; a number is refused.
DateText = Annotated[date, BeforeValidator(_date_from_json)]


class RequestModel(BaseModel):
    """Base for request bodies: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class ResponseModel(BaseModel):
    """Base for responses: built straight from ORM objects."""

    model_config = ConfigDict(from_attributes=True)


def reject_null(value: T | None) -> T:
    """For update bodies: a field may be left out, but not sent as null."""
    if value is None:
        raise ValueError("cannot be null")
    return value


def page_count(total: int, per_page: int) -> int:
    """How many pages `total` items fill at `per_page` a page: 0 when there are none."""
    return -(-total // per_page)  # ceil without floats


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int
    pages: int

    @classmethod
    def build(cls, items: Sequence[Any], total: int, page: int, per_page: int) -> "Page[T]":
        """A page from the rows a query returned (ORM objects or items) and the total count."""
        values = {
            "items": items,
            "total": total,
            "page": page,
            "per_page": per_page,
            "pages": page_count(total, per_page),
        }
        return cls.model_validate(values, from_attributes=True)


class FieldError(BaseModel):
    """One problem with a request: where it is, what is wrong, and its kind. Never the value."""

    loc: list[str | int]
    msg: str
    type: str


class ErrorMessage(BaseModel):
    """The body of every error answer: FastAPI's `{"detail": ...}`."""

    detail: str


class ValidationErrorMessage(BaseModel):
    """A 422: the list of problems, or one sentence when a rule spans the whole request."""

    detail: list[FieldError] | str
