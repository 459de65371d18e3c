# Written by notebooks/04_repositories.ipynb: edit the notebook, not this file.
"""Queries on users."""

from collections.abc import Sequence

from sqlalchemy import select

from course_app.models import User
from course_app.normalize import normalize_email
from course_app.repositories.base import Repository


class UserRepository(Repository[User]):
    model = User

    async def get_by_email(self, email: str) -> User | None:
        return await self.session.scalar(select(User).where(User.email == normalize_email(email)))

    async def list_newest_first(self, page: int, per_page: int) -> tuple[Sequence[User], int]:
        statement = select(User).order_by(User.created_at.desc(), User.id)
        return await self.paginate(statement, page, per_page)
