# Written by notebooks/05_auth.ipynb: edit the notebook, not this file.
"""FastAPI dependencies: settings, database session, rate limiter and the current user."""

from collections.abc import AsyncIterator
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Query, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession

from course_app.core.rate_limit import RateLimiter
from course_app.core.security import InvalidTokenError, decode_access_token
from course_app.enums import UserRole, UserStatus
from course_app.models import User
from course_app.schemas.common import MAX_PAGE, ErrorMessage, ValidationErrorMessage
from course_app.settings import Settings
from course_app.state import AppResources

# auto_error=False: we raise our own 401 so every auth failure looks the same. The token URL is
# relative, so the docs' "Authorize" still finds it when a proxy serves the API under a prefix.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="auth/token", auto_error=False)


def get_resources(request: Request) -> AppResources:
    resources: AppResources = request.app.state.resources
    return resources


def get_settings_dep(request: Request) -> Settings:
    return get_resources(request).settings


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with get_resources(request).session_factory() as session:
        yield session


def get_rate_limiter(request: Request) -> RateLimiter:
    return get_resources(request).rate_limiter


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
RateLimiterDep = Annotated[RateLimiter, Depends(get_rate_limiter)]

# The paging query parameters of every list endpoint: pages start at 1, 1-100 items a page.
PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE)]
PerPage = Annotated[int, Query(ge=1, le=100)]


def failures(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: the error codes it can answer with, for the OpenAPI document.

    A route that reads a body can also answer 400 (bytes that are not UTF-8 text) and 413 (a body
    over `max_body_bytes`): list them too, so clients and API fuzzers know to expect them.
    """
    return {
        code: {
            "model": ValidationErrorMessage if code == 422 else ErrorMessage,
            "description": HTTPStatus(code).phrase,
        }
        for code in codes
    }


def unauthorized(detail: str = "Could not validate credentials") -> HTTPException:
    # A 401 must tell the client how to authenticate: the WWW-Authenticate header.
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=detail,
        headers={"WWW-Authenticate": "Bearer"},
    )


async def get_current_user(
    token: Annotated[str | None, Depends(oauth2_scheme)],
    session: SessionDep,
    settings: SettingsDep,
) -> User:
    if not token:
        raise unauthorized()
    try:
        user_id = decode_access_token(token, settings.secret_key.get_secret_value())
    except InvalidTokenError:
        raise unauthorized() from None
    user = await session.get(User, user_id)
    if user is None:
        raise unauthorized()
    if user.status != UserStatus.ACTIVE:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Inactive user")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


async def require_admin(user: CurrentUser) -> User:
    if user.role != UserRole.ADMIN:
        raise HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail="Admins only")
    return user


AdminUser = Annotated[User, Depends(require_admin)]
