"""Shared schema building blocks: money amounts and pages."""

from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

T = TypeVar("T")

MAX_INT32 = 2_147_483_647
# Keeps OFFSET = (page - 1) * per_page inside a 64-bit integer: a huge page is 422, not 500.
MAX_PAGE = 1_000_000_000


def _two_places(value: Decimal) -> str:
    return f"{value:.2f}"


# Sent as a JSON string so no client parses money into a float.
_as_string = PlainSerializer(_two_places, return_type=str, when_used="json")

# A price a client may send: positive, at most 2 decimal places, fits Numeric(10, 2).
Money = Annotated[Decimal, Field(gt=0, max_digits=10, decimal_places=2), _as_string]

# An amount the API returns (may be 0.00, e.g. free shipping).
MoneyAmount = Annotated[Decimal, _as_string]


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


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int
    pages: int

    @classmethod
    def build(cls, items: list[T], total: int, page: int, per_page: int) -> "Page[T]":
        pages = -(-total // per_page)  # ceil without floats
        return cls(items=items, total=total, page=page, per_page=per_page, pages=pages)
