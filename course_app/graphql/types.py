# Written by notebooks/12_graphql.ipynb: edit the notebook, not this file.
"""The GraphQL types: what a client may ask for. Built from the ORM rows the services return."""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Generic, Self, TypeVar

import strawberry
from strawberry.types import Info

from course_app.enums import OrderStatus, ProductCategory
from course_app.graphql.context import GraphQLContext
from course_app.models import Order, OrderItem, Product
from course_app.schemas.common import page_count

# The same enumerations as REST; GraphQL writes their members in capitals (HOME, PENDING).
strawberry.enum(ProductCategory)
strawberry.enum(OrderStatus)

T = TypeVar("T")


@strawberry.type
class Page(Generic[T]):
    """One page of a list, and where it stands in the whole (as REST's `Page`)."""

    items: list[T]
    total: int
    page: int
    per_page: int
    pages: int

    @classmethod
    def build(cls, items: list[T], total: int, page: int, per_page: int) -> "Page[T]":
        pages = page_count(total, per_page)
        return cls(items=items, total=total, page=page, per_page=per_page, pages=pages)


@strawberry.type(name="Product")
class ProductType:
    id: uuid.UUID
    name: str
    slug: str
    description: str | None
    category: ProductCategory
    price: Decimal  # a string on the wire ("19.99"), as in REST: never a float
    stock_quantity: int
    reserved_quantity: int
    available_quantity: int
    is_active: bool

    @classmethod
    def from_model(cls, product: Product) -> Self:
        return cls(
            id=product.id,
            name=product.name,
            slug=product.slug,
            description=product.description,
            category=product.category,
            price=product.price,
            stock_quantity=product.stock_quantity,
            reserved_quantity=product.reserved_quantity,
            available_quantity=product.available_quantity,
            is_active=product.is_active,
        )


@strawberry.type(name="OrderItem")
class OrderItemType:
    product_id: uuid.UUID
    quantity: int
    unit_price: Decimal
    total_price: Decimal
    order: "OrderType" = strawberry.field(description="The order this item belongs to.")

    @strawberry.field(description="The product, through the request's loader.")
    async def product(self, info: Info[GraphQLContext, None]) -> ProductType | None:
        # Each item asks for its own product; the loader turns all those asks into one query.
        product = await info.context.loaders.product.load(self.product_id)
        return None if product is None else ProductType.from_model(product)


@strawberry.type(name="Order")
class OrderType:
    id: uuid.UUID
    order_number: str
    status: OrderStatus
    subtotal: Decimal
    tax_amount: Decimal
    shipping_amount: Decimal
    total_amount: Decimal
    customer_notes: str | None
    created_at: datetime
    model: strawberry.Private[Order]  # the row, for `items`; not part of the schema

    @strawberry.field
    def items(self) -> list[OrderItemType]:
        # Loaded with the order (lazy="selectin", notebook 03): no query here.
        return [self._item(item) for item in self.model.items]

    def _item(self, item: OrderItem) -> OrderItemType:
        return OrderItemType(
            product_id=item.product_id,
            quantity=item.quantity,
            unit_price=item.unit_price,
            total_price=item.total_price,
            order=self,
        )

    @classmethod
    def from_model(cls, order: Order) -> Self:
        return cls(
            id=order.id,
            order_number=order.order_number,
            status=order.status,
            subtotal=order.subtotal,
            tax_amount=order.tax_amount,
            shipping_amount=order.shipping_amount,
            total_amount=order.total_amount,
            customer_notes=order.customer_notes,
            created_at=order.created_at,
            model=order,
        )


@strawberry.input
class OrderItemInput:
    product_id: uuid.UUID
    quantity: int


@strawberry.input
class PlaceOrderInput:
    """Product ids and quantities; the server sets every price."""

    items: list[OrderItemInput]
    customer_notes: str | None = None
