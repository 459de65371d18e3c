"""Stage 06, hardening: the HTTP rules of API.md's "Added: hardening", through the whole app.

Hostile bodies, clean 422s, body size limits, admins keeping an admin, strict values, concurrent slugs,
database faults, the client address of the login limit, and an OpenAPI document that tells the truth.
"""

import asyncio
import hashlib
import json
import re
import sqlite3
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from tests.helpers import PASSWORD, add_user, postgres_only, sqlite_only

JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}

REGISTRATION = {
    "email": "grace@example.com",
    "full_name": "Grace Hopper",
    "password": PASSWORD,
    "password_confirm": PASSWORD,
    "terms_accepted": True,
}
PRODUCT = {"name": "Desk Lamp", "category": "home", "price": "19.99", "stock_quantity": 5}
FULL_WIDTH_PRICE = "\uff11\uff12.\uff13\uff10"  # "12.30" in full-width digits
SOME_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


@asynccontextmanager
async def open_client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """Like tests.helpers.open_client, but a crash comes back as the 500 a real client would get.

    httpx's ASGITransport re-raises an app's exception by default; here the test sees the answer.
    """
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    # Overrides the conftest fixture for this module (user_headers and admin_headers use it too).
    async with open_client(app) as client:
        yield client


def dumps(body: dict[str, Any]) -> bytes:
    """JSON as a client may send it: NaN and Infinity as bare words, lone surrogates as \\uXXXX."""
    return json.dumps(body, ensure_ascii=True, allow_nan=True).encode()


def assert_json_client_error(response: httpx.Response, allowed: tuple[int, ...]) -> None:
    assert response.status_code in allowed, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/json"), response.headers
    assert "detail" in response.json()


