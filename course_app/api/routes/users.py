# Written by notebooks/06_app.ipynb: edit the notebook, not this file.
"""The caller's own profile, and user management for admins."""

import uuid

from fastapi import APIRouter, HTTPException, status

from course_app.api.deps import (
    AdminUser,
    CurrentUser,
    PageNumber,
    PerPage,
    SessionDep,
    failures,
)
from course_app.db import transaction
from course_app.models import User
from course_app.repositories.users import UserRepository
from course_app.schemas.common import Page
from course_app.schemas.users import UserAdminUpdate, UserPublic, UserUpdateMe

router = APIRouter(prefix="/users", tags=["users"])


@router.get("/me", response_model=UserPublic, responses=failures(401, 403))
async def read_me(user: CurrentUser) -> User:
    return user


@router.patch("/me", response_model=UserPublic, responses=failures(400, 401, 403, 413, 422))
async def update_me(data: UserUpdateMe, user: CurrentUser, session: SessionDep) -> User:
    async with transaction(session):
        return await UserRepository(session).update(user, data.model_dump(exclude_unset=True))


@router.get("", response_model=Page[UserPublic], responses=failures(401, 403, 422))
async def list_users(
    _admin: AdminUser,
    session: SessionDep,
    page: PageNumber = 1,
    per_page: PerPage = 20,
) -> Page[UserPublic]:
    users, total = await UserRepository(session).list_newest_first(page, per_page)
    return Page[UserPublic].build(users, total, page, per_page)


@router.patch(
    "/{user_id}", response_model=UserPublic, responses=failures(400, 401, 403, 404, 409, 413, 422)
)
async def update_user(
    user_id: uuid.UUID, data: UserAdminUpdate, admin: AdminUser, session: SessionDep
) -> User:
    user = await UserRepository(session).get(user_id)
    if user is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="User not found")
    if user.id == admin.id and data.model_fields_set:
        # Demoting or suspending oneself could leave the service with no admin at all.
        raise HTTPException(
            status_code=status.HTTP_409_CONFLICT,
            detail="Admins cannot change their own role or status; ask another admin",
        )
    async with transaction(session):
        return await UserRepository(session).update(user, data.model_dump(exclude_unset=True))
