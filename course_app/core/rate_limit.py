# Written by notebooks/05_auth.ipynb: edit the notebook, not this file.
"""Rate limiting behind a tiny interface, with an in-process fixed-window implementation."""

import ipaddress
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from course_app.settings import Settings

MAX_TRACKED_KEYS = 100_000  # past this, the oldest window is dropped: memory stays bounded


@dataclass(frozen=True)
class RateLimitResult:
    allowed: bool
    retry_after: int  # whole seconds until the next attempt is allowed; 0 when allowed


class RateLimiter(Protocol):
    async def hit(self, key: str) -> RateLimitResult:
        """Count one attempt for `key` and say whether it is allowed."""
        ...


class InMemoryRateLimiter:
    """Fixed windows per key, kept in this process: fine for one worker, not shared between them."""

    def __init__(
        self,
        limit: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_TRACKED_KEYS,
    ) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self.clock = clock
        self.max_keys = max_keys
        # Ordered by window start, oldest first, so expired windows are always at the front
        # and each attempt does O(1) work however many clients are tracked.
        self._windows: OrderedDict[str, tuple[float, int]] = OrderedDict()

    @classmethod
    def from_settings(cls, settings: Settings) -> "InMemoryRateLimiter":
        return cls(settings.rate_limit_requests, settings.rate_limit_window_seconds)

    @property
    def tracked_keys(self) -> int:
        return len(self._windows)

    def _forget_expired(self, now: float) -> None:
        while self._windows:
            start, _ = next(iter(self._windows.values()))
            if now - start < self.window_seconds:
                return
            self._windows.popitem(last=False)

    async def hit(self, key: str) -> RateLimitResult:
        now = self.clock()
        self._forget_expired(now)
        window_start, count = self._windows.pop(key, (now, 0))
        # Re-inserted at the end: a key's window starts no earlier than any window before it.
        self._windows[key] = (window_start, count + 1)
        if len(self._windows) > self.max_keys:
            self._windows.popitem(last=False)  # the window closest to expiring anyway
        if count + 1 <= self.limit:
            return RateLimitResult(allowed=True, retry_after=0)
        remaining = window_start + self.window_seconds - now
        return RateLimitResult(allowed=False, retry_after=max(1, math.ceil(remaining)))


def _is_trusted(address: str, trusted_proxies: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(proxy, strict=False) for proxy in trusted_proxies)


def client_address(peer: str | None, forwarded_for: str | None, trusted_proxies: list[str]) -> str:
    """The address to limit: the connecting peer, or what a trusted proxy says it forwarded.

    X-Forwarded-For is written by the client first and appended to by each proxy, so only the
    entries our own proxies added can be believed: walk it from the right and stop at the first
    address that is not one of them.
    """
    peer = peer or "unknown"
    if not forwarded_for:
        return peer
    if not trusted_proxies:
        # Nobody may forward for anyone. A server in front of us (uvicorn trusts 127.0.0.1 by
        # default) may already have put the header's claim in `peer`; one shared key for every
        # forwarded request means no client can pick a fresh key per attempt.
        return "forwarded-untrusted"
    if not _is_trusted(peer, trusted_proxies):
        return peer
    for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
        if hop and not _is_trusted(hop, trusted_proxies):
            return hop
    return peer
