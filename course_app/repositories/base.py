# Written by notebooks/04_repositories.ipynb: edit the notebook, not this file.
"""A generic async repository: get, add, delete and paginated lists."""

import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import CursorResult, Delete, Select, Update, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from course_app.models import Base

ModelT = TypeVar("ModelT", bound=Base)


async def execute_write(session: AsyncSession, statement: Update | Delete) -> int:
    """Run an UPDATE or DELETE and return how many rows it changed."""
    result = await session.execute(statement)
    # Without RETURNING, the session returns a CursorResult, which carries the row count; its
    # signature only promises a Result.
    return cast(CursorResult[Any], result).rowcount


class Repository(Generic[ModelT]):
    model: type[ModelT]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, id_: uuid.UUID) -> ModelT | None:
        return await self.session.get(self.model, id_)

    async def add(self, instance: ModelT) -> ModelT:
        self.session.add(instance)
        await self.session.flush()  # assigns defaults and surfaces constraint errors now
        return instance

    async def update(self, instance: ModelT, changes: Mapping[str, Any]) -> ModelT:
        """Apply a partial update (field name -> new value), e.g. `body.model_dump(exclude_unset=True)`."""
        for field, value in changes.items():
            setattr(instance, field, value)
        await self.session.flush()
        return instance

    async def delete(self, instance: ModelT) -> None:
        await self.session.delete(instance)
        await self.session.flush()

    async def paginate(
        self, statement: Select[Any], page: int, per_page: int
    ) -> tuple[Sequence[ModelT], int]:
        count_statement = select(func.count()).select_from(statement.order_by(None).subquery())
        total = await self.session.scalar(count_statement) or 0
        offset = (page - 1) * per_page
        result = await self.session.scalars(statement.limit(per_page).offset(offset))
        return result.all(), total

    async def list(self, page: int = 1, per_page: int = 20) -> tuple[Sequence[ModelT], int]:
        return await self.paginate(select(self.model), page, per_page)