async def user_id(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    response = await client.get("/users/me", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["id"]


# --- JSON the server cannot represent: 422 (or 400), never a 500 --------------------------------

# (method, path, who, raw body). who: None (anonymous), "user" or "admin".
UNREPRESENTABLE = [
    pytest.param("POST", "/auth/register", None, b'{"email": NaN}', id="register-email-NaN"),
    pytest.param(
        "POST",
        "/auth/register",
        None,
        dumps({**REGISTRATION, "full_name": "a\udc00b"}),
        id="register-full_name-lone-surrogate",
    ),
    pytest.param(
        "POST",
        "/auth/register",
        None,
        dumps({**REGISTRATION, "password": "Str0ng!\ud800", "password_confirm": "Str0ng!\ud800"}),
        id="register-password-lone-surrogate",
    ),
    pytest.param(
        "POST",
        "/auth/register",
        None,
        dumps({**REGISTRATION, "phone": float("inf")}),
        id="register-phone-Infinity",
    ),
    pytest.param(
        "POST",
        "/auth/register",
        None,
        dumps({**REGISTRATION, "\udc00": 1}),
        id="register-unknown-key-lone-surrogate",
    ),
    pytest.param(
        "POST",
        "/auth/register",
        None,
        dumps({**REGISTRATION, "x\ud800y": float("nan")}),
        id="register-unknown-key-surrogate-and-NaN",
    ),
    pytest.param(
        "PATCH", "/users/me", "user", dumps({"full_name": "a\udc00b"}), id="me-full_name-surrogate"
    ),
    pytest.param("PATCH", "/users/me", "user", b'{"full_name": NaN}', id="me-full_name-NaN"),
    pytest.param(
        "PATCH", "/users/me", "user", b'{"date_of_birth": -Infinity}', id="me-date-Infinity"
    ),
    pytest.param(
        "PATCH", "/users/me", "user", dumps({"\udfff": "x"}), id="me-unknown-key-surrogate"
    ),
    pytest.param(
        "POST",
        "/products",
        "admin",
        dumps({**PRODUCT, "price": float("nan")}),
        id="product-price-NaN",
    ),
    pytest.param(
        "POST",
        "/products",
        "admin",
        dumps({**PRODUCT, "price": float("inf")}),
        id="product-price-Infinity",
    ),
    pytest.param(
        "POST",
        "/products",
        "admin",
        dumps({**PRODUCT, "price": float("-inf")}),
        id="product-price--Infinity",
    ),
    pytest.param(
        "POST",
        "/products",
        "admin",
        dumps({**PRODUCT, "stock_quantity": float("nan")}),
        id="product-stock-NaN",
    ),
    pytest.param(
        "POST",
        "/products",
        "admin",
        dumps({**PRODUCT, "name": "\ud83d"}),
        id="product-name-lone-surrogate",
    ),
    pytest.param(
        "POST",
        "/products",
        "admin",
        dumps({**PRODUCT, "\ud800": 1}),
        id="product-unknown-key-surrogate",
    ),
    pytest.param(
        "PATCH",
        f"/products/{SOME_ID}",
        "admin",
        dumps({"price": float("nan"), "description": "\udc00"}),
        id="product-update-NaN-and-surrogate",
    ),
    pytest.param(
        "PATCH",
        f"/users/{SOME_ID}",
        "admin",
        dumps({"role": float("nan"), "\udc00": 1}),
        id="admin-update-NaN-and-surrogate",
    ),
]


@pytest.mark.hole("06.validation_errors")
@pytest.mark.parametrize(("method", "path", "who", "body"), UNREPRESENTABLE)
async def test_unrepresentable_json_is_a_client_error_not_a_500(
    client: httpx.AsyncClient,
    user_headers: dict[str, str],
    admin_headers: dict[str, str],
    method: str,
    path: str,
    who: str | None,
    body: bytes,
) -> None:
    """NaN, Infinity and lone surrogates (in values or key names) get 422 or 400 with JSON, never
    500: each error of a 422 keeps only loc, msg and type, never the input or ctx (they can hold
    values JSON cannot encode)."""
    auth = {"user": user_headers, "admin": admin_headers}.get(who or "", {})
    response = await client.request(method, path, content=body, headers={**JSON, **auth})
    assert_json_client_error(response, (400, 422))


async def test_nothing_is_registered_from_an_unrepresentable_body(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """A refused registration with a lone surrogate stores no user."""
    from sqlalchemy import func, select

    from course_app.models import User

    body = dumps({**REGISTRATION, "full_name": "Gr\udc00ce"})
    response = await client.post("/auth/register", content=body, headers=JSON)
    assert_json_client_error(response, (400, 422))
    async with app.state.resources.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 0


@postgres_only("SQLite stores a NUL character in text; PostgreSQL refuses it (SQLSTATE 22021)")
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/products", {**PRODUCT, "name": "Desk\u0000Lamp"}),
        ("POST", "/products", {**PRODUCT, "description": "\u0000"}),
        ("GET", "/products?q=%00", None),
    ],
)
async def test_text_the_database_cannot_store_is_422_not_503(
    client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    """A NUL character is valid JSON, but PostgreSQL cannot store it in text: the value is the
    client's problem (422, a data error), not a database that is down (503)."""
    from course_app.errors import VALUE_OUT_OF_RANGE

    response = await client.request(method, path, json=body, headers=admin_headers)
    assert response.status_code == 422, response.text[:300]
    assert response.json() == {"detail": VALUE_OUT_OF_RANGE}


# --- 422 bodies: loc, msg, type; never the submitted value ----------------------------------------


def assert_clean_422(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 422, response.text[:300]
    errors = response.json()["detail"]
    assert isinstance(errors, list) and errors
    for error in errors:
        assert {"loc", "msg", "type"} <= set(error), error
        assert "input" not in error, error
    return errors


@pytest.mark.parametrize(
    "changes",
    [
        {"password": "weak", "password_confirm": "weak"},
        {"email": "not-an-email", "full_name": "A"},
        {"terms_accepted": False, "is_admin": True},
        {"date_of_birth": "2999-01-01"},
    ],
)
@pytest.mark.hole("06.validation_errors")
async def test_422_lists_loc_msg_type_and_never_the_input(
    client: httpx.AsyncClient, changes: dict[str, Any]
) -> None:
    """Every 422 error has loc, msg and type, and no `input` (the value the client sent)."""
    response = await client.post("/auth/register", json={**REGISTRATION, **changes})
    assert_clean_422(response)
    for value in changes.values():
        if isinstance(value, str) and len(value) > 3:
            assert value not in response.text


@pytest.mark.hole("06.validation_errors")
async def test_password_mismatch_echoes_neither_password(client: httpx.AsyncClient) -> None:
    """A 422 for passwords that do not match contains neither password anywhere."""
    first, second = "Zq8!wLx3vKp2", "Yt5@nMb7kRs9"
    body = {**REGISTRATION, "password": first, "password_confirm": second}
    response = await client.post("/auth/register", json=body)
    assert_clean_422(response)
    assert first not in response.text
    assert second not in response.text


async def test_a_weak_password_is_not_echoed(client: httpx.AsyncClient) -> None:
    """A refused (weak) password is not sent back either."""
    weak = "alllowercaseletters"
    response = await client.post(
        "/auth/register", json={**REGISTRATION, "password": weak, "password_confirm": weak}
    )
    assert_clean_422(response)
    assert weak not in response.text


@pytest.mark.hole("06.validation_errors")
async def test_a_large_refused_value_is_not_echoed(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    """A refused 5000-character description does not come back in the 422."""
    description = "z" * 5000
    body = {**PRODUCT, "description": description}
    response = await client.post("/products", json=body, headers=admin_headers)
    assert_clean_422(response)
    assert len(response.content) < 2000, len(response.content)


async def test_the_price_range_422_follows_the_same_shape(client: httpx.AsyncClient) -> None:
    """The hand-raised min_price > max_price 422 has loc, msg, type and no input too."""
    response = await client.get("/products", params={"min_price": "7.77", "max_price": "1"})
    assert_clean_422(response)


# --- Body size: 413 before parsing -----------------------------------------------------------------


@pytest.fixture
async def small_body_app(make_app: Any, known_password_hash: str) -> AsyncIterator[tuple[Any, Any]]:
    app = make_app(max_body_bytes=1000)
    async with open_client(app) as client:
        _, headers = await add_user(app, known_password_hash, email="user@example.com")
        yield client, headers


def padded(body: dict[str, Any], size: int) -> bytes:
    """Valid JSON of exactly `size` bytes (trailing whitespace is allowed in JSON)."""
    raw = json.dumps(body).encode()
    assert len(raw) <= size
    return raw + b" " * (size - len(raw))


async def chunks(data: bytes, size: int = 256) -> AsyncIterator[bytes]:
    # A generator: httpx sends it chunked, without a Content-Length header.
    for start in range(0, len(data), size):
        yield data[start : start + size]


def assert_413(response: httpx.Response) -> None:
    assert response.status_code == 413, (response.status_code, response.text[:200])
    assert response.headers["content-type"].startswith("application/json")
    assert "detail" in response.json()


BODY_ROUTES = [
    pytest.param("POST", "/auth/register", JSON, False, id="register"),
    pytest.param("PATCH", "/users/me", JSON, True, id="update-me"),
    pytest.param("POST", "/auth/token", FORM, False, id="login-form"),
]


@pytest.mark.parametrize(("method", "path", "content_type", "needs_auth"), BODY_ROUTES)
async def test_a_body_over_max_body_bytes_is_413(
    small_body_app: tuple[Any, Any],
    method: str,
    path: str,
    content_type: dict[str, str],
    needs_auth: bool,
) -> None:
    """With max_body_bytes=1000, a body of 1001 bytes (with Content-Length) gets 413 and JSON."""
    client, headers = small_body_app
    body = b"a" * 1001 if content_type is FORM else padded({"full_name": "x" * 900}, 1001)
    response = await client.request(
        method, path, content=body, headers={**content_type, **(headers if needs_auth else {})}
    )
    assert_413(response)


@pytest.mark.parametrize(("method", "path", "content_type", "needs_auth"), BODY_ROUTES)
async def test_a_streamed_body_over_max_body_bytes_is_413(
    small_body_app: tuple[Any, Any],
    method: str,
    path: str,
    content_type: dict[str, str],
    needs_auth: bool,
) -> None:
    """A chunked body with no Content-Length is counted as it arrives: 413 past the limit."""
    client, headers = small_body_app
    body = b"a" * 5000 if content_type is FORM else padded({"full_name": "x" * 4000}, 5000)
    request = client.build_request(
        method,
        path,
        content=chunks(body),
        headers={**content_type, **(headers if needs_auth else {})},
    )
    assert "content-length" not in request.headers
    response = await client.send(request)
    assert_413(response)


async def test_a_body_of_exactly_max_body_bytes_is_processed(
    small_body_app: tuple[Any, Any],
) -> None:
    """1000 bytes with max_body_bytes=1000 is not too large: it is parsed (here 200 OK)."""
    client, headers = small_body_app
    response = await client.patch(
        "/users/me",
        content=padded({"full_name": "Ada Lovelace"}, 1000),
        headers={**JSON, **headers},
    )
    assert response.status_code == 200, response.text[:200]
    streamed = await client.send(
        client.build_request(
            "PATCH",
            "/users/me",
            content=chunks(padded({"full_name": "Ada King"}, 1000)),
            headers={**JSON, **headers},
        )
    )
    assert streamed.status_code == 200, streamed.text[:200]
    assert streamed.json()["full_name"] == "Ada King"


async def test_default_limit_refuses_two_megabytes(client: httpx.AsyncClient) -> None:
    """With the default max_body_bytes (1 MiB), a 2 MB registration gets 413, streamed or not."""
    body = dumps({**REGISTRATION, "full_name": "x" * 2_000_000})
    assert_413(await client.post("/auth/register", content=body, headers=JSON))
    request = client.build_request(
        "POST", "/auth/register", content=chunks(body, 65536), headers=JSON
    )
    assert_413(await client.send(request))


# --- Admins keep an admin ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"role": "user"},
        {"role": "moderator"},
        {"status": "inactive"},
        {"status": "suspended"},
        {"role": "user", "status": "suspended"},
    ],
)
async def test_an_admin_cannot_change_their_own_role_or_status(
    client: httpx.AsyncClient, admin_headers: dict[str, str], change: dict[str, str]
) -> None:
    """PATCH /users/{own id} with role or status is 409, and the account stays an active admin."""
    own_id = await user_id(client, admin_headers)
    response = await client.patch(f"/users/{own_id}", json=change, headers=admin_headers)
    assert response.status_code == 409, response.text
    assert "detail" in response.json()
    me = await client.get("/users/me", headers=admin_headers)
    assert (me.json()["role"], me.json()["status"]) == ("admin", "active")


async def test_an_admin_still_changes_other_users(
    client: httpx.AsyncClient, admin_headers: dict[str, str], user_headers: dict[str, str]
) -> None:
    """The rule is about one's own account: changing another user (even another admin) is 200."""
    other_id = await user_id(client, user_headers)
    response = await client.patch(
        f"/users/{other_id}", json={"role": "admin", "status": "suspended"}, headers=admin_headers
    )
    assert response.status_code == 200, response.text
    assert (response.json()["role"], response.json()["status"]) == ("admin", "suspended")
    response = await client.patch(
        f"/users/{other_id}", json={"role": "user", "status": "active"}, headers=admin_headers
    )
    assert response.status_code == 200, response.text


# --- Strict values through HTTP --------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"stock_quantity": True},
        {"stock_quantity": "1"},
        {"stock_quantity": 1.0},
        {"price": FULL_WIDTH_PRICE},
        {"price": "1_000"},
        {"price": " 12.30 "},
        {"price": "+12.30"},
        {"price": "1e2"},
        {"price": "12."},
        {"price": ".5"},
        {"price": "12.345"},
    ],
    ids=repr,
)
async def test_products_refuse_loose_numbers(
    client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    changes: dict[str, Any],
) -> None:
    """POST /products: integers refuse true, "1", 1.0; money refuses anything but plain digits."""
    response = await client.post("/products", json={**PRODUCT, **changes}, headers=admin_headers)
    assert_clean_422(response)
    assert (await client.get("/products")).json()["total"] == 0


