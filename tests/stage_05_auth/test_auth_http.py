import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from course_app.core.security import create_access_token
from course_app.models import User
from tests.helpers import PASSWORD, add_user, open_client

REGISTRATION = {
    "email": "Grace@Example.com",
    "full_name": "Grace Hopper",
    "password": PASSWORD,
    "password_confirm": PASSWORD,
    "terms_accepted": True,
}


def login_form(email: str, password: str = PASSWORD) -> dict[str, str]:
    return {"username": email, "password": password}


def secret_of(app: FastAPI) -> str:
    return app.state.resources.settings.secret_key.get_secret_value()


def b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


async def test_register_returns_the_public_user(client: httpx.AsyncClient) -> None:
    """POST /auth/register answers 201 with the user, email lower-cased, and no password."""
    response = await client.post("/auth/register", json=REGISTRATION)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["email"] == "grace@example.com"
    assert (body["role"], body["status"], body["is_verified"]) == ("user", "active", False)
    assert not any("password" in key for key in body)
    assert body["created_at"].endswith(("Z", "+00:00")), "timestamps must be timezone-aware"


async def test_register_twice_with_different_case_is_409(
    app: FastAPI, client: httpx.AsyncClient, known_password_hash: str
) -> None:
    """An email that exists in another case is taken: 409."""
    await add_user(app, known_password_hash, email="grace@example.com")
    response = await client.post("/auth/register", json=REGISTRATION)
    assert response.status_code == 409


async def test_register_cannot_make_an_admin(app: FastAPI, client: httpx.AsyncClient) -> None:
    """A role in the registration body is refused (422) and no user is created."""
    response = await client.post("/auth/register", json={**REGISTRATION, "role": "admin"})
    assert response.status_code == 422
    async with app.state.resources.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 0


async def test_register_invalid_body_is_422(client: httpx.AsyncClient) -> None:
    """A weak password, mismatched confirmation or unaccepted terms gives 422."""
    for changes in (
        {"password": "weak", "password_confirm": "weak"},
        {"password_confirm": "Other!Passw0rd"},
        {"terms_accepted": False},
    ):
        response = await client.post("/auth/register", json={**REGISTRATION, **changes})
        assert response.status_code == 422, changes


