# Written by notebooks/11_idempotency.ipynb: edit the notebook, not this file.
"""Queries on idempotency keys."""

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from course_app.idempotency import IdempotencyKey
from course_app.repositories.base import execute_write


class IdempotencyKeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def delete_created_before(self, cutoff: datetime) -> int:
        """Every user's keys created before `cutoff`; returns how many."""
        statement = delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff)
        return await execute_write(self.session, statement)