@pytest.mark.parametrize(
    ("price", "shown"),
    [("12.30", "12.30"), ("12.3", "12.30"), ("12", "12.00"), (12.3, "12.30"), (12, "12.00")],
    ids=repr,
)
async def test_products_accept_plain_money(
    client: httpx.AsyncClient, admin_headers: dict[str, str], price: object, shown: str
) -> None:
    """Plain strings and JSON numbers with at most two places are accepted and shown with two."""
    response = await client.post(
        "/products", json={**PRODUCT, "price": price}, headers=admin_headers
    )
    assert response.status_code == 201, response.text
    assert response.json()["price"] == shown


@pytest.mark.parametrize("value", [0, 946684800, 0.0], ids=repr)
async def test_date_of_birth_refuses_numbers(
    client: httpx.AsyncClient, user_headers: dict[str, str], value: object
) -> None:
    """PATCH /users/me {"date_of_birth": 0} is 422: a date is not a Unix timestamp."""
    response = await client.patch("/users/me", json={"date_of_birth": value}, headers=user_headers)
    assert_clean_422(response)
    assert (await client.get("/users/me", headers=user_headers)).json()["date_of_birth"] is None


# --- Slugs: products created at the same moment with the same name -----------------------------------


async def test_concurrent_products_with_one_name_all_get_unique_slugs(
    client: httpx.AsyncClient, admin_headers: dict[str, str]
) -> None:
    """25 concurrent POST /products named alike (file database): all 201, pairwise distinct slugs."""
    body = {**PRODUCT, "name": "Same Name"}
    responses = await asyncio.gather(
        *(client.post("/products", json=body, headers=admin_headers) for _ in range(25))
    )
    assert [response.status_code for response in responses] == [201] * 25, [
        response.text[:100] for response in responses if response.status_code != 201
    ]
    slugs = [response.json()["slug"] for response in responses]
    assert len(set(slugs)) == 25
    assert all(slug.startswith("same-name") for slug in slugs)


