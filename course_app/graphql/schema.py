# Written by notebooks/12_graphql.ipynb: edit the notebook, not this file.
"""The GraphQL schema and its router: queries and mutations through the same repositories and
services as REST, so prices, reservations and visibility follow the same rules."""

import logging
import uuid
from collections.abc import Iterator
from functools import partial
from typing import Any, TypeVar

import strawberry
from cross_web import HTTPException  # Strawberry's HTTP layer
from fastapi.routing import APIRoute
from graphql import GraphQLError, NoSchemaIntrospectionCustomRule
from pydantic import BaseModel, ValidationError
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    QueryDepthLimiter,
)
from strawberry.fastapi import GraphQLRouter
from strawberry.types import ExecutionContext, Info

from course_app.api.routes.products import ProductFilters
from course_app.enums import ProductCategory
from course_app.exceptions import DomainError, InvalidValueError, NotFoundError
from course_app.graphql.context import GraphQLContext, get_context
from course_app.graphql.types import OrderType, Page, PlaceOrderInput, ProductType
from course_app.models import User
from course_app.repositories.orders import OrderRepository
from course_app.repositories.products import ProductRepository
from course_app.schemas.common import MAX_PAGE
from course_app.schemas.orders import OrderCreate
from course_app.services import orders as order_service
from course_app.services.emails import send_order_confirmation

logger = logging.getLogger(__name__)

MAX_DEPTH = 10  # orders { items { order { items { ... } } } } stops here
MAX_ALIASES = 15  # one field asked for under many names multiplies its cost
MAX_PER_PAGE = 100  # as REST's per_page

ModelT = TypeVar("ModelT", bound=BaseModel)
Ctx = Info[GraphQLContext, None]


class NotAuthenticatedError(DomainError):
    """A field that needs a user, asked for without a Bearer token."""

    status_code = 401


def signed_in(info: Ctx) -> User:
    if info.context.user is None:
        raise NotAuthenticatedError("not authenticated: send a Bearer token")
    return info.context.user


