"""Orders: place, list, read, cancel, and status changes for admins."""

import uuid

from fastapi import APIRouter, HTTPException, status

from course_app.api.deps import AdminUser, CurrentUser, PageNumber, PerPage, SessionDep
from course_app.models import Order
from course_app.repositories.orders import OrderRepository
from course_app.schemas.common import Page
from course_app.schemas.orders import OrderCreate, OrderPublic, OrderStatusUpdate
from course_app.services import orders as order_service
from course_app.services.orders import (
    InsufficientStockError,
    InvalidTransitionError,
    OrderError,
    OrderNotFoundError,
    ProductUnavailableError,
)

router = APIRouter(prefix="/orders", tags=["orders"])

_STATUS_FOR_ERROR: dict[type[OrderError], int] = {
    ProductUnavailableError: status.HTTP_404_NOT_FOUND,
    OrderNotFoundError: status.HTTP_404_NOT_FOUND,
    InsufficientStockError: status.HTTP_409_CONFLICT,
    InvalidTransitionError: status.HTTP_409_CONFLICT,
}


def _http_error(exc: OrderError) -> HTTPException:
    return HTTPException(status_code=_STATUS_FOR_ERROR[type(exc)], detail=str(exc))


@router.post("", response_model=OrderPublic, status_code=status.HTTP_201_CREATED)
async def place_order(data: OrderCreate, user: CurrentUser, session: SessionDep) -> Order:
    try:
        return await order_service.place_order(session, user, data)
    except OrderError as exc:
        raise _http_error(exc) from None


@router.get("", response_model=Page[OrderPublic])
async def list_my_orders(
    user: CurrentUser,
    session: SessionDep,
    page: PageNumber = 1,
    per_page: PerPage = 20,
) -> Page[OrderPublic]:
    orders, total = await OrderRepository(session).list_for_user(user.id, page, per_page)
    items = [OrderPublic.model_validate(order) for order in orders]
    return Page[OrderPublic].build(items, total, page, per_page)


@router.get("/{order_id}", response_model=OrderPublic)
async def read_order(order_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Order:
    try:
        return await order_service.get_visible_order(session, order_id, user)
    except OrderError as exc:
        raise _http_error(exc) from None


@router.post("/{order_id}/cancel", response_model=OrderPublic)
async def cancel_order(order_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Order:
    try:
        order = await order_service.get_visible_order(session, order_id, user)
        return await order_service.cancel_order(session, order)
    except OrderError as exc:
        raise _http_error(exc) from None


@router.patch("/{order_id}/status", response_model=OrderPublic)
async def update_order_status(
    order_id: uuid.UUID, data: OrderStatusUpdate, admin: AdminUser, session: SessionDep
) -> Order:
    try:
        order = await order_service.get_visible_order(session, order_id, admin)
        return await order_service.change_status(session, order, data.status)
    except OrderError as exc:
        raise _http_error(exc) from None