# --- Database faults: 503 with a JSON detail and no internals --------------------------------------
# SQLite's faults are files: corrupt, deleted, locked. PostgreSQL's are a server: stopped, a
# database dropped, a table locked. Each backend runs its own faults (`make test-postgres`).

INTERNALS = (
    "sqlite", "asyncpg", "postgres", "select ", "insert ", "traceback", "operationalerror",
    "databaseerror",
)  # fmt: skip


def assert_503_without_internals(response: httpx.Response) -> None:
    assert response.status_code == 503, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body.get("detail") or body.get("database"), body
    text = response.text.lower()
    assert not any(word in text for word in INTERNALS), response.text


def database_file(database_url: str) -> Path:
    """The file of a SQLite database URL (the `database_url` fixture of tests/conftest.py)."""
    return Path(make_url(database_url).database or "")


def asyncpg_dsn(database_url: str) -> str:
    """asyncpg's own URL for a database: postgresql://, without SQLAlchemy's "+asyncpg"."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def assert_health_503(response: httpx.Response) -> None:
    assert_503_without_internals(response)
    assert set(response.json()) >= {"status", "database"}, response.json()
    assert response.json()["status"] != "ok"


@sqlite_only("garbage over the database file (PostgreSQL: a stopped server, below)")
async def test_a_corrupt_database_file_gives_503(
    client: httpx.AsyncClient, admin_headers: dict[str, str], database_url: str
) -> None:
    """Garbage written over the database file while the app runs: /health and the API answer 503."""
    assert (await client.get("/products")).status_code == 200
    path = database_file(database_url)
    size = path.stat().st_size
    with path.open("r+b") as file:
        file.write(b"this is not a database, just garbage " * (size // 37 + 1))
    assert_health_503(await client.get("/health"))
    # Reads that must touch the database (product reads may be served from a cache, notebook 09).
    assert_503_without_internals(await client.get("/users", headers=admin_headers))
    assert_503_without_internals(await client.get("/users/me", headers=admin_headers))
    response = await client.post("/products", json=PRODUCT, headers=admin_headers)
    assert_503_without_internals(response)


@postgres_only("stops a PostgreSQL server of its own")
async def test_a_stopped_database_server_gives_503(make_app: Any, known_password_hash: str) -> None:
    """The database server stops while the app runs: /health and the API answer 503, not 500."""
    from course_tools.postgres_server import running_postgres

    with ExitStack() as server:
        app = make_app(database_url=server.enter_context(running_postgres(honour_env=False)))
        async with open_client(app) as client:
            _, admin_headers = await add_user(
                app, known_password_hash, email="admin@example.com", role="admin"
            )
            assert (await client.get("/health")).status_code == 200
            server.close()  # stops PostgreSQL: the pooled connections and new ones fail
            assert_health_503(await client.get("/health"))
            assert_503_without_internals(await client.get("/users", headers=admin_headers))
            assert_503_without_internals(await client.get("/users/me", headers=admin_headers))
            response = await client.post("/products", json=PRODUCT, headers=admin_headers)
            assert_503_without_internals(response)


@sqlite_only("deletes the database file (PostgreSQL: a dropped database, below)")
async def test_a_deleted_database_file_gives_503(
    client: httpx.AsyncClient, admin_headers: dict[str, str], database_url: str
) -> None:
    """The database file removed while the app runs: /health is 503 and a write is not accepted."""
    assert (await client.get("/health")).status_code == 200
    database_file(database_url).unlink()
    assert_health_503(await client.get("/health"))
    response = await client.post("/products", json=PRODUCT, headers=admin_headers)
    assert not 200 <= response.status_code < 300, response.text
    assert response.status_code != 500, response.text
    if response.status_code >= 500:
        assert_503_without_internals(response)


@postgres_only("drops a PostgreSQL database")
async def test_a_dropped_database_gives_503(
    client: httpx.AsyncClient, admin_headers: dict[str, str], database_url: str, postgres: Any
) -> None:
    """The database dropped while the app runs: /health and a write answer 503."""
    assert (await client.get("/health")).status_code == 200
    postgres.drop(database_url).result()  # WITH (FORCE): the app's connections are closed too
    assert_health_503(await client.get("/health"))
    response = await client.post("/products", json=PRODUCT, headers=admin_headers)
    assert_503_without_internals(response)


async def test_a_missing_schema_gives_health_503(
    client: httpx.AsyncClient, database_url: str
) -> None:
    """Tables dropped behind the app's back: /health reads them, so it answers 503."""
    from course_app.db import create_engine
    from course_app.models import Base

    assert (await client.get("/health")).status_code == 200
    engine = create_engine(database_url)  # another connection, as a careless operator's
    try:
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.drop_all)
        response = await client.get("/health")
        assert_health_503(response)
        assert_503_without_internals(await client.get("/products"))
        async with engine.connect() as connection:
            # /health never writes: it did not quietly create the tables again.
            names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        assert not set(names) & set(Base.metadata.tables)
    finally:
        await engine.dispose()