async def test_login_with_any_email_case_gives_a_bearer_token(
    app: FastAPI, client: httpx.AsyncClient, known_password_hash: str
) -> None:
    """POST /auth/token matches the email case-insensitively, returns a token, sets last_login."""
    await add_user(app, known_password_hash, email="grace@example.com")
    response = await client.post("/auth/token", data=login_form("GRACE@example.COM"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    me = await client.get("/whoami", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json() == {"email": "grace@example.com"}
    async with app.state.resources.session_factory() as session:
        user = await session.scalar(select(User))
        assert user.last_login is not None


@pytest.mark.parametrize(
    ("email", "password"),
    [("grace@example.com", "Wr0ng!Password"), ("nobody@example.com", PASSWORD)],
    ids=["wrong-password", "unknown-email"],
)
async def test_bad_credentials_are_401_with_www_authenticate(
    app: FastAPI, client: httpx.AsyncClient, known_password_hash: str, email: str, password: str
) -> None:
    """A wrong password or an unknown email gives 401 with WWW-Authenticate: Bearer."""
    await add_user(app, known_password_hash, email="grace@example.com")
    response = await client.post("/auth/token", data=login_form(email, password))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("status", ["suspended", "inactive"])
async def test_non_active_users_cannot_log_in(
    app: FastAPI, client: httpx.AsyncClient, known_password_hash: str, status: str
) -> None:
    """A user whose status is not "active" gets 403 at login, even with the right password."""
    await add_user(app, known_password_hash, email="grace@example.com", status=status)
    response = await client.post("/auth/token", data=login_form("grace@example.com"))
    assert response.status_code == 403


async def test_non_active_user_token_is_403(
    app: FastAPI, client: httpx.AsyncClient, known_password_hash: str
) -> None:
    """A valid token of a suspended user is refused with 403."""
    _, headers = await add_user(
        app, known_password_hash, email="grace@example.com", status="suspended"
    )
    assert (await client.get("/whoami", headers=headers)).status_code == 403


@pytest.fixture
def decoded_as(monkeypatch: pytest.MonkeyPatch) -> dict[str, uuid.UUID]:
    """Tokens for get_current_user's own tests: a table says which user each one names. The real
    decoder is hole 05.decode_token, graded by its own tests, so its mistakes cannot fail these."""
    from course_app.api import deps
    from course_app.core.security import InvalidTokenError

    table: dict[str, uuid.UUID] = {}

    def decode(token: str, secret_key: str) -> uuid.UUID:
        if token not in table:
            raise InvalidTokenError("not one of this test's tokens")
        return table[token]

    monkeypatch.setattr(deps, "decode_access_token", decode)
    return table


@pytest.mark.hole("05.current_user")
async def test_current_user_refusals_are_401_with_www_authenticate(
    client: httpx.AsyncClient, decoded_as: dict[str, uuid.UUID]
) -> None:
    """get_current_user must answer 401 with `WWW-Authenticate: Bearer` (raise `unauthorized()`)
    for a missing token, an invalid token (InvalidTokenError) and a user that does not exist."""
    decoded_as["token-of-nobody"] = uuid.uuid4()
    cases = {"missing": None, "invalid": "not-a-token", "unknown user": "token-of-nobody"}
    for name, token in cases.items():
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        response = await client.get("/whoami", headers=headers)
        assert response.status_code == 401, name
        assert response.headers.get("www-authenticate") == "Bearer", name


@pytest.mark.hole("05.current_user")
@pytest.mark.parametrize("status", ["suspended", "inactive"])
async def test_current_user_is_403_for_a_user_who_is_not_active(
    app: FastAPI,
    client: httpx.AsyncClient,
    known_password_hash: str,
    decoded_as: dict[str, uuid.UUID],
    status: str,
) -> None:
    """get_current_user must answer 403, not 401, to a known user whose status is not active (we
    know who it is, and the answer is no), and return an active user."""
    grace, _ = await add_user(app, known_password_hash, email="grace@example.com", status=status)
    ada, _ = await add_user(app, known_password_hash, email="ada@example.com")
    decoded_as.update({"token-of-grace": grace.id, "token-of-ada": ada.id})
    refused = await client.get("/whoami", headers={"Authorization": "Bearer token-of-grace"})
    assert refused.status_code == 403
    allowed = await client.get("/whoami", headers={"Authorization": "Bearer token-of-ada"})
    assert (allowed.status_code, allowed.json()) == (200, {"email": "ada@example.com"})


def forged_tokens(secret: str, user_id: uuid.UUID) -> dict[str, str | None]:
    good = create_access_token(user_id, secret, timedelta(minutes=5))
    header, payload, signature = good.split(".")
    flipped = ("A" if signature[3] != "A" else "B").join((signature[:3], signature[4:]))
    now = datetime.now(UTC)
    claims = {"sub": str(user_id), "iat": int(now.timestamp())}
    return {
        "missing": None,
        "garbage": "not-a-jwt",
        "tampered-signature": f"{header}.{payload}.{flipped}",
        "tampered-payload": f"{header}.{b64({'sub': str(uuid.uuid4()), 'exp': 9e9})}.{signature}",
        "alg-none": f"{b64({'alg': 'none', 'typ': 'JWT'})}.{payload}.",
        "expired": create_access_token(
            user_id, secret, timedelta(minutes=5), now=now - timedelta(hours=1)
        ),
        "other-key": create_access_token(user_id, secret + "-other", timedelta(minutes=5)),
        "unknown-subject": create_access_token(uuid.uuid4(), secret, timedelta(minutes=5)),
        "subject-not-a-uuid": jwt.encode(
            {**claims, "sub": "admin", "exp": now + timedelta(minutes=5)}, secret, "HS256"
        ),
        "no-exp": jwt.encode(claims, secret, "HS256"),
    }


async def test_forged_or_bad_tokens_are_401(
    app: FastAPI, client: httpx.AsyncClient, known_password_hash: str
) -> None:
    """Missing, garbage, tampered, alg=none, expired, other-key and unknown-user tokens get 401."""
    user, _ = await add_user(app, known_password_hash, email="grace@example.com")
    for name, token in forged_tokens(secret_of(app), user.id).items():
        headers = {} if token is None else {"Authorization": f"Bearer {token}"}
        response = await client.get("/whoami", headers=headers)
        assert response.status_code == 401, name
        assert response.headers["www-authenticate"] == "Bearer", name


async def test_admin_routes_refuse_plain_users(
    app: FastAPI, client: httpx.AsyncClient, known_password_hash: str
) -> None:
    """require_admin gives 403 to a user and lets an admin through."""
    _, user_headers = await add_user(app, known_password_hash, email="user@example.com")
    _, admin_headers = await add_user(
        app, known_password_hash, email="admin@example.com", role="admin"
    )
    assert (await client.get("/admin-only", headers=user_headers)).status_code == 403
    assert (await client.get("/admin-only", headers=admin_headers)).status_code == 200


async def test_login_attempts_past_the_limit_get_429_with_retry_after(
    make_app: Any, known_password_hash: str
) -> None:
    """Past rate_limit_requests attempts (good or bad), POST /auth/token gives 429 + Retry-After."""
    app = make_app(rate_limit_requests=2, rate_limit_window_seconds=60)
    async with open_client(app) as client:
        await add_user(app, known_password_hash, email="grace@example.com")
        first = await client.post("/auth/token", data=login_form("grace@example.com", "bad"))
        second = await client.post("/auth/token", data=login_form("grace@example.com"))
        third = await client.post("/auth/token", data=login_form("grace@example.com"))
    assert (first.status_code, second.status_code) == (401, 200)
    assert third.status_code == 429
    assert 0 < int(third.headers["retry-after"]) <= 60
