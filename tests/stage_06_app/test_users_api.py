import uuid

import httpx
import pytest
from fastapi import FastAPI

from tests.helpers import add_user


async def test_me_returns_the_caller(client: httpx.AsyncClient, user_headers: dict) -> None:
    """GET /users/me returns the caller's public profile."""
    response = await client.get("/users/me", headers=user_headers)
    assert response.status_code == 200
    assert response.json()["email"] == "user@example.com"
    assert "hashed_password" not in response.json()


async def test_me_without_a_token_is_401(client: httpx.AsyncClient) -> None:
    """GET /users/me with no or a bad token is 401 with WWW-Authenticate: Bearer."""
    for headers in ({}, {"Authorization": "Bearer nonsense"}):
        response = await client.get("/users/me", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"


async def test_update_me_changes_allowed_fields(
    client: httpx.AsyncClient, user_headers: dict
) -> None:
    """PATCH /users/me updates full_name, phone and date_of_birth and returns the user."""
    body = {"full_name": "New Name", "phone": "+44 20 7946 0958", "date_of_birth": "1990-05-17"}
    response = await client.patch("/users/me", json=body, headers=user_headers)
    assert response.status_code == 200
    assert {key: response.json()[key] for key in body} == body
    again = await client.get("/users/me", headers=user_headers)
    assert again.json()["full_name"] == "New Name"


@pytest.mark.parametrize(
    "body",
    [{"role": "admin"}, {"status": "active"}, {"email": "x@example.com"}, {"full_name": "A"}],
)
async def test_update_me_refuses_other_fields(
    client: httpx.AsyncClient, user_headers: dict, body: dict
) -> None:
    """PATCH /users/me gives 422 for role, status, email or an invalid value."""
    response = await client.patch("/users/me", json=body, headers=user_headers)
    assert response.status_code == 422
    assert (await client.get("/users/me", headers=user_headers)).json()["role"] == "user"


async def test_update_me_without_a_token_is_401(client: httpx.AsyncClient) -> None:
    """PATCH /users/me without a token is 401."""
    assert (await client.patch("/users/me", json={})).status_code == 401


async def test_admin_lists_users_as_a_page(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """GET /users (admin) returns a page of users with total and pages."""
    response = await client.get("/users", params={"per_page": 1}, headers=admin_headers)
    assert response.status_code == 200
    page = response.json()
    assert (page["total"], page["page"], page["per_page"], page["pages"]) == (2, 1, 1, 2)
    assert len(page["items"]) == 1


async def test_users_list_is_for_admins_only(client: httpx.AsyncClient, user_headers: dict) -> None:
    """GET /users is 401 without a token and 403 for a non-admin."""
    assert (await client.get("/users")).status_code == 401
    assert (await client.get("/users", headers=user_headers)).status_code == 403


@pytest.mark.parametrize("per_page", [0, 101, -1, "x"])
async def test_users_list_refuses_bad_page_sizes(
    client: httpx.AsyncClient, admin_headers: dict, per_page: object
) -> None:
    """per_page outside 1-100 gives 422."""
    response = await client.get("/users", params={"per_page": per_page}, headers=admin_headers)
    assert response.status_code == 422


async def test_admin_updates_role_and_status(
    app: FastAPI, client: httpx.AsyncClient, admin_headers: dict, known_password_hash: str
) -> None:
    """PATCH /users/{id} (admin) changes role and status; a suspended user is then refused."""
    user, headers = await add_user(app, known_password_hash, email="bob@example.com")
    response = await client.patch(
        f"/users/{user.id}",
        json={"role": "moderator", "status": "suspended"},
        headers=admin_headers,
    )
    assert response.status_code == 200
    assert (response.json()["role"], response.json()["status"]) == ("moderator", "suspended")
    assert (await client.get("/users/me", headers=headers)).status_code == 403


async def test_admin_update_failures(
    client: httpx.AsyncClient, admin_headers: dict, user_headers: dict
) -> None:
    """PATCH /users/{id}: 401 no token, 403 non-admin, 404 unknown id, 422 bad body."""
    me = (await client.get("/users/me", headers=user_headers)).json()
    url = f"/users/{me['id']}"
    assert (await client.patch(url, json={"role": "admin"})).status_code == 401
    assert (
        await client.patch(url, json={"role": "admin"}, headers=user_headers)
    ).status_code == 403
    unknown = f"/users/{uuid.uuid4()}"
    assert (
        await client.patch(unknown, json={"role": "user"}, headers=admin_headers)
    ).status_code == 404
    for body in ({"role": "superuser"}, {"email": "x@example.com"}, {"status": None}):
        assert (await client.patch(url, json=body, headers=admin_headers)).status_code == 422
    assert (
        await client.patch("/users/not-a-uuid", json={}, headers=admin_headers)
    ).status_code == 422
