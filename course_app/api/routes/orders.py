# Written by notebooks/14_services.ipynb: edit the notebook, not this file.
"""Orders: place (once per Idempotency-Key, and email a confirmation), list, read, cancel, and
status changes for admins."""

import uuid
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Header, Request, Response, status

from course_app.api.deps import (
    AdminUser,
    CurrentUser,
    PageNumber,
    PerPage,
    SessionDep,
    failures,
    get_resources,
)
from course_app.idempotency import MAX_KEY_LENGTH
from course_app.models import Order
from course_app.repositories.orders import OrderRepository
from course_app.schemas.common import Page
from course_app.schemas.orders import OrderCreate, OrderPublic, OrderStatusUpdate
from course_app.services import orders as order_service
from course_app.services.emails import send_order_confirmation
from course_app.services.idempotency import place_order_once

# The service raises domain errors (404, 409, 422); the handler in errors.py answers them.
router = APIRouter(prefix="/orders", tags=["orders"])


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
