# Written by notebooks/09_performance.ipynb: edit the notebook, not this file.
"""A cache for catalogue reads behind a tiny interface, and the answer to a cached read.

Every entry belongs to a *generation* of the catalogue. Any change to any product moves the
catalogue to a new generation, so every older entry is dead at once: no key to forget, no
list page left behind with an old price or an old stock.
"""

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from starlette.responses import Response
from starlette.types import Scope

DEFAULT_TTL_SECONDS = 60.0
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class CachedResponse:
    body: bytes  # the JSON exactly as it is sent
    etag: str  # a strong validator: the hash of those bytes, in quotes

    @classmethod
    def of(cls, body: bytes) -> "CachedResponse":
        return cls(body, etag_for(body))


def etag_for(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 If-None-Match: `*`, or a list of tags compared weakly (W/ is ignored)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    tags = (tag.strip().removeprefix("W/") for tag in if_none_match.split(","))
    return etag in tags


def catalogue_key(scope: Scope) -> str:
    """The cache key of a read: its exact path and query string.

    It needs nothing but the raw request, so an answer can be found before any route has run
    (notebook 10 does). Only the routes store answers, after they have validated the request.
    """
    return f"{scope['path']}?{scope['query_string'].decode('latin-1')}"


def cached_answer(cached: CachedResponse, if_none_match: str | None) -> Response:
    """A cached body as it is sent, or 304 and no body when the client's ETag still matches."""
    # no-cache: clients and proxies may keep the answer, but must ask (with the ETag) each time.
    headers = {"ETag": cached.etag, "Cache-Control": "no-cache"}
    if etag_matches(if_none_match, cached.etag):
        return Response(status_code=304, headers=headers)
    return Response(cached.body, media_type="application/json", headers=headers)


class CatalogueCache(Protocol):
    async def generation(self) -> int:
        """The current generation; read it *before* reading the database."""
        ...

    async def get(self, key: str) -> CachedResponse | None: ...

    async def set(self, key: str, value: CachedResponse, generation: int) -> None:
        """Store `value`, read during `generation`, unless the catalogue has changed since."""
        ...

    async def invalidate(self) -> None:
        """The catalogue changed: no entry stored before this call may be served again."""
        ...


class NoCatalogueCache:
    """Caches nothing: for sessions that would not report their writes (see `catalogue_cache`)."""

    async def generation(self) -> int:
        return 0

    async def get(self, key: str) -> CachedResponse | None:
        return None

    async def set(self, key: str, value: CachedResponse, generation: int) -> None:
        return None

    async def invalidate(self) -> None:
        return None


class InMemoryCatalogueCache:
    """One process's cache: fast, bounded, and invisible to other workers."""

    def __init__(
        self,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        max_entries: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self.clock = clock
        self._generation = 0
        self._entries: OrderedDict[str, tuple[float, CachedResponse]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    async def generation(self) -> int:
        return self._generation

    async def get(self, key: str) -> CachedResponse | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] <= self.clock():
            self._entries.pop(key, None)
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry[1]

    async def set(self, key: str, value: CachedResponse, generation: int) -> None:
        # Read before the last change: it may be stale, and it would outlive the invalidation.
        if generation != self._generation:
            return
        self._entries[key] = (self.clock() + self.ttl_seconds, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)  # the least recently used

    async def invalidate(self) -> None:
        self._generation += 1
        self._entries.clear()
