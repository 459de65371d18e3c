# Written by notebooks/10_production.ipynb: edit the notebook, not this file.
"""Prometheus metrics: requests counted by route template, method and status, and their latency.

Each app has its own registry, so building many apps in one process never registers a metric
twice. With several worker processes, each worker counts only its own requests; set
PROMETHEUS_MULTIPROC_DIR to an empty folder before the workers start, and every worker writes
its counts there and `/metrics` adds them all up, whichever worker answers the scrape.
"""

import os
from pathlib import Path

from fastapi import APIRouter, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
# A client can send any method name; counting each one apart would let it make endless series.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def multiprocess_dir() -> Path | None:
    """The folder where workers share their counts, or None for one process."""
    value = os.environ.get(MULTIPROCESS_DIR_VARIABLE)
    if not value:
        return None
    path = Path(value)
    if not path.is_dir():
        # Found at start-up rather than at the first request, and named.
        raise RuntimeError(
            f"{MULTIPROCESS_DIR_VARIABLE}={value} is not a folder: create it, empty, "
            "before the workers start"
        )
    return path


class RequestMetrics:
    def __init__(self) -> None:
        self.shared_dir = multiprocess_dir()
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "http_requests",  # exposed as http_requests_total
            "HTTP requests answered, by route template, method and status code",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "Time from the request's arrival to the end of its answer",
            ["method", "route"],
            registry=self.registry,
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        method = method if method in KNOWN_METHODS else "OTHER"
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def exposition(self) -> bytes:
        """Every metric in Prometheus' text format, summed over all workers when shared."""
        if self.shared_dir is None:
            return generate_latest(self.registry)
        combined = CollectorRegistry()
        MultiProcessCollector(combined, path=str(self.shared_dir))
        return generate_latest(combined)


def metrics_router(metrics: RequestMetrics) -> APIRouter:
    router = APIRouter()

    # A plain `def`: reading the workers' files is blocking I/O, so it runs in the thread pool.
    @router.get("/metrics", include_in_schema=False)
    def prometheus_metrics() -> Response:
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return router
