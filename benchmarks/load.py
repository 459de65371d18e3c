"""A small async load driver on aiohttp: closed loops of requests, bounded in count and time.

`closed_loop()` runs N clients, each sending its next request as soon as the last one is
answered, until a request budget, a deadline or a stop event ends it. With one client it
samples latency one request at a time. Only 127.0.0.1 is ever a target.

Why aiohttp and not httpx, the course's client: measured here against the bare app with 16
clients, httpx spent about 3 ms of CPU per request and aiohttp 0.3 ms. On 2 cores the driver
and the server share the machine, so a driver costlier than the server would measure itself.
"""

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

REQUEST_TIMEOUT_SECONDS = 15.0
# A request already in flight when the deadline passes may take this long to come back.
DRAIN_SECONDS = REQUEST_TIMEOUT_SECONDS + 5.0

Send = Callable[[], Awaitable[int]]  # sends one request, returns its HTTP status


@dataclass(frozen=True)
class LoadResult:
    requests: int
    errors: int  # transport errors, timeouts and non-2xx answers
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def percentile(values: list[float], pct: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def summarize(latencies: list[float], errors: int, seconds: float) -> LoadResult:
    ms = [latency * 1000 for latency in latencies]
    return LoadResult(
        requests=len(ms),
        errors=errors,
        seconds=seconds,
        p50_ms=percentile(ms, 50),
        p99_ms=percentile(ms, 99),
        max_ms=max(ms, default=float("nan")),
    )


def local_session(
    base_url: str, connections: int, keep_alive: bool = True
) -> aiohttp.ClientSession:
    """Connections to a server on this machine (aiohttp ignores proxy settings). Keep-alive
    unless told otherwise: a new connection per request lets the kernel spread the requests
    over several workers."""
    if not base_url.startswith("http://127.0.0.1:"):
        raise ValueError(f"benchmarks only talk to 127.0.0.1, not {base_url}")
    return aiohttp.ClientSession(
        base_url,
        connector=aiohttp.TCPConnector(limit=connections, force_close=not keep_alive),
        timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS),
    )


async def status_of(session: aiohttp.ClientSession, method: str, path: str, **kwargs: Any) -> int:
    """Send one request, read its whole body, return its status."""
    async with session.request(method, path, **kwargs) as response:
        await response.read()
        return response.status


async def json_of(session: aiohttp.ClientSession, method: str, path: str, **kwargs: Any) -> Any:
    """Send one request that must succeed, and return its JSON body."""
    async with session.request(method, path, **kwargs) as response:
        if not 200 <= response.status < 300:
            raise RuntimeError(f"{method} {path}: {response.status} {await response.text()}")
        return await response.json()


async def closed_loop(
    send: Send,
    *,
    clients: int,
    max_requests: int,
    max_seconds: float,
    stop: asyncio.Event | None = None,
) -> LoadResult:
    """Send requests from `clients` concurrent loops until one of the three limits is reached."""
    stop = stop or asyncio.Event()
    latencies: list[float] = []
    errors = 0
    sent = 0
    started = time.perf_counter()
    deadline = started + max_seconds

    async def client_loop() -> None:
        nonlocal errors, sent
        while not stop.is_set() and sent < max_requests and time.perf_counter() < deadline:
            sent += 1
            begin = time.perf_counter()
            try:
                failed = not 200 <= await send() < 300
            except (aiohttp.ClientError, TimeoutError):
                failed = True
            latencies.append(time.perf_counter() - begin)
            errors += failed

    async with asyncio.timeout(max_seconds + DRAIN_SECONDS):
        await asyncio.gather(*(client_loop() for _ in range(clients)))
    return summarize(latencies, errors, time.perf_counter() - started)
