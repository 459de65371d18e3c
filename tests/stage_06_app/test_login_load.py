"""Logins hash off the event loop without starving it: few hashes at once, no connection held."""

import asyncio
import threading
from typing import Any

import anyio
import httpx
import pytest

from tests.helpers import PASSWORD, add_user

LOGINS = 8


async def test_concurrent_logins_hold_no_connection_while_they_hash(
    app: Any, client: httpx.AsyncClient, known_password_hash: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from course_app.api.routes import auth

    await add_user(app, known_password_hash, email="load@example.com")
    every_login_waits_to_hash = asyncio.Barrier(LOGINS)
    held_while_hashing: list[int] = []
    real_verify_password = auth.verify_password

    async def arrive_then_verify(password: str, hashed: str) -> bool:
        async with asyncio.timeout(30):
            await every_login_waits_to_hash.wait()
        held_while_hashing.append(app.state.resources.database.engine.pool.checkedout())
        return await real_verify_password(password, hashed)

    monkeypatch.setattr(auth, "verify_password", arrive_then_verify)
    form = {"username": "load@example.com", "password": PASSWORD}
    responses = await asyncio.gather(
        *(client.post("/auth/token", data=form) for _ in range(LOGINS))
    )

    assert [r.status_code for r in responses] == [200] * LOGINS
    # All eight logins are between their read and their hash: none may hold a pooled connection,
    # or twenty logins would exhaust the pool and every other request would wait for them.
    assert max(held_while_hashing) == 0


async def test_few_hashes_run_at_once_and_waiting_logins_hold_no_thread(
    app: Any, client: httpx.AsyncClient, known_password_hash: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from course_app.core import security

    await add_user(app, known_password_hash, email="load@example.com")
    hasher = security.password_hash
    running = 0
    most_running = 0
    lock = threading.Lock()
    # The threads FastAPI shares with `def` routes and run_in_threadpool: 40 by default.
    shared_threads = anyio.to_thread.current_default_thread_limiter()
    shared_threads_taken: list[float] = []

    class CountingHasher:
        def verify(self, password: str, hashed: str) -> bool:
            nonlocal running, most_running
            with lock:
                running += 1
                most_running = max(most_running, running)
                shared_threads_taken.append(shared_threads.borrowed_tokens)
            try:
                return bool(hasher.verify(password, hashed))
            finally:
                with lock:
                    running -= 1

    monkeypatch.setattr(security, "password_hash", CountingHasher())
    form = {"username": "load@example.com", "password": PASSWORD}
    responses = await asyncio.gather(
        *(client.post("/auth/token", data=form) for _ in range(LOGINS))
    )

    assert [r.status_code for r in responses] == [200] * LOGINS
    # Hashes queue for a slot instead of all competing with the event loop for the CPU.
    assert 1 <= most_running <= security.HASHING_SLOTS < LOGINS
    # The logins waiting for a slot wait in a queue, not each in a shared thread: forty of them
    # would take every thread, and every `def` route would stall behind the logins.
    assert max(shared_threads_taken) == 0
