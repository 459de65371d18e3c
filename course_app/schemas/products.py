# Written by notebooks/02_schemas.ipynb: edit the notebook, not this file.
"""Product schemas: creation, partial update and public view."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field, StrictBool, StringConstraints, computed_field, field_validator
from pydantic.json_schema import SkipJsonSchema

from course_app.enums import ProductCategory
from course_app.schemas.common import (
    MAX_INT32,
    NOT_BLANK,
    Money,
    MoneyAmount,
    RequestModel,
    ResponseModel,
    StrictInt,
    reject_null,
)

ProductName = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NOT_BLANK)]
Description = Annotated[str, StringConstraints(max_length=2000)]
StockQuantity = Annotated[StrictInt, Field(ge=0, le=MAX_INT32)]


class ProductCreate(RequestModel):
    name: ProductName
    description: Description | None = None
    category: ProductCategory
    price: Money
    stock_quantity: StockQuantity = 0
    is_active: StrictBool = True


class ProductUpdate(RequestModel):
    # Every field may be left out. `description` may also be cleared with null; the others may
    # not, so the OpenAPI document must not call them nullable: SkipJsonSchema hides the None.
    name: ProductName | SkipJsonSchema[None] = None
    description: Description | None = None
    category: ProductCategory | SkipJsonSchema[None] = None
    price: Money | SkipJsonSchema[None] = None
    stock_quantity: StockQuantity | SkipJsonSchema[None] = None
    is_active: StrictBool | SkipJsonSchema[None] = None

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

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented form for mypy
    @property
    def available_quantity(self) -> int:
        return self.stock_quantity - self.reserved_quantity