@sqlite_only("compares the bytes of the database file; PostgreSQL keeps no file of its own")
async def test_health_never_writes(client: httpx.AsyncClient, database_url: str) -> None:
    """GET /health is a read: the database file is byte-for-byte the same after it."""
    assert (await client.get("/health")).status_code == 200
    before = hashlib.sha256(database_file(database_url).read_bytes()).hexdigest()
    for _ in range(3):
        assert (await client.get("/health")).status_code == 200
    assert hashlib.sha256(database_file(database_url).read_bytes()).hexdigest() == before


@sqlite_only("locks the database file (PostgreSQL: a locked table, below)")
async def test_a_locked_database_gives_health_503_without_hanging(
    client: httpx.AsyncClient, database_url: str
) -> None:
    """Another connection holds an exclusive lock: /health answers 503 within 10 s, not 200 or a hang."""
    assert (await client.get("/health")).status_code == 200
    blocker = sqlite3.connect(database_file(database_url), isolation_level=None)
    try:
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            response = await asyncio.wait_for(client.get("/health"), timeout=10)
        except TimeoutError:
            pytest.fail("/health hung on a locked database instead of answering 503")
        assert_health_503(response)
    finally:
        blocker.rollback()
        blocker.close()
    assert (await client.get("/health")).status_code == 200


