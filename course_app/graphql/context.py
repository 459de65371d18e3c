# Written by notebooks/12_graphql.ipynb: edit the notebook, not this file.
"""The context of one GraphQL request, built by FastAPI dependencies: the same token checks, the
same sessions and the same settings as a REST route."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.fastapi import BaseContext

from course_app.api.deps import (
    SessionDep,
    SettingsDep,
    get_current_user,
    get_resources,
    oauth2_scheme,
)
from course_app.errors import VALUE_OUT_OF_RANGE, is_data_error
from course_app.exceptions import InvalidValueError
from course_app.graphql.loaders import Loaders, make_loaders
from course_app.models import User
from course_app.state import AppResources


class GraphQLContext(BaseContext):
    """What every resolver of one request shares, as `info.context`."""

    def __init__(self, user: User | None, resources: AppResources) -> None:
        super().__init__()  # Strawberry fills in the request, the response, background tasks
        self.user = user  # None: an anonymous caller, who may read products only
        self.resources = resources
        self.loaders: Loaders = make_loaders(resources.session_factory)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A new session, for one resolver: `async with info.context.session() as session:`.

        GraphQL resolves sibling fields at the same time, and one AsyncSession must never be
        used by two tasks at once: each resolver has its own.
        """
        async with self.resources.session_factory() as session:
            try:
                yield session
            except DBAPIError as error:
                # A value the database refused (a NUL character in text, on PostgreSQL) is the
                # client's mistake, as REST's 422 says: not a masked "Unexpected error".
                if not is_data_error(error):
                    raise
                raise InvalidValueError(VALUE_OUT_OF_RANGE) from None


async def get_optional_user(
    token: Annotated[str | None, Depends(oauth2_scheme)],
    session: SessionDep,
    settings: SettingsDep,
) -> User | None:
    """No token: anonymous. A token: REST's own checks (401 for a bad one, 403 for an inactive
    user), never quietly anonymous."""
    if not token:
        return None
    return await get_current_user(token, session, settings)


async def get_context(
    request: Request,
    session: SessionDep,
    user: Annotated[User | None, Depends(get_optional_user)],
) -> GraphQLContext:
    # FastAPI gives every dependency of a request the same session: the one the user was read
    # with. The resolvers use their own, so give its connection back now, not after the answer.
    await session.close()
    return GraphQLContext(user, get_resources(request))
