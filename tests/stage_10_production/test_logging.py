"""Stage 10: JSON logs, one access line per request, request ids on every line, no secrets."""

import json
import logging
from functools import partial

from course_tools.databases import on_postgres
from tests.helpers import create_product
from tests.helpers import open_client as open_in_process_client

PASSWORD = "Pa55word!ThatMustNeverBeLogged"
WRONG_PASSWORD = "Wr0ng!PasswordAlsoSecret"
SECRET_KEY = "signing-key-that-must-never-be-logged-0123456789"
ADMIN_PASSWORD = "Adm1n!PasswordNeverLogged"
QUERY_SECRET = "query-secret-never-logged"
COOKIE_SECRET = "cookie-secret-never-logged"
SOME_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


# A crash comes back as the 500 a real client gets, not as the exception itself.
open_client = partial(open_in_process_client, raise_app_exceptions=False)


def access_lines(log_lines, request_id: str) -> list[dict]:
    return [r for r in log_lines.of_request(request_id) if r["logger"] == "course_app.access"]


async def test_one_access_line_per_request_with_the_route_template(
    make_app, log_lines, admin_headers
) -> None:
    app = make_app()
    async with open_client(app) as client:
        product = await create_product(client, admin_headers)
        response = await client.get(
            f"/products/{product['id']}", headers={"X-Request-ID": "read-1"}
        )
        assert response.status_code == 200
        await client.get("/no/such/page", headers={"X-Request-ID": "lost-1"})

    [line] = access_lines(log_lines, "read-1")
    assert line["level"] == "INFO"
    assert line["method"] == "GET"
    assert line["route"] == "/products/{product_id}"  # the template, never the id
    assert product["id"] not in json.dumps(line)
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["client"] == "127.0.0.1"
    assert line["time"].endswith("+00:00")
    [lost] = access_lines(log_lines, "lost-1")
    assert (lost["route"], lost["status"]) == ("<unmatched>", 404)


async def test_an_unhandled_error_is_logged_with_its_id_and_traceback(make_app, log_lines):
    app = make_app()

    @app.get("/crash")
    async def crash() -> None:
        raise RuntimeError("the bug we are looking for")

    async with open_client(app) as client:
        response = await client.get("/crash", headers={"X-Request-ID": "crash-1"})
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal Server Error"}

    lines = log_lines.of_request("crash-1")
    [error] = [line for line in lines if line["level"] == "ERROR"]
    assert "RuntimeError: the bug we are looking for" in error["exc_info"]
    assert "Traceback" in error["exc_info"]
    assert error["route"] == "/crash"
    [access] = access_lines(log_lines, "crash-1")
    assert access["status"] == 500


async def test_an_unhandled_error_is_answered_and_logged_once(make_app, log_lines) -> None:
    """Even a client that re-raises an app's exceptions (httpx's default) gets the 500: the error
    is not raised on to the server, which would log its traceback a second time."""
    from tests.helpers import open_client as raising_client

    app = make_app()

    @app.get("/crash")
    async def crash() -> None:
        raise RuntimeError("logged once")

    async with raising_client(app) as client:
        response = await client.get("/crash", headers={"X-Request-ID": "once-1"})
    assert response.status_code == 500
    tracebacks = [line for line in log_lines.records() if "exc_info" in line]
    assert len(tracebacks) == 1 and tracebacks[0]["request_id"] == "once-1"