@postgres_only("locks a table with PostgreSQL's LOCK TABLE")
async def test_a_locked_table_gives_503_without_hanging(
    client: httpx.AsyncClient, admin_headers: dict[str, str], database_url: str
) -> None:
    """Another transaction holds a table locked: /health and the API answer 503 within 10 s
    (PostgreSQL would wait forever without a lock_timeout), then 200 once the lock is gone."""
    import asyncpg

    assert (await client.get("/health")).status_code == 200
    blocker = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        locked = blocker.transaction()
        await locked.start()
        await blocker.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
        waiting = asyncio.gather(
            client.get("/health"), client.get("/users/me", headers=admin_headers)
        )
        try:
            health, me = await asyncio.wait_for(waiting, timeout=10)
        except TimeoutError:
            pytest.fail("a request hung on a locked table instead of answering 503")
        assert_health_503(health)
        assert_503_without_internals(me)
        await locked.rollback()
    finally:
        await blocker.close()
    assert (await client.get("/health")).status_code == 200


# --- The login limit keys on the connecting peer -----------------------------------------------------


async def attempt(client: httpx.AsyncClient, forwarded_for: str | None = None) -> httpx.Response:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    form = {"username": "nobody@example.com", "password": "wrong"}
    return await client.post("/auth/token", data=form, headers=headers)


async def test_forwarded_for_from_an_untrusted_peer_is_ignored(make_app: Any) -> None:
    """No trusted proxies: N+5 attempts, each claiming another X-Forwarded-For, share one limit."""
    limit = 3
    async with open_client(make_app(rate_limit_requests=limit)) as client:
        responses = [await attempt(client, f"203.0.113.{n}") for n in range(limit + 5)]
    assert [r.status_code for r in responses] == [401] * limit + [429] * 5
    assert all(int(r.headers["retry-after"]) > 0 for r in responses[limit:])


async def test_forwarded_for_from_a_trusted_proxy_keys_each_client(make_app: Any) -> None:
    """Behind a trusted proxy each forwarded client has its own limit."""
    limit = 2
    app = make_app(rate_limit_requests=limit, trusted_proxies=["127.0.0.1"])
    async with open_client(app) as client:
        allowed = [await attempt(client, f"203.0.113.{n}") for n in range(5) for _ in range(limit)]
        over = await attempt(client, "203.0.113.0")
    assert [r.status_code for r in allowed] == [401] * (5 * limit)
    assert over.status_code == 429
    assert int(over.headers["retry-after"]) > 0


async def test_the_key_is_the_rightmost_untrusted_forwarded_address(make_app: Any) -> None:
    """A client cannot choose its key: what it puts left of the real address does not count."""
    limit = 2
    app = make_app(rate_limit_requests=limit, trusted_proxies=["127.0.0.1", "10.0.0.1"])
    async with open_client(app) as client:
        # The client forges the left part; the proxies append the real address (and themselves).
        spoofed = [
            await attempt(client, f"198.51.100.{n}, 203.0.113.7, 10.0.0.1") for n in range(4)
        ]
        other_client = await attempt(client, "198.51.100.1, 203.0.113.8, 10.0.0.1")
    assert [r.status_code for r in spoofed] == [401] * limit + [429] * 2
    assert other_client.status_code == 401


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def tracked_keys(limiter: Any) -> int:
    """How many entries the limiter holds: the size of its largest container."""
    sizes = [
        len(value)
        for value in vars(limiter).values()
        if isinstance(value, dict | list | set | tuple) or hasattr(value, "__len__")
        if not isinstance(value, str | bytes)
    ]
    return max(sizes, default=0)


