# Written by notebooks/10_production.ipynb: edit the notebook, not this file.
"""The first admin, from settings: created once, whoever gets there first."""

from pydantic import SecretStr
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from course_app.core.security import hash_password
from course_app.db import transaction
from course_app.enums import UserRole, UserStatus
from course_app.models import User
from course_app.repositories.users import UserRepository
from course_app.settings import Settings


async def _make_admin(
    session_factory: async_sessionmaker[AsyncSession], email: str, password: SecretStr
) -> None:
    async with session_factory() as session, transaction(session):
        user = await UserRepository(session).get_by_email(email)
        if user is None:
            user = User(
                email=email,
                hashed_password=await hash_password(password.get_secret_value()),
                full_name="Administrator",
                is_verified=True,
            )
            session.add(user)
        user.role = UserRole.ADMIN
        user.status = UserStatus.ACTIVE


async def ensure_first_admin(
    session_factory: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    """Make sure the admin named by `first_admin_email` exists and is an active admin.

    Safe to run again, and from several processes at once.
    """
    if settings.first_admin_email is None or settings.first_admin_password is None:
        return
    try:
        await _make_admin(
            session_factory, settings.first_admin_email, settings.first_admin_password
        )
    except IntegrityError:
        # Another process inserted the same address between our read and our insert (the unique
        # index refused the second row). The account exists now: this time we find it.
        await _make_admin(
            session_factory, settings.first_admin_email, settings.first_admin_password
        )
