"""Rate limiting behind a tiny interface, with an in-process fixed-window implementation."""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from course_app.settings import Settings

MAX_TRACKED_KEYS = 10_000  # past this, expired windows are dropped so memory stays bounded


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
    ) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self.clock = clock
        self._windows: dict[str, tuple[float, int]] = {}

    def _forget_expired(self, now: float) -> None:
        self._windows = {
            key: (start, count)
            for key, (start, count) in self._windows.items()
            if now - start < self.window_seconds
        }

    @classmethod
    def from_settings(cls, settings: Settings) -> "InMemoryRateLimiter":
        return cls(settings.rate_limit_requests, settings.rate_limit_window_seconds)

    async def hit(self, key: str) -> RateLimitResult:
        now = self.clock()
        if len(self._windows) >= MAX_TRACKED_KEYS:
            self._forget_expired(now)
        window_start, count = self._windows.get(key, (now, 0))
        if now - window_start >= self.window_seconds:
            window_start, count = now, 0
        count += 1
        self._windows[key] = (window_start, count)
        if count <= self.limit:
            return RateLimitResult(allowed=True, retry_after=0)
        remaining = window_start + self.window_seconds - now
        return RateLimitResult(allowed=False, retry_after=max(1, math.ceil(remaining)))
