# Written by notebooks/05_auth.ipynb: edit the notebook, not this file.
"""Registration and the OAuth2 password flow."""

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy.exc import IntegrityError

from course_app.api.deps import RateLimiterDep, SessionDep, SettingsDep, failures, unauthorized
from course_app.core.rate_limit import client_address
from course_app.core.security import (
    DUMMY_HASH,
    create_access_token,
    hash_password,
    verify_password,
)
from course_app.db import transaction
from course_app.enums import UserStatus
from course_app.models import User
from course_app.repositories.users import UserRepository
from course_app.schemas.users import Token, UserPublic, UserRegister

router = APIRouter(prefix="/auth", tags=["auth"])

EMAIL_TAKEN = "Email already registered"


BAD_CREDENTIALS = "Incorrect email or password"


@router.post(
    "/register",
    response_model=UserPublic,
    status_code=status.HTTP_201_CREATED,
    responses=failures(400, 409, 413, 422),
)
async def register(data: UserRegister, session: SessionDep) -> User:
    users = UserRepository(session)
    if await users.get_by_email(data.email) is not None:
        raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail=EMAIL_TAKEN)
    # End the read before the slow hash, so no database connection waits on it.
    await session.commit()
    user = User(
        email=data.email,
        hashed_password=await hash_password(data.password),
        full_name=data.full_name,
        phone=data.phone,
        date_of_birth=data.date_of_birth,
    )
    try:
        async with transaction(session):
            await users.add(user)
    except IntegrityError:  # a concurrent registration won the race
        raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail=EMAIL_TAKEN) from None
    return user


@router.post("/token", response_model=Token, responses=failures(400, 401, 403, 413, 422, 429))
async def login(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
) -> Token:
    address = client_address(
        request.client.host if request.client else None,
        request.headers.get("x-forwarded-for"),
        settings.trusted_proxies,
    )
    limit = await limiter.hit(f"login:{address}")
    if not limit.allowed:
        raise HTTPException(
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            detail="Too many login attempts",
            headers={"Retry-After": str(limit.retry_after)},
        )

    user = await UserRepository(session).get_by_email(form.username)
    # End the read before the slow hash: the connection goes back to the pool while we verify.
    # (commit, not rollback: a rollback would expire `user` and force a reload.)
    await session.commit()
    if user is None:
        await verify_password(form.password, DUMMY_HASH)  # same cost as a real check
        raise unauthorized(BAD_CREDENTIALS)
    if not await verify_password(form.password, user.hashed_password):
        raise unauthorized(BAD_CREDENTIALS)
    if user.status != UserStatus.ACTIVE:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Inactive user")

    async with transaction(session):
        user.last_login = datetime.now(UTC)
    token = create_access_token(
        user.id,
        settings.secret_key.get_secret_value(),
        timedelta(minutes=settings.access_token_expire_minutes),
    )
    return Token(access_token=token)
