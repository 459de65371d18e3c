import os
import sys
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import argon2
import jwt
import pytest
from pwdlib import PasswordHash
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


async def test_a_hash_keeps_one_core_busy_at_the_recommended_costs() -> None:
    """Each hash is computed in one lane, so in one thread: HASHING_SLOTS counts on it. The memory
    and time costs, which make each guess expensive, stay at argon2's recommended values."""
    parameters = argon2.extract_parameters(await hash_password("Str0ng!Passw0rd"))
    assert parameters.parallelism == security.THREADS_PER_HASH == 1
    assert parameters.memory_cost >= argon2.DEFAULT_MEMORY_COST
    assert parameters.time_cost >= argon2.DEFAULT_TIME_COST


async def test_a_hash_stored_with_other_parameters_still_verifies() -> None:
    """A hash records its own parameters: passwords stored with pwdlib's 4 lanes keep working."""
    stored = PasswordHash.recommended().hash("Str0ng!Passw0rd")
    assert argon2.extract_parameters(stored).parallelism == 4
    assert await verify_password("Str0ng!Passw0rd", stored)
    assert not await verify_password("wrong", stored)


HASHER = security.password_hash


class ThreadRecordingHasher:
    """The real hasher, noting the thread and its nice value each time it runs."""

    def __init__(self) -> None:
        self.threads: list[tuple[int, str, int]] = []

    def note_thread(self) -> None:
        thread_id = threading.get_native_id()
        niceness = os.getpriority(os.PRIO_PROCESS, thread_id) if sys.platform == "linux" else 0
        self.threads.append((thread_id, threading.current_thread().name, niceness))

    def hash(self, password: str) -> str:
        self.note_thread()
        return str(HASHER.hash(password))

    def verify(self, password: str, hashed: str) -> bool:
        self.note_thread()
        return bool(HASHER.verify(password, hashed))


async def test_hashing_runs_in_a_thread_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """hash_password and verify_password hash in the module's own threads, never on the event loop
    (a hash there would stall every request) and never in the pool shared with `def` routes."""
    recorder = ThreadRecordingHasher()
    monkeypatch.setattr(security, "password_hash", recorder)
    await verify_password("x", security.DUMMY_HASH)
    await hash_password("Str0ng!Passw0rd")

    loop_thread = threading.get_native_id()
    assert len(recorder.threads) == 2
    for thread_id, name, _ in recorder.threads:
        assert thread_id != loop_thread, "a hash ran on the event loop's thread"
        assert name.startswith("password-hashing"), f"a hash ran in {name!r}"


@pytest.mark.parametrize(
    ("cpu_count", "threads_per_hash", "slots"),
    [(1, 4, 1), (2, 4, 1), (5, 4, 1), (8, 4, 1), (9, 4, 2), (16, 4, 3), (4, 1, 3)],
)
def test_hashes_at_once_leave_a_core_for_the_event_loop(
    cpu_count: int, threads_per_hash: int, slots: int
) -> None:
    """Each hash keeps `threads_per_hash` cores busy: the slots leave one core free (but there is
    always at least one slot, or nobody could log in)."""
    assert security.hashing_slots(cpu_count, threads_per_hash) == slots


@pytest.mark.skipif(sys.platform != "linux", reason="a nice value per thread exists on Linux only")
async def test_hashing_threads_give_way_to_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    """On Linux a hashing thread is nicer than the event loop's, so the loop wins a busy core."""
    recorder = ThreadRecordingHasher()
    monkeypatch.setattr(security, "password_hash", recorder)
    await verify_password("x", security.DUMMY_HASH)

    loop_niceness = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    [(_, _, hashing_niceness)] = recorder.threads
    assert hashing_niceness == min(19, loop_niceness + security.HASHING_NICENESS)


