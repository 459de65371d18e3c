"""Stage 10: serving behind a proxy, and gunicorn with uvicorn's workers on 127.0.0.1."""

import signal
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
import psutil
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from course_tools.paths import find_root
from course_tools.uvicorn_server import gunicorn_server, uvicorn_server
from tests.helpers import assert_stopped

HOST = "127.0.0.1"
CLIENT_A = "203.0.113.10"
CLIENT_B = "203.0.113.20"


@asynccontextmanager
async def behind_proxy(app: FastAPI, uvicorn_trusts: str) -> AsyncIterator[httpx.AsyncClient]:
    """The app as uvicorn serves it with `--forwarded-allow-ips=uvicorn_trusts`; the test client
    connects from 127.0.0.1, where the proxy would be."""
    async with LifespanManager(app) as manager:
        served = ProxyHeadersMiddleware(manager.app, trusted_hosts=uvicorn_trusts)
        transport = httpx.ASGITransport(app=served)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def login_from(client: httpx.AsyncClient, address: str) -> int:
    """A failed login that the proxy forwards for `address`."""
    response = await client.post(
        "/auth/token",
        data={"username": "nobody@example.com", "password": "wrong"},
        headers={"X-Forwarded-For": address, "X-Forwarded-Proto": "https"},
    )
    return response.status_code


async def test_a_trusted_proxy_keeps_one_limit_per_client(make_app, log_lines) -> None:
    """uvicorn and the app trust the same proxy: each client has its own login limit, and the
    access log names the client, not the proxy."""
    app = make_app(trusted_proxies=["127.0.0.1"], rate_limit_requests=2)
    async with behind_proxy(app, uvicorn_trusts="127.0.0.1") as client:
        assert [await login_from(client, CLIENT_A) for _ in range(3)] == [401, 401, 429]
        assert await login_from(client, CLIENT_B) == 401
    clients = {r["client"] for r in log_lines.records() if r["logger"] == "course_app.access"}
    assert clients == {CLIENT_A, CLIENT_B}


async def test_if_only_uvicorn_trusts_the_proxy_all_clients_share_one_limit(make_app) -> None:
    """The trap: uvicorn believes the proxy (it does by default for 127.0.0.1) but the app's
    TRUSTED_PROXIES is empty. The app cannot tell a forwarded client from a liar, so every
    forwarded request shares one key: one client's failures lock everybody out."""
    app = make_app(rate_limit_requests=2)
    async with behind_proxy(app, uvicorn_trusts="127.0.0.1") as client:
        assert [await login_from(client, CLIENT_A) for _ in range(3)] == [401, 401, 429]
        assert await login_from(client, CLIENT_B) == 429


async def test_hsts_only_when_a_trusted_proxy_says_https(make_app) -> None:
    app = make_app()
    async with behind_proxy(app, uvicorn_trusts="127.0.0.1") as client:
        forwarded = await client.get("/health", headers={"X-Forwarded-Proto": "https"})
        assert forwarded.headers["strict-transport-security"].startswith("max-age=")
        assert "strict-transport-security" not in (await client.get("/health")).headers
    # A proxy uvicorn does not trust cannot make a plain HTTP request look like HTTPS.
    async with behind_proxy(app, uvicorn_trusts="10.0.0.1") as client:
        claimed = await client.get("/health", headers={"X-Forwarded-Proto": "https"})
        assert "strict-transport-security" not in claimed.headers


def serving_processes(bind: str) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        if bind in " ".join(process.info["cmdline"] or []):
            found.append(process)
    return found


def alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.mark.heavy
def test_gunicorn_with_uvicorn_workers_serves_and_stops(served_database_url: str) -> None:
    """gunicorn -k uvicorn_worker.UvicornWorker: two workers on 127.0.0.1 only, proxy headers
    from 127.0.0.1 believed, and every process gone when the block ends."""
    environment = {
        "ENVIRONMENT": "test",
        "DATABASE_URL": served_database_url,
        "PYTHONPATH": str(find_root()),
    }
    options = ["--forwarded-allow-ips", "127.0.0.1", "--graceful-timeout", "10"]
    with gunicorn_server(
        "course_app.main:app", env=environment, workers=2, options=options
    ) as base_url:
        port = int(base_url.rsplit(":", 1)[1])
        listening = [c for c in psutil.net_connections("tcp") if c.laddr and c.laddr.port == port]
        assert listening and all(c.laddr.ip == "127.0.0.1" for c in listening)
        # The arbiter and its forked workers all carry the --bind option in their command line.
        processes = serving_processes(f"{HOST}:{port}")
        assert len(processes) == 3  # the arbiter and two workers
        with httpx.Client(base_url=base_url, trust_env=False) as client:
            response = client.get("/health", headers={"X-Forwarded-Proto": "https"})
            assert response.status_code == 200
            assert response.headers["x-request-id"]
            assert response.headers["strict-transport-security"].startswith("max-age=")
            assert (client.get("/products")).status_code == 200
    assert_stopped(base_url)
    assert not any(alive(process) for process in processes)


def exited(process: psutil.Process) -> bool:
    """The process ended by itself (a zombie until its parent collects it, or already gone)."""
    return not alive(process)


def refuses_connections(port: int) -> bool:
    try:
        socket.create_connection((HOST, port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


def wait_until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.heavy
def test_sigterm_finishes_the_request_in_flight_then_exits(served_database_url: str) -> None:
    """A graceful stop (SIGTERM, as `docker stop` or a deployment sends): uvicorn stops accepting
    new connections at once, still answers the request it is in the middle of, then exits by
    itself. A login whose body is only half sent is the request in flight."""
    environment = {
        "ENVIRONMENT": "test",
        "DATABASE_URL": served_database_url,
        "PYTHONPATH": str(find_root()),
    }
    body = b"username=nobody%40example.com&password=wrong"
    head = (
        "POST /auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    options = ["--timeout-graceful-shutdown", "10"]
    with uvicorn_server("course_app.main:app", env=environment, options=options) as base_url:
        port = int(base_url.rsplit(":", 1)[1])
        [server] = serving_processes(f"--port {port}")
        with socket.create_connection((HOST, port), timeout=10) as in_flight:
            in_flight.sendall(head + body[:10])
            time.sleep(0.3)  # the app is now waiting for the rest of the body
            server.send_signal(signal.SIGTERM)
            assert wait_until(lambda: refuses_connections(port), seconds=5), (
                "still accepting new connections after SIGTERM"
            )
            assert alive(server), "exited without waiting for the request in flight"
            in_flight.sendall(body[10:])
            answer = b""
            while chunk := in_flight.recv(65536):  # until the server closes the connection
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 401 Unauthorized\r\n"), answer[:300]
        assert wait_until(lambda: exited(server), seconds=10), "did not exit after the request"
    assert_stopped(base_url)