def validated(model: type[ModelT], data: dict[str, Any]) -> ModelT:
    """REST's own request model checks the arguments: the same rules, written once."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problem = error.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        raise InvalidValueError(f"{where}: {problem['msg']}" if where else problem["msg"]) from None


def check_page(page: int, per_page: int) -> None:
    if not 1 <= page <= MAX_PAGE:
        raise InvalidValueError(f"page must be between 1 and {MAX_PAGE}")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidValueError(f"perPage must be between 1 and {MAX_PER_PAGE}")


@strawberry.type
class Query:
    @strawberry.field(
        description="Products for sale, newest first; `search` looks in names and descriptions."
    )
    async def products(
        self,
        info: Ctx,
        search: str | None = None,
        category: ProductCategory | None = None,
        min_price: str | None = None,
        max_price: str | None = None,
        page: int = 1,
        per_page: int = 20,
    ) -> Page[ProductType]:
        check_page(page, per_page)
        arguments = {
            "q": search,
            "category": category,
            "min_price": min_price,
            "max_price": max_price,
        }
        filters = validated(ProductFilters, arguments)
        async with info.context.session() as session:
            products, total = await ProductRepository(session).search(
                **filters.model_dump(), page=page, per_page=per_page
            )
        return Page.build([ProductType.from_model(p) for p in products], total, page, per_page)

    @strawberry.field(description="One product for sale.")
    async def product(self, info: Ctx, id: uuid.UUID) -> ProductType:
        async with info.context.session() as session:
            product = await ProductRepository(session).get_active(id)
        if product is None:
            raise NotFoundError("product not found")
        return ProductType.from_model(product)

    @strawberry.field(description="The caller's orders, newest first.")
    async def orders(self, info: Ctx, page: int = 1, per_page: int = 20) -> Page[OrderType]:
        user = signed_in(info)
        check_page(page, per_page)
        async with info.context.session() as session:
            orders, total = await OrderRepository(session).list_for_user(user.id, page, per_page)
        return Page.build([OrderType.from_model(o) for o in orders], total, page, per_page)

    @strawberry.field(description="One of the caller's orders; anyone else's is not found.")
    async def order(self, info: Ctx, id: uuid.UUID) -> OrderType:
        async with info.context.session() as session:
            order = await order_service.get_visible_order(session, id, signed_in(info))
        return OrderType.from_model(order)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Place an order at today's prices, reserving every item.")
    async def place_order(self, info: Ctx, input: PlaceOrderInput) -> OrderType:
        user = signed_in(info)
        items = [{"product_id": i.product_id, "quantity": i.quantity} for i in input.items]
        data = validated(OrderCreate, {"items": items, "customer_notes": input.customer_notes})
        async with info.context.session() as session:
            order = await order_service.place_order(session, user, data)
        resources = info.context.resources
        if resources.settings.smtp_url and info.context.background_tasks is not None:
            info.context.background_tasks.add_task(
                send_order_confirmation, resources.session_factory, resources.settings, order.id
            )
        return OrderType.from_model(order)

    @strawberry.mutation(description="Cancel one of the caller's orders, releasing its stock.")
    async def cancel_order(self, info: Ctx, id: uuid.UUID) -> OrderType:
        async with info.context.session() as session:
            order = await order_service.get_visible_order(session, id, signed_in(info))
            order = await order_service.cancel_order(session, order)
        return OrderType.from_model(order)


def is_unexpected(error: GraphQLError) -> bool:
    """A resolver's own failure (a bug, a database down): not the client's business.

    Errors without a path are the request's (syntax, unknown field, a variable of the wrong
    type, depth): the client needs them. Domain errors say what rule was broken.
    """
    return (
        error.path is not None
        and error.original_error is not None
        and not isinstance(error.original_error, DomainError | GraphQLError)
    )


class IntrospectionOutsideProduction(AddValidationRules):
    """Introspection (`__schema`, `__type`) answers outside production, and is refused in it."""

    def __init__(self) -> None:
        super().__init__([NoSchemaIntrospectionCustomRule])

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        if (
            isinstance(context, GraphQLContext)
            and context.resources.settings.environment != "production"
        ):
            yield
        else:
            yield from super().on_operation()


class CourseSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Strawberry logs every error with a traceback; a client's mistake is no incident.
        for error in errors:
            if is_unexpected(error):
                logger.error(
                    "GraphQL resolver failed: %s", error.message, exc_info=error.original_error
                )


schema = CourseSchema(
    query=Query,
    mutation=Mutation,
    # Factories, not instances: each request gets its own extensions.
    extensions=[
        partial(QueryDepthLimiter, max_depth=MAX_DEPTH),
        partial(MaxAliasesLimiter, max_alias_count=MAX_ALIASES),
        IntrospectionOutsideProduction,
        partial(MaskErrors, should_mask_error=is_unexpected),
    ],
)

# What the OpenAPI document says of POST /graphql. Strawberry reads the body itself, so FastAPI
# cannot tell: without this, the document would promise a 200 to a request with no body at all.
_ERROR = {"application/json": {"schema": {"type": "object", "properties": {"detail": {}}}}}
OPENAPI_EXTRA: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["query"],
                    "properties": {
                        "query": {"type": "string", "minLength": 1},
                        "variables": {"type": ["object", "null"]},
                    },
                }
            }
        },
    },
    "responses": {
        "200": {"description": "The answer: `data`, and `errors` if any (bad queries too)"},
        "400": {
            "description": "Not a GraphQL request (no JSON, no query)",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        },
        "401": {"description": "A Bearer token that is not valid", "content": _ERROR},
        "403": {"description": "The token's user is not active", "content": _ERROR},
        "413": {"description": "A body over max_body_bytes", "content": _ERROR},
    },
}


class GraphQLRequestRouter(GraphQLRouter[GraphQLContext, None]):
    """Strawberry's router, answering 400 to any body that is not a JSON object.

    Strawberry turns a body that is not JSON into a 400, but bytes that are not UTF-8 and JSON
    that is not an object (`"text"`, `5`; it reads `body.get("query")`) were 500s: notebook 07's
    fuzzer found both. (Batches, a JSON list, are off.)
    """

    def decode_json(self, data: str | bytes) -> object:
        try:
            decoded = super().decode_json(data)
        except (UnicodeDecodeError, RecursionError):
            raise HTTPException(400, "The body is not JSON text") from None
        if not isinstance(decoded, dict):
            raise HTTPException(400, "A GraphQL request is a JSON object")
        return decoded


graphql_router = GraphQLRequestRouter(
    schema,
    path="/graphql",
    context_getter=get_context,
    graphql_ide=None,  # no GraphiQL page: POST only, as the contract says
    allow_queries_via_get=False,
    tags=["graphql"],
)
# Strawberry always adds a GET route (for the GraphiQL page and for queries in the URL, both off
# here, so it would answer 404) and a WebSocket route (for subscriptions; this schema has none).
# Without them, GET /graphql gets the app's 405 with `Allow: POST`, like any other path.
post_routes = [
    route
    for route in graphql_router.routes
    if isinstance(route, APIRoute) and route.methods == {"POST"}
]
for route in post_routes:
    route.openapi_extra = OPENAPI_EXTRA
graphql_router.routes = list(post_routes)
