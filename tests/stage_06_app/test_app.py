import asyncio
import threading
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

import course_app.main
from course_app.core import security
from course_app.db import Database, create_engine, create_session_factory
from course_app.models import User
from tests.helpers import PASSWORD, add_user, open_client


async def test_importing_main_touches_no_database(tmp_path: Any) -> None:
    """course_app.main.app exists and creating an app opens no database (the lifespan does)."""
    assert isinstance(course_app.main.app, FastAPI)
    assert not list(tmp_path.iterdir())


async def test_two_apps_share_no_state(make_app: Any) -> None:
    """create_app builds independent apps: separate settings and rate limiters."""
    first, second = make_app(), make_app()
    assert first is not second
    assert first.state.resources.rate_limiter is not second.state.resources.rate_limiter


async def test_health_reports_ok(client: httpx.AsyncClient) -> None:
    """GET /health answers 200 {"status": "ok", "database": "ok"}."""
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_health_is_503_when_the_database_is_unreachable(
    app: FastAPI, unreachable_database_url: str
) -> None:
    """GET /health answers 503 when the database cannot be reached."""
    async with open_client(app) as client:
        broken = create_engine(unreachable_database_url)
        app.state.resources.database = Database(broken, create_session_factory(broken))
        response = await client.get("/health")
        await broken.dispose()
    assert response.status_code == 503


@pytest.mark.hole("06.first_admin")
async def test_lifespan_creates_the_first_admin(make_app: Any) -> None:
    """With first_admin_email and first_admin_password set, that admin exists and can log in:
    the user is added in a transaction that commits, with `await hash_password(...)`, never the
    password itself."""
    app = make_app(first_admin_email="Boss@Example.com", first_admin_password=PASSWORD)
    async with open_client(app) as client:
        response = await client.post(
            "/auth/token", data={"username": "boss@example.com", "password": PASSWORD}
        )
        assert response.status_code == 200
        headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
        me = (await client.get("/users/me", headers=headers)).json()
        assert me["role"] == "admin"
        assert (await client.get("/users", headers=headers)).status_code == 200


@pytest.mark.hole("06.first_admin")
async def test_first_admin_is_not_duplicated_on_restart(make_app: Any) -> None:
    """Starting the app twice on the same database keeps exactly one first admin: look the email
    up first, and create the user only when nobody has it yet."""
    settings = {"first_admin_email": "boss@example.com", "first_admin_password": PASSWORD}
    async with open_client(make_app(**settings)):
        pass
    app = make_app(**settings)
    async with open_client(app), app.state.resources.session_factory() as session:
        admins = (await session.scalars(select(User))).all()
    assert [admin.role for admin in admins] == ["admin"]


async def test_foreign_host_is_400(client: httpx.AsyncClient) -> None:
    """TrustedHostMiddleware answers 400 to a Host header not in allowed_hosts."""
    response = await client.get("/health", headers={"Host": "evil.example.com"})
    assert response.status_code == 400


async def test_cors_preflight_from_an_allowed_origin(client: httpx.AsyncClient) -> None:
    """A CORS preflight from an allowed origin is answered with that origin allowed."""
    response = await client.options(
        "/products",
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Authorization",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "http://localhost:3000"


async def test_cors_refuses_an_unknown_origin(client: httpx.AsyncClient) -> None:
    """A preflight from an origin not in allowed_origins is not allowed."""
    response = await client.options(
        "/products",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in response.headers


async def test_health_stays_fast_while_logins_hash(
    app: FastAPI,
    client: httpx.AsyncClient,
    known_password_hash: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """/health answers while 4 logins are hashing: argon2 must run off the event loop."""
    await add_user(app, known_password_hash, email="user@example.com")
    loop = asyncio.get_running_loop()
    loop_thread = threading.get_ident()
    hashing_started = asyncio.Event()
    verify_threads: list[int] = []
    real_verify = security.password_hash.verify

    def verify_and_signal(password: str, hashed: str) -> bool:
        verify_threads.append(threading.get_ident())
        loop.call_soon_threadsafe(hashing_started.set)  # may run in a worker thread
        return real_verify(password, hashed)

    monkeypatch.setattr(security.password_hash, "verify", verify_and_signal)
    form = {"username": "user@example.com", "password": PASSWORD}
    logins = [asyncio.create_task(client.post("/auth/token", data=form)) for _ in range(4)]
    await asyncio.wait_for(hashing_started.wait(), timeout=10)
    health = await client.get("/health")
    logins_still_running = sum(not login.done() for login in logins)
    results = await asyncio.gather(*logins)

    assert health.status_code == 200
    assert all(result.status_code == 200 for result in results)
    assert len(verify_threads) == 4
    assert loop_thread not in verify_threads, "a password was verified on the event loop"
    assert logins_still_running > 0, "/health waited for every login to finish hashing"


async def test_integrity_errors_become_409(app: FastAPI) -> None:
    """A database constraint violation reaching the app is answered 409, not 500."""

    @app.get("/boom")
    async def boom() -> None:
        raise IntegrityError("INSERT ...", {}, Exception("UNIQUE constraint failed"))

    async with open_client(app) as client:
        response = await client.get("/boom")
    assert response.status_code == 409
    assert "detail" in response.json()


async def test_rate_limit_applies_through_the_app(make_app: Any) -> None:
    """create_app sizes the limiter from settings: attempt 3 of 2 allowed gets 429 + Retry-After."""
    app = make_app(rate_limit_requests=2, rate_limit_window_seconds=30)
    async with open_client(app) as client:
        form = {"username": "nobody@example.com", "password": "x"}
        statuses = [(await client.post("/auth/token", data=form)).status_code for _ in range(3)]
        last = await client.post("/auth/token", data=form)
    assert statuses == [401, 401, 429]
    assert 0 < int(last.headers["retry-after"]) <= 30
