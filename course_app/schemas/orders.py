# Written by notebooks/02_schemas.ipynb: edit the notebook, not this file.
"""Order schemas: the client sends product ids and quantities, never prices."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

from course_app.enums import OrderStatus
from course_app.schemas.common import (
    MAX_INT32,
    MoneyAmount,
    RequestModel,
    ResponseModel,
    StrictInt,
)

MAX_ITEMS_PER_ORDER = 100


class OrderItemCreate(RequestModel):
    product_id: uuid.UUID
    quantity: Annotated[StrictInt, Field(ge=1, le=MAX_INT32)]


class OrderCreate(RequestModel):
    items: Annotated[list[OrderItemCreate], Field(min_length=1, max_length=MAX_ITEMS_PER_ORDER)]
    customer_notes: Annotated[str, StringConstraints(max_length=500)] | None = None

    @field_validator("items")
    @classmethod
    def no_duplicate_products(cls, items: list[OrderItemCreate]) -> list[OrderItemCreate]:
        product_ids = [item.product_id for item in items]
        if len(set(product_ids)) != len(product_ids):
            raise ValueError("each product may appear only once; raise its quantity instead")
        return items


class OrderStatusUpdate(RequestModel):
    status: OrderStatus


class OrderItemPublic(ResponseModel):
    product_id: uuid.UUID
    quantity: int
    unit_price: MoneyAmount
    total_price: MoneyAmount


class OrderPublic(ResponseModel):
    id: uuid.UUID
    order_number: str
    status: OrderStatus
    subtotal: MoneyAmount
    tax_amount: MoneyAmount
    shipping_amount: MoneyAmount
    total_amount: MoneyAmount
    customer_notes: str | None
    user_id: uuid.UUID
    items: list[OrderItemPublic]
    created_at: datetime
    updated_at: datetime