async def test_the_limiter_tracks_a_bounded_number_of_keys() -> None:
    """50 000 distinct keys inside one window: the limiter never holds more than MAX_TRACKED_KEYS."""
    from course_app.core import rate_limit

    clock = FakeClock()
    limiter = rate_limit.InMemoryRateLimiter(5, 60, clock=clock)
    for n in range(50_000):
        result = await limiter.hit(f"key-{n}")
        assert result.allowed
        held = tracked_keys(limiter)
        assert held <= rate_limit.MAX_TRACKED_KEYS, f"{held} keys held after {n + 1} hits"
        if n == 999:  # the count is really the limiter's storage, not an unrelated attribute
            assert held >= 1000, f"only {held} entries found after 1000 keys"


async def test_the_limiter_forgets_expired_windows() -> None:
    """Once their window has passed, old keys are dropped and their clients start afresh."""
    from course_app.core import rate_limit

    clock = FakeClock()
    limiter = rate_limit.InMemoryRateLimiter(2, 60, clock=clock)
    for _ in range(3):
        last = await limiter.hit("busy")
    assert not last.allowed
    for n in range(rate_limit.MAX_TRACKED_KEYS):
        await limiter.hit(f"old-{n}")
    clock.now += 61
    assert (await limiter.hit("busy")).allowed
    for n in range(100):
        await limiter.hit(f"new-{n}")
    assert tracked_keys(limiter) < rate_limit.MAX_TRACKED_KEYS


# --- Found by the schemathesis run (tests/stage_07_orders/test_fuzz.py), beyond the listed rules ----


@pytest.mark.parametrize(
    ("url", "documented"),
    [
        ("/products", {"GET", "POST"}),
        (f"/products/{SOME_ID}", {"GET", "PATCH", "DELETE"}),
        ("/users/me", {"GET", "PATCH"}),
    ],
)
async def test_405_lists_every_method_of_the_resource(
    client: httpx.AsyncClient, url: str, documented: set[str]
) -> None:
    """A 405 names in `Allow` all the methods the path supports, not just those of one route."""
    response = await client.request("PUT", url)
    assert response.status_code == 405
    allowed = {method.strip() for method in response.headers["allow"].split(",")}
    assert documented <= allowed, response.headers["allow"]


def test_price_filters_are_not_documented_as_any_string(openapi: dict[str, Any]) -> None:
    """GET /products?min_price=abc is 422, so the document does not call any string valid there."""
    parameters = {item["name"]: item for item in openapi["paths"]["/products"]["get"]["parameters"]}
    for name in ("min_price", "max_price"):
        for branch in branches(openapi, parameters[name]["schema"]):
            if branch.get("type") == "string":
                assert "pattern" in branch, f"{name} documented as any string: {branch}"


# --- OpenAPI tells the truth -------------------------------------------------------------------------

# The failure codes of each row of API.md's endpoints table, 413 where the route takes a body,
# and 422 where it has parameters to validate.
DOCUMENTED_FAILURES = {
    ("get", "/health"): {"503"},
    ("post", "/auth/register"): {"409", "413", "422"},
    ("post", "/auth/token"): {"401", "403", "413", "422", "429"},
    ("get", "/users/me"): {"401"},
    ("patch", "/users/me"): {"401", "413", "422"},
    ("get", "/users"): {"401", "403", "422"},
    ("patch", "/users/{user_id}"): {"401", "403", "404", "409", "413", "422"},
    ("get", "/products"): {"422"},
    ("get", "/products/{product_id}"): {"404", "422"},
    ("get", "/products/by-slug/{slug}"): {"404"},
    ("post", "/products"): {"401", "403", "413", "422"},
    ("patch", "/products/{product_id}"): {"401", "403", "404", "413", "422"},
    ("delete", "/products/{product_id}"): {"401", "403", "404", "422"},
}
PUBLIC = [
    ("get", "/health"),
    ("post", "/auth/register"),
    ("get", "/products"),
    ("get", "/products/{product_id}"),
    ("get", "/products/by-slug/{slug}"),
]


