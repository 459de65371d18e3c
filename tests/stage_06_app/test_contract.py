"""The auth rows of the contract and app-wide rules, through the whole app from create_app."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update

from course_app.core.security import create_access_token
from course_app.enums import UserStatus
from course_app.models import User
from tests.helpers import PASSWORD, add_user, open_client

REGISTRATION = {
    "email": "Grace@Example.com",
    "full_name": "Grace Hopper",
    "password": PASSWORD,
    "password_confirm": PASSWORD,
    "terms_accepted": True,
}

USER_FIELDS = {
    "id",
    "email",
    "full_name",
    "phone",
    "date_of_birth",
    "role",
    "status",
    "is_verified",
    "created_at",
    "updated_at",
    "last_login",
}


async def test_register_through_the_app_is_201_with_the_user_shape(
    client: httpx.AsyncClient,
) -> None:
    """POST /auth/register on the full app: 201 with exactly the User fields, role "user"."""
    response = await client.post("/auth/register", json=REGISTRATION)
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == USER_FIELDS
    assert (body["email"], body["role"], body["status"]) == ("grace@example.com", "user", "active")


async def test_duplicate_registration_is_409_in_any_case(client: httpx.AsyncClient) -> None:
    """Registering an email twice, in another case, is 409 through the full app."""
    assert (await client.post("/auth/register", json=REGISTRATION)).status_code == 201
    again = {**REGISTRATION, "email": "GRACE@example.COM"}
    response = await client.post("/auth/register", json=again)
    assert response.status_code == 409
    assert "detail" in response.json()


@pytest.mark.parametrize("role", ["admin", "moderator", "user"])
async def test_registration_cannot_make_an_admin(
    app: FastAPI, client: httpx.AsyncClient, role: str
) -> None:
    """A role in the registration body is refused (422): registration never makes an admin."""
    response = await client.post("/auth/register", json={**REGISTRATION, "role": role})
    assert response.status_code == 422
    async with app.state.resources.session_factory() as session:
        admins = select(func.count()).select_from(User).where(User.role == "admin")
        assert await session.scalar(admins) == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"password": "weak", "password_confirm": "weak"},
        {"password_confirm": "Other!Passw0rd"},
        {"terms_accepted": False},
        {"email": "not-an-email"},
        {"full_name": "A"},
        {"full_name": "A" * 101},
        {"password": "Aa1!" * 33, "password_confirm": "Aa1!" * 33},
        {"is_verified": True},
    ],
)
async def test_invalid_registrations_are_422(client: httpx.AsyncClient, changes: dict) -> None:
    """Weak password, mismatch, no terms, bad email, bad name length, unknown field: 422."""
    response = await client.post("/auth/register", json={**REGISTRATION, **changes})
    assert response.status_code == 422, changes


async def test_login_through_the_app(
    app: FastAPI, client: httpx.AsyncClient, known_password_hash: str
) -> None:
    """POST /auth/token: 200 bearer token for any email case; 401 + WWW-Authenticate when wrong."""
    await add_user(app, known_password_hash, email="grace@example.com")
    response = await client.post(
        "/auth/token", data={"username": "GRACE@EXAMPLE.COM", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert set(response.json()) == {"access_token", "token_type"}
    assert response.json()["token_type"] == "bearer"
    headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
    assert (await client.get("/users/me", headers=headers)).status_code == 200
    for form in (
        {"username": "grace@example.com", "password": "Wr0ng!Password"},
        {"username": "nobody@example.com", "password": PASSWORD},
    ):
        wrong = await client.post("/auth/token", data=form)
        assert wrong.status_code == 401
        assert wrong.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("status", ["inactive", "suspended"])
async def test_non_active_login_is_403_through_the_app(
    app: FastAPI, client: httpx.AsyncClient, known_password_hash: str, status: str
) -> None:
    """POST /auth/token is 403 for a user whose status is not "active"."""
    await add_user(app, known_password_hash, email="grace@example.com", status=status)
    form = {"username": "grace@example.com", "password": PASSWORD}
    assert (await client.post("/auth/token", data=form)).status_code == 403


async def test_every_login_attempt_counts_and_429_has_retry_after(make_app: Any) -> None:
    """Past rate_limit_requests attempts, even successful ones, POST /auth/token gives 429."""
    app = make_app(
        rate_limit_requests=3,
        rate_limit_window_seconds=60,
        first_admin_email="boss@example.com",
        first_admin_password=PASSWORD,
    )
    async with open_client(app) as client:
        good = {"username": "boss@example.com", "password": PASSWORD}
        statuses = [(await client.post("/auth/token", data=good)).status_code for _ in range(4)]
        refused = await client.post("/auth/token", data=good)
    assert statuses == [200, 200, 200, 429]
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60


def bad_tokens(app: FastAPI, user_id: uuid.UUID) -> dict[str, str]:
    secret = app.state.resources.settings.secret_key.get_secret_value()
    good = create_access_token(user_id, secret, timedelta(minutes=5))
    header, payload, signature = good.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    past = datetime.now(UTC) - timedelta(hours=1)
    return {
        "invalid": "not-a-jwt",
        "tampered": f"{header}.{payload}.{flipped}",
        "expired": create_access_token(user_id, secret, timedelta(minutes=5), now=past),
        "other-key": create_access_token(user_id, secret + "-other", timedelta(minutes=5)),
        "unknown-user": create_access_token(uuid.uuid4(), secret, timedelta(minutes=5)),
    }


async def test_bad_tokens_are_401_on_every_user_route(
    app: FastAPI, client: httpx.AsyncClient, known_password_hash: str
) -> None:
    """Invalid, tampered, expired, foreign-key or unknown-user tokens give 401 on /users/me."""
    user, _ = await add_user(app, known_password_hash, email="grace@example.com")
    for name, token in bad_tokens(app, user.id).items():
        headers = {"Authorization": f"Bearer {token}"}
        for method, path in (("GET", "/users/me"), ("PATCH", "/users/me"), ("GET", "/users")):
            response = await client.request(method, path, headers=headers, json={})
            assert response.status_code == 401, (name, method, path)
            assert response.headers["www-authenticate"] == "Bearer"


async def test_two_apps_with_different_settings_keep_separate_data(
    make_app: Any, new_database_url: Any
) -> None:
    """Two apps from create_app with different databases and hosts share no data or settings."""
    first = make_app(database_url=new_database_url("first"))
    second = make_app(database_url=new_database_url("second"), allowed_hosts=["shop.example"])
    assert first.state.resources.settings is not second.state.resources.settings
    async with open_client(first) as one, open_client(second) as two:
        assert (await one.post("/auth/register", json=REGISTRATION)).status_code == 201
        assert (await two.get("/health")).status_code == 400, "Host test is not allowed on two"
        shop = {"Host": "shop.example"}
        response = await two.post("/auth/register", json=REGISTRATION, headers=shop)
        assert response.status_code == 201, "the second app has its own database"


async def test_lifespan_disposes_the_engine(app: FastAPI) -> None:
    """On shutdown the lifespan disposes of the engine: no pooled connection stays open."""
    async with open_client(app) as client:
        assert (await client.get("/health")).status_code == 200
        engine = app.state.resources.database.engine
        assert engine.pool.checkedin() >= 1
    assert engine.pool.checkedin() == 0


@pytest.mark.hole("06.first_admin")
async def test_first_admin_from_settings_promotes_an_existing_user(
    make_app: Any, database_url: str
) -> None:
    """If first_admin_email already belongs to a registered (even suspended) user, the lifespan
    makes them an active admin: set role and status on the user found, not only on a new one."""
    first = make_app()
    async with open_client(first) as client:
        assert (await client.post("/auth/register", json=REGISTRATION)).status_code == 201
        async with first.state.resources.session_factory() as session:
            await session.execute(update(User).values(status=UserStatus.SUSPENDED))
            await session.commit()
    app = make_app(first_admin_email="grace@example.com", first_admin_password=PASSWORD)
    async with open_client(app) as client:
        form = {"username": "grace@example.com", "password": PASSWORD}
        token = (await client.post("/auth/token", data=form)).json()["access_token"]
        me = await client.get("/users/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["role"] == "admin"


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        (
            "POST",
            "/auth/register",
            {"content": b"{not json", "headers": {"content-type": "application/json"}},
        ),
        ("POST", "/auth/register", {"json": [1, 2, 3]}),
        ("POST", "/auth/register", {"json": None}),
        ("POST", "/auth/register", {"json": {**REGISTRATION, "date_of_birth": "3000-01-01"}}),
        ("POST", "/auth/token", {"data": {"username": "x"}}),
        ("POST", "/auth/token", {"json": {"username": "x", "password": "y"}}),
        ("GET", "/products", {"params": {"min_price": "Infinity"}}),
        ("GET", "/products", {"params": {"q": "x" * 10_000}}),
        ("GET", "/products", {"params": {"per_page": "1e3"}}),
        ("GET", "/products/by-slug/%00", {}),
    ],
)
async def test_bad_requests_never_give_500(
    client: httpx.AsyncClient, method: str, path: str, kwargs: dict
) -> None:
    """Malformed JSON, wrong body types, absurd parameters: always a 4xx, never a 500."""
    response = await client.request(method, path, **kwargs)
    assert 400 <= response.status_code < 500, response.text


async def test_unknown_routes_and_methods(client: httpx.AsyncClient) -> None:
    """An unknown path is 404 and a wrong method 405, both as JSON {"detail": ...}."""
    missing = await client.get("/nothing-here")
    assert (missing.status_code, set(missing.json())) == (404, {"detail"})
    assert (await client.put("/health")).status_code == 405


async def test_created_user_cannot_use_admin_routes(client: httpx.AsyncClient) -> None:
    """A freshly registered user logs in as "user": 403 on GET /users and PATCH /users/{id}."""
    registered = (await client.post("/auth/register", json=REGISTRATION)).json()
    form = {"username": "grace@example.com", "password": PASSWORD}
    token = (await client.post("/auth/token", data=form)).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/users", headers=headers)).status_code == 403
    url = f"/users/{registered['id']}"
    assert (await client.patch(url, json={"role": "admin"}, headers=headers)).status_code == 403
    assert (await client.get("/users/me", headers=headers)).json()["role"] == "user"