@pytest.mark.hole("05.decode_token")
def test_token_round_trip_carries_the_user_id() -> None:
    """A fresh token decodes back to the user id it was made for: decode with
    `algorithms=[ALGORITHM]` (PyJWT refuses to guess) and return `uuid.UUID(claims["sub"])`."""
    user_id = uuid.uuid4()
    token = create_access_token(user_id, SECRET, timedelta(minutes=5))
    assert decode_access_token(token, SECRET) == user_id


@pytest.mark.hole("05.decode_token")
def test_expired_token_is_refused() -> None:
    """A token whose exp is in the past must raise InvalidTokenError: PyJWT checks exp, and every
    PyJWT error must become an InvalidTokenError (the one exception the HTTP layer maps to 401)."""
    issued = datetime.now(UTC) - timedelta(hours=1)
    token = create_access_token(uuid.uuid4(), SECRET, timedelta(minutes=5), now=issued)
    with pytest.raises(InvalidTokenError):
        decode_access_token(token, SECRET)


@pytest.mark.hole("05.decode_token")
def test_token_signed_with_another_key_is_refused() -> None:
    """A token signed with a different secret must raise InvalidTokenError."""
    token = create_access_token(uuid.uuid4(), SECRET + "-other", timedelta(minutes=5))
    with pytest.raises(InvalidTokenError):
        decode_access_token(token, SECRET)


@pytest.mark.hole("05.decode_token")
def test_token_without_exp_is_refused() -> None:
    """A signed token without exp must raise InvalidTokenError: require exp, sub and iat
    (`options={"require": [...]}`), or a token without exp never expires."""
    now = datetime.now(UTC)
    token = jwt.encode({"sub": str(uuid.uuid4()), "iat": now}, SECRET, algorithm="HS256")
    with pytest.raises(InvalidTokenError):
        decode_access_token(token, SECRET)


@pytest.mark.hole("05.decode_token")
def test_token_whose_subject_is_not_a_uuid_is_refused() -> None:
    """A signed token whose sub is not a UUID must raise InvalidTokenError too: catch the
    ValueError of `uuid.UUID(...)`, or the route would answer 500."""
    now = datetime.now(UTC)
    claims = {"sub": "admin", "iat": now, "exp": now + timedelta(minutes=5)}
    with pytest.raises(InvalidTokenError):
        decode_access_token(jwt.encode(claims, SECRET, algorithm="HS256"), SECRET)


@pytest.mark.hole("05.rate_limit")
async def test_rate_limiter_allows_the_limit_then_refuses_until_the_window_ends() -> None:
    """hit allows exactly `limit` attempts per key in a window, then refuses with retry_after =
    the seconds left in the window (not the whole window); when it ends, a new window starts."""
    now = [1000.0]
    limiter = InMemoryRateLimiter(limit=2, window_seconds=60, clock=lambda: now[0])
    assert (await limiter.hit("a")).allowed
    assert (await limiter.hit("a")).allowed, "the second of 2 allowed attempts was refused"
    refused = await limiter.hit("a")
    assert not refused.allowed
    assert refused.retry_after == 60
    assert (await limiter.hit("b")).allowed, "keys are counted separately"
    now[0] += 45
    assert (await limiter.hit("a")).retry_after == 15
    now[0] += 15
    assert (await limiter.hit("a")).allowed, "a new window starts"


@pytest.mark.hole("05.rate_limit")
async def test_rate_limiter_keeps_at_most_max_keys_windows() -> None:
    """hit keeps at most `max_keys` windows: past that it drops the oldest one, or every new
    address an attacker invents grows memory for the whole window."""
    limiter = InMemoryRateLimiter(limit=1, window_seconds=60, clock=lambda: 1000.0, max_keys=3)
    for n in range(10):
        assert (await limiter.hit(f"key-{n}")).allowed
        assert limiter.tracked_keys <= 3, f"{limiter.tracked_keys} windows after {n + 1} keys"
    assert not (await limiter.hit("key-9")).allowed, "the newest window is kept"


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