@pytest.fixture
def openapi(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


@pytest.mark.parametrize(("method", "path"), list(DOCUMENTED_FAILURES))
def test_each_route_documents_its_failure_codes(
    openapi: dict[str, Any], method: str, path: str
) -> None:
    """Each route documents the failure codes of its row in the endpoints table."""
    documented = set(openapi["paths"][path][method]["responses"])
    missing = DOCUMENTED_FAILURES[method, path] - documented
    assert not missing, f"{method.upper()} {path} does not document {sorted(missing)}"


@pytest.mark.parametrize(("method", "path"), PUBLIC)
def test_public_routes_document_no_authentication_failures(
    openapi: dict[str, Any], method: str, path: str
) -> None:
    """A route anyone may call cannot answer 401 or 403, so it does not document them."""
    documented = set(openapi["paths"][path][method]["responses"])
    assert not documented & {"401", "403"}


def resolve(openapi: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = openapi["components"]["schemas"][name]
    return schema


def request_schema(openapi: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    body = openapi["paths"][path][method]["requestBody"]["content"]["application/json"]
    return resolve(openapi, body["schema"])


def branches(openapi: dict[str, Any], schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The alternatives a property schema allows (anyOf / oneOf), each resolved."""
    schema = resolve(openapi, schema)
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema:
            return [alt for option in schema[keyword] for alt in branches(openapi, option)]
    return [schema]


def allows_null(openapi: dict[str, Any], schema: dict[str, Any]) -> bool:
    for branch in branches(openapi, schema):
        types = branch.get("type")
        if types == "null" or (isinstance(types, list) and "null" in types):
            return True
        if branch.get("nullable") is True or branch == {}:
            return True
    return False


MONEY_REFUSED = ["1_000", " 12.30 ", "+12.30", "1e2", "12.", ".5", "12.345", FULL_WIDTH_PRICE, ""]
MONEY_ACCEPTED = ["12.30", "12.3", "12", "0.01"]


@pytest.mark.parametrize(
    ("method", "path"), [("post", "/products"), ("patch", "/products/{product_id}")]
)
def test_price_is_documented_with_its_limits(
    openapi: dict[str, Any], method: str, path: str
) -> None:
    """price is not "any string": a string has the money pattern, a number has bounds."""
    price = request_schema(openapi, method, path)["properties"]["price"]
    for branch in branches(openapi, price):
        kind = branch.get("type")
        if kind == "null":
            continue
        assert kind in ("string", "number"), branch
        if kind == "string":
            assert "pattern" in branch, f"price documented as any string: {branch}"
            # JSON Schema patterns are ECMA-262 regular expressions: \d is ASCII only there.
            pattern = re.compile(branch["pattern"], re.ASCII)
            for text in MONEY_ACCEPTED:
                assert pattern.search(text), (branch["pattern"], text)
            for text in MONEY_REFUSED:
                assert not pattern.search(text), (branch["pattern"], text)
        else:
            assert {"minimum", "exclusiveMinimum"} & set(branch), branch
            assert {"maximum", "exclusiveMaximum"} & set(branch), branch


def test_registration_schema_states_the_password_and_terms_rules(openapi: dict[str, Any]) -> None:
    """password: 8-128 characters and a pattern for the character classes; terms_accepted: true."""
    schema = request_schema(openapi, "post", "/auth/register")
    password = resolve(openapi, schema["properties"]["password"])
    assert (password.get("minLength"), password.get("maxLength")) == (8, 128), password
    pattern = password.get("pattern")
    assert pattern, password
    assert re.search(pattern, PASSWORD)
    for weak in ("str0ng!passw0rd", "STR0NG!PASSW0RD", "Strong!Password", "Str0ngPassw0rd"):
        assert not re.search(pattern, weak), weak
    terms = resolve(openapi, schema["properties"]["terms_accepted"])
    assert terms.get("const") is True or terms.get("enum") == [True], terms


def test_stock_quantity_is_documented_as_a_bounded_integer(openapi: dict[str, Any]) -> None:
    """stock_quantity is an integer >= 0 (strict: no strings or floats)."""
    schema = request_schema(openapi, "post", "/products")["properties"]["stock_quantity"]
    [branch] = branches(openapi, schema)
    assert branch["type"] == "integer"
    assert branch.get("minimum") == 0


async def test_update_fields_are_nullable_exactly_when_null_is_accepted(
    client: httpx.AsyncClient,
    openapi: dict[str, Any],
    admin_headers: dict[str, str],
    user_headers: dict[str, str],
) -> None:
    """An update field documented as nullable accepts null; one that refuses null is not nullable."""
    product = await client.post("/products", json=PRODUCT, headers=admin_headers)
    other_id = await user_id(client, user_headers)
    routes = [
        ("patch", "/products/{product_id}", f"/products/{product.json()['id']}", admin_headers),
        ("patch", "/users/me", "/users/me", user_headers),
        ("patch", "/users/{user_id}", f"/users/{other_id}", admin_headers),
    ]
    mismatches = []
    for method, template, url, headers in routes:
        for field, schema in request_schema(openapi, method, template)["properties"].items():
            response = await client.request(method, url, json={field: None}, headers=headers)
            accepted = response.status_code == 200
            if allows_null(openapi, schema) != accepted:
                mismatches.append(
                    f"{method.upper()} {template} {field}: documented nullable="
                    f"{allows_null(openapi, schema)}, null answered {response.status_code}"
                )
    assert not mismatches, "\n".join(mismatches)
    name = request_schema(openapi, "patch", "/products/{product_id}")["properties"]["name"]
    assert not allows_null(openapi, name)
