"""Product schemas: creation, partial update and public view."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints, computed_field, field_validator

from course_app.enums import ProductCategory
from course_app.schemas.common import (
    MAX_INT32,
    Money,
    MoneyAmount,
    RequestModel,
    ResponseModel,
    reject_null,
)

ProductName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(max_length=2000)]
StockQuantity = Annotated[int, Field(ge=0, le=MAX_INT32)]


class ProductCreate(RequestModel):
    name: ProductName
    description: Description | None = None
    category: ProductCategory
    price: Money
    stock_quantity: StockQuantity = 0
    is_active: bool = True


class ProductUpdate(RequestModel):
    name: ProductName | None = None
    description: Description | None = None
    category: ProductCategory | None = None
    price: Money | None = None
    stock_quantity: StockQuantity | None = None
    is_active: bool | None = None

    # `description` may be cleared with null; these columns may not.
    _not_null = field_validator("name", "category", "price", "stock_quantity", "is_active")(
        reject_null
    )


class ProductPublic(ResponseModel):
    id: uuid.UUID
    name: str
    slug: str
    description: str | None
    category: ProductCategory
    price: MoneyAmount
    stock_quantity: int
    reserved_quantity: int
    is_active: bool
    created_at: datetime
    updated_at: datetime

    @computed_field
    @property
    def available_quantity(self) -> int:
        return self.stock_quantity - self.reserved_quantity
