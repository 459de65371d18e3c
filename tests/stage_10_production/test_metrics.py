"""Stage 10: GET /metrics in Prometheus' format, exact per app and summed over worker processes."""

import asyncio
import time
import uuid
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from course_tools.paths import find_root
from course_tools.uvicorn_server import uvicorn_server
from tests.helpers import create_product, open_client

PRODUCT_ROUTE = "/products/{product_id}"


def request_counts(text: str) -> dict[tuple[str, str, str], float]:
    """{(method, route, status): count} from http_requests_total, /metrics' own requests left out."""
    counts = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = sample.labels
            if sample.name == "http_requests_total" and labels["route"] != "/metrics":
                counts[(labels["method"], labels["route"], labels["status"])] = sample.value
    return counts


def latency_counts(text: str) -> dict[tuple[str, str], float]:
    """{(method, route): number of observations} from the latency histogram."""
    return {
        (sample.labels["method"], sample.labels["route"]): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "http_request_duration_seconds_count"
    }


async def test_metrics_are_off_by_default(client: httpx.AsyncClient) -> None:
    assert (await client.get("/metrics")).status_code == 404


async def test_metrics_are_never_documented(make_app) -> None:
    app = make_app(metrics_enabled=True)
    assert "/metrics" not in app.openapi()["paths"]


async def test_requests_are_counted_by_route_template_method_and_status(
    make_app, known_password_hash
) -> None:
    from tests.helpers import add_user

    app = make_app(metrics_enabled=True)
    async with open_client(app) as client:
        _, admin = await add_user(app, known_password_hash, email="a@example.com", role="admin")
        product = await create_product(client, admin)
        for _ in range(3):
            assert (await client.get(f"/products/{product['id']}")).status_code == 200
        assert (await client.get(f"/products/{uuid.uuid4()}")).status_code == 404
        assert (await client.get("/no/such/page")).status_code == 404
        assert (await client.delete("/health")).status_code == 405
        assert (await client.get("/health", headers={"Host": "evil.example"})).status_code == 400
        response = await client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert request_counts(response.text) == {
        ("POST", "/products", "201"): 1,
        ("GET", PRODUCT_ROUTE, "200"): 3,
        ("GET", PRODUCT_ROUTE, "404"): 1,
        ("GET", "<unmatched>", "404"): 1,
        ("DELETE", "/health", "405"): 1,
        ("GET", "<unmatched>", "400"): 1,
    }
    latencies = latency_counts(response.text)
    assert latencies[("GET", PRODUCT_ROUTE)] == 4
    assert latencies[("POST", "/products")] == 1


async def test_crashes_and_unknown_methods_are_counted(make_app) -> None:
    """A crash counts as the 500 the client got; a made-up method joins "OTHER", so no client can
    create a new series per request."""
    app = make_app(metrics_enabled=True)

    @app.get("/crash")
    async def crash() -> None:
        raise RuntimeError("a bug")

    async with open_client(app) as client:
        assert (await client.get("/crash")).status_code == 500
        for method in ("BREW", "WHEN", "FLY"):
            await client.request(method, "/health")
        text = (await client.get("/metrics")).text
    counts = request_counts(text)
    assert counts[("GET", "/crash", "500")] == 1
    assert counts[("OTHER", "/health", "405")] == 3


async def test_each_app_has_its_own_metrics(make_app) -> None:
    """Many apps in one process (tests, notebooks) never clash and never share counts."""
    apps = [make_app(metrics_enabled=True) for _ in range(3)]
    for requests, app in enumerate(apps, start=1):
        async with open_client(app) as client:
            for _ in range(requests):
                await client.get("/health")
            text = (await client.get("/metrics")).text
        assert request_counts(text) == {("GET", "/health", "200"): requests}


def test_a_missing_multiprocess_folder_fails_at_start_up(make_app, monkeypatch, tmp_path):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "missing"))
    with pytest.raises(RuntimeError, match="PROMETHEUS_MULTIPROC_DIR"):
        make_app(metrics_enabled=True)
    make_app()  # no metrics, no folder needed


def worker_pids(folder: Path) -> set[str]:
    """The worker processes that have counted something: each writes counter_<pid>.db."""
    return {path.stem.removeprefix("counter_") for path in folder.glob("counter_*.db")}


@pytest.mark.heavy
async def test_two_workers_report_the_sum_of_their_counts(
    tmp_path: Path, served_database_url: str
) -> None:
    """uvicorn --workers 2 with PROMETHEUS_MULTIPROC_DIR: N requests spread over both workers,
    and every scrape, whichever worker answers it, reports exactly N (one worker alone would
    report only its own share)."""
    shared = tmp_path / "prometheus"
    shared.mkdir()
    environment = {
        "ENVIRONMENT": "test",
        "DATABASE_URL": served_database_url,
        "METRICS_ENABLED": "true",
        "PROMETHEUS_MULTIPROC_DIR": str(shared),
        "PYTHONPATH": str(find_root()),
    }
    with uvicorn_server("course_app.main:app", env=environment, workers=2) as base_url:
        sent = 0
        # Many connections at once, so both workers take some, until both have counted (the
        # second worker may still be starting when the first answers).
        limits = httpx.Limits(max_connections=8, max_keepalive_connections=0)
        deadline = time.monotonic() + 60
        async with httpx.AsyncClient(base_url=base_url, limits=limits, trust_env=False) as client:
            while len(worker_pids(shared)) < 2:
                assert time.monotonic() < deadline, "one worker took every request"
                answers = await asyncio.gather(*(client.get("/products") for _ in range(16)))
                assert all(answer.status_code == 200 for answer in answers)
                sent += len(answers)

            async def scrape() -> tuple[float, float]:
                text = (await client.get("/metrics")).text
                return (
                    request_counts(text)[("GET", "/products", "200")],
                    latency_counts(text)[("GET", "/products")],
                )

            # A worker counts a request once its answer is sent, so the client may see the answer
            # a moment before the count: scrape again until it arrives, then it must stay exact.
            counted = await scrape()
            while counted != (sent, sent) and time.monotonic() < deadline:
                assert counted[0] <= sent and counted[1] <= sent
                await asyncio.sleep(0.05)
                counted = await scrape()
            assert counted == (sent, sent)
            for _ in range(4):  # each scrape may reach either worker
                assert await scrape() == (sent, sent)
