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
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import aiohttp

REQUEST_TIMEOUT_SECONDS = 15.0
# A request already in flight when the deadline passes may take this long to come back.
DRAIN_SECONDS = REQUEST_TIMEOUT_SECONDS + 5.0

Send = Callable[[], Awaitable[int]]  # sends one request, returns its HTTP status


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    # What went wrong, and how often: an HTTP status ("503") or an exception's name.
    failures: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        """Transport errors, timeouts and non-2xx answers."""
        return sum(self.failures.values())

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "errors": self.errors, "per_second": self.per_second}


def percentile(values: list[float], pct: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def summarize(latencies: list[float], failures: Counter[str], seconds: float) -> LoadResult:
    ms = [latency * 1000 for latency in latencies]
    return LoadResult(
        requests=len(ms),
        seconds=seconds,
        p50_ms=percentile(ms, 50),
        p99_ms=percentile(ms, 99),
        max_ms=max(ms, default=float("nan")),
        failures=dict(failures),
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


def describe_failures(*results: LoadResult) -> str:
    """How many requests of these runs failed, and how: "0" or "2 (503: 1, TimeoutError: 1)"."""
    kinds: Counter[str] = Counter()
    for result in results:
        kinds.update(result.failures)
    if not kinds:
        return "0"
    return f"{kinds.total()} (" + ", ".join(f"{k}: {n}" for k, n in kinds.most_common()) + ")"


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
    failures: Counter[str] = Counter()
    sent = 0
    started = time.perf_counter()
    deadline = started + max_seconds

    async def client_loop() -> None:
        nonlocal sent
        while not stop.is_set() and sent < max_requests and time.perf_counter() < deadline:
            sent += 1
            begin = time.perf_counter()
            try:
                status = await send()
                failure = None if 200 <= status < 300 else str(status)
            except (aiohttp.ClientError, TimeoutError) as error:
                failure = type(error).__name__
            latencies.append(time.perf_counter() - begin)
            if failure is not None:
                failures[failure] += 1

    async with asyncio.timeout(max_seconds + DRAIN_SECONDS):
        await asyncio.gather(*(client_loop() for _ in range(clients)))
    return summarize(latencies, failures, time.perf_counter() - started)
