import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import pytest
from sqlalchemy import select

from course_app.core import security
from course_app.core.rate_limit import InMemoryRateLimiter
from course_app.core.security import (
    InvalidTokenError,
    create_access_token,
    decode_access_token,
    hash_password,
    verify_password,
)

SECRET = "a-test-secret-that-is-at-least-32-bytes-long"


async def test_hash_and_verify_round_trip() -> None:
    """hash_password produces an argon2 hash that verify_password accepts (and only for it)."""
    hashed = await hash_password("Str0ng!Passw0rd")
    assert hashed.startswith("$argon2")
    assert await verify_password("Str0ng!Passw0rd", hashed)
    assert not await verify_password("wrong", hashed)


async def test_hashing_runs_in_a_worker_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """hash_password and verify_password must go through anyio.to_thread, not block the loop."""
    calls: list[object] = []
    real_run_sync = anyio.to_thread.run_sync

    async def spy(function: object, *args: object, **kwargs: object) -> object:
        calls.append(function)
        return await real_run_sync(function, *args, **kwargs)

    monkeypatch.setattr(security.to_thread, "run_sync", spy)
    await verify_password("x", security.DUMMY_HASH)
    assert len(calls) == 1, "verify_password did not use a worker thread"
    await hash_password("Str0ng!Passw0rd")
    assert len(calls) == 2, "hash_password did not use a worker thread"


def test_token_round_trip_carries_the_user_id() -> None:
    """A fresh token decodes back to the user id it was made for."""
    user_id = uuid.uuid4()
    token = create_access_token(user_id, SECRET, timedelta(minutes=5))
    assert decode_access_token(token, SECRET) == user_id


def test_expired_token_is_refused() -> None:
    """A token whose exp is in the past is refused."""
    issued = datetime.now(UTC) - timedelta(hours=1)
    token = create_access_token(uuid.uuid4(), SECRET, timedelta(minutes=5), now=issued)
    with pytest.raises(InvalidTokenError):
        decode_access_token(token, SECRET)


def test_token_signed_with_another_key_is_refused() -> None:
    """A token signed with a different secret is refused."""
    token = create_access_token(uuid.uuid4(), SECRET + "-other", timedelta(minutes=5))
    with pytest.raises(InvalidTokenError):
        decode_access_token(token, SECRET)


async def test_rate_limiter_allows_the_limit_then_refuses_until_the_window_ends() -> None:
    """The limiter allows N hits per window per key, then answers retry_after in seconds."""
    now = [1000.0]
    limiter = InMemoryRateLimiter(limit=2, window_seconds=60, clock=lambda: now[0])
    assert (await limiter.hit("a")).allowed
    assert (await limiter.hit("a")).allowed
    refused = await limiter.hit("a")
    assert not refused.allowed
    assert refused.retry_after == 60
    assert (await limiter.hit("b")).allowed, "keys are counted separately"
    now[0] += 45
    assert (await limiter.hit("a")).retry_after == 15
    now[0] += 15
    assert (await limiter.hit("a")).allowed, "a new window starts"


async def test_app_resources_open_the_database_only_while_the_lifespan_runs(
    make_settings: Any,
) -> None:
    """AppResources.open() opens the database and closes it; before that, a clear error."""
    from course_app.state import AppResources

    resources = AppResources.from_settings(make_settings())
    with pytest.raises(RuntimeError, match="lifespan has not run"):
        resources.session_factory  # noqa: B018
    async with resources.open():
        async with resources.session_factory() as session:
            assert (await session.execute(select(1))).scalar_one() == 1
        engine = resources.database.engine if resources.database else None
    assert resources.database is None
    assert engine is not None and engine.pool.checkedin() == 0