async def test_no_secret_reaches_any_log_line(make_app, log_lines) -> None:
    """Passwords (registration, login, a failed login), a bearer token, a secret in a query string
    and in a cookie, the settings' secrets, a crash and a database failure: none of them in the
    logs, and every line the service writes during a request carries that request's id."""
    app = make_app(
        secret_key=SECRET_KEY,
        first_admin_email="root@example.com",
        first_admin_password=ADMIN_PASSWORD,
    )

    @app.get("/crash")
    async def crash() -> None:
        raise RuntimeError("crashed")

    sent_ids = []

    def headers(name: str, **more: str) -> dict[str, str]:
        sent_ids.append(name)
        return {"X-Request-ID": name, **more}

    secrets = [PASSWORD, WRONG_PASSWORD, SECRET_KEY, ADMIN_PASSWORD, QUERY_SECRET, COOKIE_SECRET]
    async with open_client(app) as client:
        registration = {
            "email": "ann@example.com",
            "full_name": "Ann Example",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
            "terms_accepted": True,
        }
        registered = await client.post("/auth/register", json=registration, headers=headers("reg"))
        assert registered.status_code == 201
        refused = await client.post(
            "/auth/register",
            json=registration | {"password_confirm": PASSWORD + "x"},
            headers=headers("reg-422"),
        )
        assert refused.status_code == 422
        login = {"username": "ann@example.com", "password": PASSWORD}
        response = await client.post("/auth/token", data=login, headers=headers("login"))
        assert response.status_code == 200
        token = response.json()["access_token"]
        secrets.append(token)
        failed = await client.post(
            "/auth/token",
            data={"username": "ann@example.com", "password": WRONG_PASSWORD},
            headers=headers("login-401"),
        )
        assert failed.status_code == 401
        bearer = {"Authorization": f"Bearer {token}"}
        assert (await client.get("/users/me", headers=headers("me", **bearer))).status_code == 200
        await client.post(
            f"/auth/token?password={QUERY_SECRET}&api_key={QUERY_SECRET}",
            data=login,
            headers=headers("query"),
        )
        await client.get(
            f"/products?q={QUERY_SECRET}",
            headers=headers("cookie", Cookie=f"session={COOKIE_SECRET}"),
        )
        crashed = await client.get("/crash", headers=headers("crash", **bearer))
        assert crashed.status_code == 500
    if not on_postgres():
        # The same service on a read-only copy of its database: the registration's INSERT fails.
        # (A SQLite URL can say "read-only"; PostgreSQL's database faults are in stage 06.)
        database = app.state.resources.settings.database_url.removeprefix("sqlite+aiosqlite:///")
        read_only = make_app(database_url=f"sqlite+aiosqlite:///file:{database}?mode=ro&uri=true")
        async with open_client(read_only) as client:
            second = registration | {"email": "bob@example.com"}
            failed_write = await client.post("/auth/register", json=second, headers=headers("ro"))
            assert failed_write.status_code == 503

    text = log_lines.text
    for secret in secrets:
        assert secret not in text
    assert "$argon2" not in text  # no password hash either
    assert "Bearer" not in text and "session=" not in text

    records = log_lines.records()
    for record in records:
        if record["logger"].startswith("course_app"):
            assert record.get("request_id") in sent_ids, record
    for request_id in sent_ids:
        assert len(access_lines(log_lines, request_id)) == 1, request_id
    if not on_postgres():
        [database_error] = [r for r in log_lines.of_request("ro") if r["level"] == "WARNING"]
        assert "database unavailable" in database_error["message"]


async def test_a_replaced_id_is_on_every_line_of_its_request(make_app, log_lines) -> None:
    """A malformed X-Request-ID is replaced, and no line of that request lacks the new id."""
    app = make_app()
    async with open_client(app) as client:
        started = len(log_lines.records())  # the lifespan's lines belong to no request
        response = await client.get("/no-such-page", headers={"X-Request-ID": "bad id!"})
        records = log_lines.records()[started:]
    new_id = response.headers["x-request-id"]
    assert records and all(record["request_id"] == new_id for record in records)
    assert "bad id!" not in log_lines.text


def test_logging_is_configured_once_however_many_apps(make_app) -> None:
    from course_app.core.logs import HANDLER_NAME

    for _ in range(3):
        make_app()
    root = logging.getLogger()
    assert [h.get_name() for h in root.handlers].count(HANDLER_NAME) == 1
    assert root.level == logging.INFO
    make_app(log_level="WARNING")
    assert root.level == logging.WARNING
    make_app()
    assert root.level == logging.INFO
    # uvicorn's own access line would repeat ours, query string included.
    assert logging.getLogger("uvicorn.access").disabled


async def test_the_configured_handler_writes_json_to_stderr(make_app, capsys) -> None:
    """What configure_logging installs: one JSON object per line, on the stderr of the moment."""
    app = make_app()
    capsys.readouterr()
    async with open_client(app) as client:
        await client.get("/health", headers={"X-Request-ID": "stderr-1"})
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    [access] = [line for line in lines if line.get("logger") == "course_app.access"]
    assert (access["request_id"], access["route"], access["status"]) == ("stderr-1", "/health", 200)
