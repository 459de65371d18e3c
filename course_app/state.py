# Written by notebooks/14_services.ipynb: edit the notebook, not this file.
"""What one app owns: its settings, its rate limiter, its catalogue cache, its Redis client if
any and, while it runs, its database and its mail service client if any."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from course_app.clients.mail import MailServiceClient
from course_app.core.cache import CatalogueCache, InMemoryCatalogueCache
from course_app.core.migrations import create_missing_tables
from course_app.core.pool import open_app_database
from course_app.core.rate_limit import InMemoryRateLimiter, RateLimiter
from course_app.core.redis_backends import RedisCatalogueCache, RedisRateLimiter
from course_app.db import Database
from course_app.services.admins import ensure_first_admin
from course_app.settings import Settings

REDIS_TIMEOUT_SECONDS = 0.5  # a Redis that does not answer is treated as down, quickly


@dataclass
class AppResources:
    """Installed on `app.state.resources` by the app factory; dependencies read it from there.

    Two apps never share one: each test, each experiment gets its own settings and database.
    """

    settings: Settings
    rate_limiter: RateLimiter
    catalogue_cache: CatalogueCache = field(default_factory=InMemoryCatalogueCache)
    redis: Redis | None = None
    database: Database | None = None  # open only while the lifespan runs
    # Notebook 14: one HTTP client for the app's life, when mail_service_url is set.
    mail_service: MailServiceClient | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> "AppResources":
        in_process = InMemoryRateLimiter.from_settings(settings)
        if not settings.redis_url:
            return cls(settings, in_process)
        # No I/O yet: the client connects on first use.
        redis = Redis.from_url(
            settings.redis_url,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
        limiter = RedisRateLimiter(
            redis,
            settings.rate_limit_requests,
            settings.rate_limit_window_seconds,
            fallback=in_process,
        )
        return cls(settings, limiter, RedisCatalogueCache(redis), redis)

    @property
    def session_factory(self) -> async_sessionmaker[AsyncSession]:
        if self.database is None:
            raise RuntimeError(
                "the database is not open: the app's lifespan has not run "
                "(in tests, wrap the app in asgi_lifespan.LifespanManager)"
            )
        return self.database.session_factory

    @asynccontextmanager
    async def open(self) -> AsyncIterator[None]:
        """The lifespan's I/O: open the database and the mail service's client on the way in,
        close them on the way out.

        Outside production it also creates the missing tables and the first admin. In
        production `python -m course_app.prestart` did both, once, before any worker started:
        a worker only connects.
        """
        # A pool sized by settings, and sessions that invalidate the cache when products change.
        async with open_app_database(self.settings, self.catalogue_cache) as database:
            self.database = database
            if self.settings.mail_service_url:
                # Made here, not in from_settings: a closed httpx client cannot be reopened, and
                # an app's lifespan may run more than once (one test after another).
                self.mail_service = MailServiceClient.from_settings(self.settings)
            try:
                if self.settings.environment != "production":
                    # Several workers may get here at once on a fresh database: both steps
                    # allow it (one takes the schema lock, the other tolerates a twin insert).
                    await create_missing_tables(database.engine)
                    await ensure_first_admin(database.session_factory, self.settings)
                yield
            finally:
                self.database = None
                if self.mail_service is not None:
                    await self.mail_service.aclose()
                    self.mail_service = None
                if self.redis is not None:
                    await self.redis.aclose()
