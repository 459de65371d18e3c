"""Common mistakes in the holes of notebook 09 (performance)."""

from course_tools.holes.mistakes import Mistake

MISTAKES = [
    Mistake(
        "09.invalidate_after_commit",
        "invalidated before the commit",
        """
        if self.info.pop(CHANGED_KEY, False):
            cache: CatalogueCache = self.info[CACHE_KEY]
            await cache.invalidate()
        await super().commit()
        """,
        names="after the commit, never before",
    ),
    Mistake(
        "09.invalidate_after_commit",
        "invalidated after every commit",
        """
        await super().commit()
        cache: CatalogueCache = self.info[CACHE_KEY]
        await cache.invalidate()
        """,
        names="only a commit that wrote products invalidates",
    ),
    Mistake(
        "09.invalidate_after_commit",
        "the mark never cleared",
        change=(
            (
                "# After the commit, never before: a reader between an early invalidation and the commit\n"
                "# would read the old row and cache it again, and the stale entry would stay.\n"
                "if self.info.pop(CHANGED_KEY, False):\n"
            ),
            "if self.info.get(CHANGED_KEY, False):\n",
        ),
        names="clears the mark",
    ),
    Mistake(
        "09.invalidate_after_commit",
        "never invalidated",
        """
        await super().commit()
        """,
        names="the cache must be invalidated",
    ),
    Mistake(
        "09.redis_hit",
        "one attempt too few",
        change=(
            "if int(count) <= self.limit:\n",
            "if int(count) < self.limit:\n",
        ),
        names="the Nth included",
    ),
    Mistake(
        "09.redis_hit",
        "Retry-After is the whole window",
        """
        try:
            count, _ttl = await self._hit(keys=[self.prefix + key], args=[self.window_seconds])
        except RedisError as error:
            logger.warning("rate limiter: Redis unavailable (%s), limiting in process", error)
            return await self.fallback.hit(key)
        if int(count) <= self.limit:
            return RateLimitResult(allowed=True, retry_after=0)
        return RateLimitResult(allowed=False, retry_after=self.window_seconds)
        """,
        names="time left in the window",
    ),
    Mistake(
        "09.redis_hit",
        "INCR, then EXPIRE on every attempt",
        """
        redis_key = self.prefix + key
        try:
            count = await self.redis.incr(redis_key)
            await self.redis.expire(redis_key, self.window_seconds)
            ttl = await self.redis.ttl(redis_key)
        except RedisError as error:
            logger.warning("rate limiter: Redis unavailable (%s), limiting in process", error)
            return await self.fallback.hit(key)
        if count <= self.limit:
            return RateLimitResult(allowed=True, retry_after=0)
        return RateLimitResult(allowed=False, retry_after=max(1, ttl))
        """,
        names="never restarts the window",
    ),
    Mistake(
        "09.redis_hit",
        "no fallback when Redis is down",
        change=(
            (
                "try:\n"
                "    count, ttl = await self._hit(keys=[self.prefix + key], args=[self.window_seconds])\n"
                "except RedisError as error:\n"
                '    logger.warning("rate limiter: Redis unavailable (%s), limiting in process", error)\n'
                "    return await self.fallback.hit(key)\n"
            ),
            "count, ttl = await self._hit(keys=[self.prefix + key], args=[self.window_seconds])\n",
        ),
        names="fall back to the in-process limiter",
    ),
    Mistake(
        "09.redis_hit",
        "Redis down lets every attempt in",
        change=(
            (
                "except RedisError as error:\n"
                '    logger.warning("rate limiter: Redis unavailable (%s), limiting in process", error)\n'
                "    return await self.fallback.hit(key)\n"
            ),
            ("except RedisError:\n    return RateLimitResult(allowed=True, retry_after=0)\n"),
        ),
        names="never unlimited",
    ),
    Mistake(
        "09.send_confirmation",
        "the failure escapes the task",
        """
        async with session_factory() as session:
            order = await session.get(Order, order_id)
            user = await session.get(User, order.user_id) if order else None
        if order is None or user is None:
            return
        await send_email(settings.smtp_url, confirmation_message(order, user, settings.mail_from))
        """,
        names="never raises",
    ),
    Mistake(
        "09.send_confirmation",
        "the SMTP URL in the log",
        """
        try:
            async with session_factory() as session:
                order = await session.get(Order, order_id)
                user = await session.get(User, order.user_id) if order else None
            if order is None or user is None:
                return
            await send_email(settings.smtp_url, confirmation_message(order, user, settings.mail_from))
        except Exception:
            logger.exception("order confirmation for %s not sent via %s", order_id, settings.smtp_url)
        """,
        names="may hold a password",
    ),
]
