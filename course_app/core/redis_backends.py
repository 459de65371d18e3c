# Written by notebooks/09_performance.ipynb: edit the notebook, not this file.
"""The rate limiter and the catalogue cache in Redis: one count and one cache for every worker.

When Redis is down, both **fail open to this process**: the limiter falls back to the in-process
limiter (still a limit, but per worker), and the cache to the database (slower, never wrong).
Refusing every login while Redis is down would make a cache server a single point of failure
for the whole shop; letting logins through unlimited would hand an attacker the outage.
"""

import logging
from contextlib import suppress

from redis.asyncio import Redis
from redis.exceptions import RedisError

from course_app.core.cache import DEFAULT_TTL_SECONDS, CachedResponse
from course_app.core.rate_limit import InMemoryRateLimiter, RateLimitResult

logger = logging.getLogger(__name__)

# One round trip, atomic: count the attempt, start the window on the first one, report its TTL.
# Two separate commands (INCR, then EXPIRE) leave a key without expiry if the worker dies
# between them, and that client is locked out for ever.
HIT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then
    redis.call('EXPIRE', KEYS[1], ARGV[1])
end
return {count, redis.call('TTL', KEYS[1])}
"""


class RedisRateLimiter:
    """Fixed windows in Redis, shared by every worker and instance."""

    def __init__(
        self,
        redis: Redis,
        limit: int,
        window_seconds: int,
        fallback: InMemoryRateLimiter,
        prefix: str = "ratelimit:",
    ) -> None:
        self.redis = redis
        self.limit = limit
        self.window_seconds = window_seconds
        self.fallback = fallback
        self.prefix = prefix
        self._hit = redis.register_script(HIT_SCRIPT)

    async def hit(self, key: str) -> RateLimitResult:
        try:
            count, ttl = await self._hit(keys=[self.prefix + key], args=[self.window_seconds])
        except RedisError as error:
            logger.warning("rate limiter: Redis unavailable (%s), limiting in process", error)
            return await self.fallback.hit(key)
        if int(count) <= self.limit:
            return RateLimitResult(allowed=True, retry_after=0)
        return RateLimitResult(allowed=False, retry_after=max(1, int(ttl)))


class RedisCatalogueCache:
    """The catalogue cache in Redis: entries live under their generation, with a TTL.

    Invalidation is one INCR of the generation, seen by every worker at once; old entries are
    never read again and expire on their own.
    """

    def __init__(
        self, redis: Redis, ttl_seconds: float = DEFAULT_TTL_SECONDS, prefix: str = "catalogue:"
    ) -> None:
        self.redis = redis
        self.ttl_ms = int(ttl_seconds * 1000)
        self.prefix = prefix

    @property
    def generation_key(self) -> str:
        return self.prefix + "generation"

    async def generation(self) -> int:
        try:
            return int(await self.redis.get(self.generation_key) or 0)
        except RedisError:
            return -1  # "unknown": get() misses and set() stores nothing

    def _key(self, generation: int, key: str) -> str:
        return f"{self.prefix}{generation}:{key}"

    async def get(self, key: str) -> CachedResponse | None:
        try:
            generation = await self.generation()
            if generation < 0:
                return None
            value = await self.redis.get(self._key(generation, key))
        except RedisError:
            return None
        if not isinstance(value, bytes):  # a miss: None (this client never decodes to str)
            return None
        etag, _, body = value.partition(b"\n")
        return CachedResponse(body, etag.decode())

    async def set(self, key: str, value: CachedResponse, generation: int) -> None:
        if generation < 0:
            return
        # Stored under the generation it was read in: after an invalidation nobody reads it.
        with suppress(RedisError):  # a cache that cannot store is only a slower cache
            await self.redis.set(
                self._key(generation, key), value.etag.encode() + b"\n" + value.body, px=self.ttl_ms
            )

    async def invalidate(self) -> None:
        try:
            await self.redis.incr(self.generation_key)
        except RedisError as error:
            # Entries of the old generation stay readable once Redis is back, until their TTL:
            # the one window of staleness left, and the reason the TTL is short.
            logger.error("catalogue cache: invalidation failed (%s)", error)
