# Written by notebooks/04_repositories.ipynb: edit the notebook, not this file.
"""Queries on orders."""

import uuid
from collections.abc import Sequence

from sqlalchemy import select, update

from course_app.enums import OrderStatus
from course_app.models import Order
from course_app.repositories.base import Repository, execute_write


class OrderRepository(Repository[Order]):
    model = Order

    async def list_for_user(
        self, user_id: uuid.UUID, page: int, per_page: int
    ) -> tuple[Sequence[Order], int]:
        statement = (
            select(Order)
            .where(Order.user_id == user_id)
            .order_by(Order.created_at.desc(), Order.id)
        )
        return await self.paginate(statement, page, per_page)

    async def change_status(
        self, order_id: uuid.UUID, from_statuses: set[OrderStatus], to_status: OrderStatus
    ) -> bool:
        """Move an order to `to_status` only if it is still in one of `from_statuses`.

        A conditional UPDATE, so two concurrent requests cannot both apply the same transition.
        """
        updated = await execute_write(
            self.session,
            update(Order)
            .where(Order.id == order_id, Order.status.in_(from_statuses))
            .values(status=to_status)
            .execution_options(synchronize_session=False),
        )
        return updated == 1
