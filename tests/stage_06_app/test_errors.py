"""Errors are mapped once: domain errors by their own status, 405 with an honest Allow header."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.helpers import open_client


async def test_405_allow_lists_every_method_of_the_path(client: httpx.AsyncClient) -> None:
    """GET and PATCH /users/me are two routes; a 405 on that path names both."""
    response = await client.request("PUT", "/users/me")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, PATCH"
    assert response.json() == {"detail": "Method Not Allowed"}
    response = await client.request("PUT", "/products/00000000-0000-0000-0000-000000000001")
    assert response.headers["allow"] == "DELETE, GET, PATCH"


@pytest.mark.parametrize(
    ("parent", "status"), [("DomainError", 409), ("NotFoundError", 404), ("InvalidValueError", 422)]
)
@pytest.mark.hole("06.domain_errors")
async def test_a_new_domain_error_gets_its_parents_status_never_500(
    app: FastAPI, parent: str, status: int
) -> None:
    """A domain error nobody registered anywhere answers `{"detail": its message}` with the
    status_code it inherits: read it from the exception, not from a dict of classes (a new class
    is a KeyError there, a 500) and not one fixed status for every domain error."""
    from course_app import exceptions

    class BrandNewError(getattr(exceptions, parent)):  # type: ignore[misc]
        pass

    @app.get("/raise-a-new-domain-error")
    async def raise_it() -> Any:
        raise BrandNewError("the rule that was broken")

    async with open_client(app) as client:
        response = await client.get("/raise-a-new-domain-error")
    assert response.status_code == status
    assert response.json() == {"detail": "the rule that was broken"}
