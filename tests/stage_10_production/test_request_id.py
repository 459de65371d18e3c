"""Stage 10: every response carries X-Request-ID, the client's own when it is well formed."""

import uuid
from functools import partial

import httpx
import pytest

from tests.helpers import open_client as open_in_process_client

SOME_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"

# A crash comes back as the 500 a real client gets, not as the exception itself.
open_client = partial(open_in_process_client, raise_app_exceptions=False)


def is_new_uuid(value: str) -> bool:
    return str(uuid.UUID(value)) == value


@pytest.mark.parametrize(
    "sent",
    ["abc", "a" * 64, "A-b_c.9", "0f8fad5b-d9cb-469f-a165-70867728950e", "req.2024-01-01_x"],
)
async def test_a_well_formed_id_is_sent_back(client: httpx.AsyncClient, sent: str) -> None:
    response = await client.get("/health", headers={"X-Request-ID": sent})
    assert response.headers["x-request-id"] == sent


@pytest.mark.parametrize(
    "sent",
    [
        "a" * 65,  # too long
        "has space",
        "semi;colon",
        'quote"d',
        "new\\nline",
        "tab\tinside",
        "caf\u00e9",  # a letter outside ASCII
        "<script>",
        "a/b",
    ],
)
async def test_a_malformed_id_is_replaced_by_a_new_uuid(client: httpx.AsyncClient, sent: str):
    response = await client.get("/health", headers=[(b"X-Request-ID", sent.encode("utf-8"))])
    assert response.status_code == 200
    returned = response.headers["x-request-id"]
    assert returned != sent
    assert is_new_uuid(returned)


async def test_without_an_id_each_request_gets_a_new_uuid(client: httpx.AsyncClient) -> None:
    ids = [(await client.get("/health")).headers["x-request-id"] for _ in range(3)]
    assert all(is_new_uuid(value) for value in ids)
    assert len(set(ids)) == 3


async def test_an_empty_id_is_replaced(client: httpx.AsyncClient) -> None:
    response = await client.get("/health", headers={"X-Request-ID": ""})
    assert is_new_uuid(response.headers["x-request-id"])


async def test_exactly_one_id_header(client: httpx.AsyncClient) -> None:
    response = await client.get("/health", headers={"X-Request-ID": "abc"})
    assert response.headers.get_list("x-request-id") == ["abc"]


async def test_every_kind_of_failure_carries_the_id(make_app) -> None:
    """404, 405, 422, 401, 413, the 400 of a foreign Host and the 500 of a crash: all carry it."""
    app = make_app(max_body_bytes=1000)

    @app.get("/crash")
    async def crash() -> None:
        raise RuntimeError("a bug")

    async with open_client(app) as client:
        for number, (method, path, kwargs, status) in enumerate(
            [
                ("GET", "/no-such-page", {}, 404),
                ("GET", f"/products/{SOME_ID}", {}, 404),
                ("DELETE", "/health", {}, 405),
                ("GET", "/products", {"params": {"per_page": 0}}, 422),
                ("GET", "/users/me", {}, 401),
                ("POST", "/auth/register", {"content": b"x" * 2000}, 413),
                ("GET", "/health", {"headers": {"Host": "evil.example"}}, 400),
                ("GET", "/crash", {}, 500),
            ]
        ):
            # Each request sends its own id, and each answer must carry that one back.
            headers = {"X-Request-ID": f"attempt-{number}", **kwargs.pop("headers", {})}
            response = await client.request(method, path, headers=headers, **kwargs)
            assert response.status_code == status, (path, response.text)
            assert response.headers["x-request-id"] == f"attempt-{number}", path


async def test_browsers_may_read_the_id_even_of_a_crash(make_app) -> None:
    """CORS exposes X-Request-ID, so a web page can show it in an error report, and a crash's 500
    carries the CORS headers too (Starlette's own 500 would come from outside CORS)."""
    app = make_app()

    @app.get("/crash")
    async def crash() -> None:
        raise RuntimeError("a bug")

    origin = {"Origin": "http://localhost:3000"}
    async with open_client(app) as client:
        for path, status in [("/health", 200), ("/crash", 500)]:
            response = await client.get(path, headers=origin)
            assert response.status_code == status
            assert response.headers["access-control-allow-origin"] == origin["Origin"]
            exposed = response.headers["access-control-expose-headers"].lower()
            assert "x-request-id" in exposed


async def test_the_id_is_known_inside_the_request(make_app) -> None:
    """course_app.core.request_id.current_request_id() is the id of the request being handled."""
    from course_app.core.request_id import current_request_id

    app = make_app()

    @app.get("/whoami")
    async def whoami() -> dict[str, str | None]:
        return {"request_id": current_request_id()}

    async with open_client(app) as client:
        response = await client.get("/whoami", headers={"X-Request-ID": "mine-1"})
        assert response.json() == {"request_id": "mine-1"}
        response = await client.get("/whoami")
        assert response.json() == {"request_id": response.headers["x-request-id"]}
