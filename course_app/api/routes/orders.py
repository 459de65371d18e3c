# Written by notebooks/14_services.ipynb: edit the notebook, not this file.
"""Orders: place (once per Idempotency-Key, and email a confirmation), list, read, cancel,
status changes for admins, and a live stream of an order's status changes (Server-Sent Events)."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Header, Request, Response, status
from fastapi.sse import EventSourceResponse, ServerSentEvent

from course_app.api.deps import (
    AdminUser,
    CurrentUser,
    PageNumber,
    PerPage,
    SessionDep,
    failures,
    get_resources,
)
from course_app.enums import OrderStatus
from course_app.idempotency import MAX_KEY_LENGTH
from course_app.models import Order
from course_app.repositories.orders import OrderRepository
from course_app.schemas.common import Page
from course_app.schemas.orders import OrderCreate, OrderPublic, OrderStatusUpdate
from course_app.services import orders as order_service
from course_app.services.emails import send_order_confirmation
from course_app.services.events import FINAL_STATUSES, describe, order_events_after
from course_app.services.idempotency import place_order_once

# The service raises domain errors (404, 409, 422); the handler in errors.py answers them.
router = APIRouter(prefix="/orders", tags=["orders"])


# How often an open stream looks for new events: one small indexed query per subscriber.
POLL_SECONDS = 1.0
# Event ids are 32-bit integers on PostgreSQL: a larger Last-Event-ID is a 422, not a 500.
MAX_EVENT_ID = 2**31 - 1

# Optional: without it, every POST places a new order, as before.
IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=MAX_KEY_LENGTH,
        description="A key of your choice, new for each order. Send the same key when you "
        "retry the same request: it places one order, and a retry gets that order back.",
    ),
]


@router.post(
    "",
    response_model=OrderPublic,
    status_code=status.HTTP_201_CREATED,
    responses=failures(400, 401, 403, 404, 409, 413, 422),
)
async def place_order(
    data: OrderCreate,
    user: CurrentUser,
    session: SessionDep,
    request: Request,
    response: Response,
    background: BackgroundTasks,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Order:
    resources = get_resources(request)
    if idempotency_key is None:
        order = await order_service.place_order(session, user, data)
    else:
        placed = await place_order_once(
            session, user, data, idempotency_key, resources.catalogue_cache
        )
        response.status_code = placed.status_code  # the first answer's status, also on a replay
        if placed.replayed:
            return placed.order  # placed (and confirmed by email) the first time
        order = placed.order
    # After the response: the client does not wait for the mail server, and a failure to send
    # is logged, never returned. The task gets the session *factory*, not this request's session.
    # The mail service's client, while the app runs with mail_service_url set (notebook 14).
    mail_service = resources.mail_service
    if mail_service is not None or resources.settings.smtp_url:  # else: nothing to send
        background.add_task(
            send_order_confirmation,
            resources.session_factory,
            resources.settings,
            order.id,
            mail_service,
        )
    return order


@router.get("", response_model=Page[OrderPublic], responses=failures(401, 403, 422))
async def list_my_orders(
    user: CurrentUser,
    session: SessionDep,
    page: PageNumber = 1,
    per_page: PerPage = 20,
) -> Page[OrderPublic]:
    orders, total = await OrderRepository(session).list_for_user(user.id, page, per_page)
    return Page[OrderPublic].build(orders, total, page, per_page)


@router.get("/{order_id}", response_model=OrderPublic, responses=failures(401, 403, 404, 422))
async def read_order(order_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Order:
    return await order_service.get_visible_order(session, order_id, user)


@router.post(
    "/{order_id}/cancel", response_model=OrderPublic, responses=failures(401, 403, 404, 409, 422)
)
async def cancel_order(order_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Order:
    order = await order_service.get_visible_order(session, order_id, user)
    return await order_service.cancel_order(session, order)


@router.patch(
    "/{order_id}/status",
    response_model=OrderPublic,
    responses=failures(400, 401, 403, 404, 409, 413, 422),
)
async def update_order_status(
    order_id: uuid.UUID, data: OrderStatusUpdate, admin: AdminUser, session: SessionDep
) -> Order:
    order = await order_service.get_visible_order(session, order_id, admin)
    return await order_service.change_status(session, order, data.status)


SCHEMAS = "#/components/schemas/"  # where the other routes' error models are documented

# A browser's EventSource sends back the id of the last event it received when it reconnects.
LastEventIdHeader = Annotated[
    int | None,
    Header(
        alias="Last-Event-ID",
        ge=0,
        le=MAX_EVENT_ID,
        description="Resume after this event: the `id` of the last event you received.",
    ),
]


async def order_to_watch(order_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Order:
    """The order, if the caller may see it. A dependency, so a 401 or 404 is answered before
    the stream starts: once its first bytes are sent, the status code cannot change."""
    order = await order_service.get_visible_order(session, order_id, user)
    # A stream may last minutes: give the request's connection back to the pool now.
    await session.close()
    return order


def json_failures(*codes: int) -> dict[int | str, dict[str, Any]]:
    """`failures()` for a route that answers with a stream. FastAPI would document the error
    models in the route's media type (text/event-stream); errors are JSON, so say so."""
    return {
        code: {
            "description": response["description"],
            "content": {
                "application/json": {"schema": {"$ref": SCHEMAS + response["model"].__name__}}
            },
        }
        for code, response in failures(*codes).items()
    }


@router.get(
    "/{order_id}/events",
    response_class=EventSourceResponse,
    responses=json_failures(401, 403, 404, 422),
)
async def stream_order_events(
    order: Annotated[Order, Depends(order_to_watch)],
    request: Request,
    last_event_id: LastEventIdHeader = None,
) -> AsyncIterator[ServerSentEvent]:
    """The order's status changes as Server-Sent Events: its history after `Last-Event-ID`,
    then each change as it happens, until the order is delivered or cancelled."""
    sessions = get_resources(request).session_factory
    seen, current = last_event_id or 0, order.status
    # Every worker reads the same table, so this works behind any number of them. FastAPI
    # sends a keep-alive comment when nothing was sent for 15 s, and stops this generator when
    # the client disconnects.
    while True:
        for event in await order_events_after(sessions, order.id, seen):
            yield ServerSentEvent(id=str(event.id), event="status", data=describe(event))
            seen, current = event.id, OrderStatus(event.status)
        if current in FINAL_STATUSES:
            return
        await asyncio.sleep(POLL_SECONDS)
