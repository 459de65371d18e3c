"""Stage 13: the worker delivers each event at least once; each consumer applies it once."""

import asyncio
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from course_tools.paths import find_root
from tests.helpers import place
from tests.stage_13_events.shop import Shop, open_shop


class Crash(Exception):
    """The worker dies: injected by a test."""


async def deliver(shop: Shop, **options: Any) -> int:
    """One batch, as one round of the worker."""
    from course_app.services.events import deliver_batch

    delivered: int = await deliver_batch(shop.app.state.resources.session_factory, **options)
    return delivered


async def deliver_all(shop: Shop, **options: Any) -> int:
    """Batches until none is left: an order's next event waits for the batch after its last."""
    total = 0
    while delivered := await deliver(shop, **options):
        total += delivered
    return total


async def test_the_worker_delivers_every_event_and_the_counter_follows(
    database_url: str, known_password_hash: str
) -> None:
    """deliver_batch hands each event to the sales counter and marks it delivered: two orders
    placed and one cancelled leave the units of the other one sold."""
    async with open_shop(database_url, known_password_hash) as shop:
        kept, cancelled = await shop.order(quantity=2), await shop.order(quantity=5)
        await shop.move(kept, "confirmed")
        await shop.move(cancelled, "cancelled")
        assert await deliver(shop) == 2  # the placements; each order's next event waits
        assert await deliver_all(shop) == 2
        assert await shop.units_sold() == 2
        assert all(event.delivered_at is not None for event in await shop.events())
        assert await deliver(shop) == 0  # nothing left


@pytest.mark.hole("13.inbox")
async def test_a_redelivered_event_is_applied_once(
    database_url: str, known_password_hash: str
) -> None:
    """The same event handed to a consumer twice changes the counter once, and the second
    apply_once returns False: look the event up in the consumer's inbox before applying it."""
    from course_app.services.events import CONSUMERS, apply_once

    async with open_shop(database_url, known_password_hash) as shop:
        await shop.order(quantity=3)
        [event] = await shop.events()
        sessions = shop.app.state.resources.session_factory
        results = []
        for _ in range(2):
            async with sessions() as session:
                results.append(await apply_once(session, CONSUMERS[0], event))
        assert results == [True, False]
        assert await shop.units_sold() == 3
        assert await shop.inbox_size() == 1


@pytest.mark.hole("13.inbox")
async def test_a_crash_before_marking_loses_nothing_and_applies_nothing_twice(
    fresh_url: str, known_password_hash: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker dies after applying a batch but before marking it delivered: the next run
    delivers the batch again and the counter still counts each event once (record the event in
    the inbox in the same transaction as its effect)."""
    from course_app.repositories.events import OutboxRepository

    async with open_shop(fresh_url, known_password_hash) as shop:
        for quantity in (1, 2, 4):
            await shop.order(quantity)

        async def die(*_arguments: Any) -> None:
            raise Crash("killed before marking the batch delivered")

        with monkeypatch.context() as patched:
            patched.setattr(OutboxRepository, "mark_delivered", die)
            with pytest.raises(Crash):
                await deliver(shop)
        assert await shop.units_sold() == 7  # applied...
        assert all(event.delivered_at is None for event in await shop.events())  # ...not marked
        assert await deliver(shop) == 3  # delivered again
        assert await shop.units_sold() == 7  # and not applied again
        assert await shop.inbox_size() == 3


@dataclass
class FailsOnce:
    """A consumer that counts like the sales counter but fails the first time it is called."""

    name: str = "fails_once"
    calls: int = 0
    inner: Any = field(default=None)

    async def apply(self, session: Any, event: Any) -> None:
        from course_app.services.events import SalesCounter

        self.calls += 1
        await SalesCounter().apply(session, event)
        if self.calls == 1:
            raise Crash("the consumer fails after its effect")


@pytest.mark.hole("13.inbox")
async def test_a_failed_consumer_is_retried_and_applies_once(
    database_url: str, known_password_hash: str
) -> None:
    """A consumer that fails halfway rolls back its effect and its inbox entry together, so the
    next delivery applies the event (once): never commit the inbox entry on its own."""
    async with open_shop(database_url, known_password_hash) as shop:
        await shop.order(quantity=3)
        consumer = FailsOnce()
        with pytest.raises(Crash):
            await deliver(shop, consumers=[consumer])
        assert await shop.units_sold() == 0
        assert await deliver(shop, consumers=[consumer]) == 1
        assert await shop.units_sold() == 3
        assert await deliver(shop, consumers=[consumer]) == 0


@dataclass
class Recorder:
    """A consumer that remembers the order in which it applied events."""

    name: str = "recorder"
    applied: list[tuple[str, int]] = field(default_factory=list)

    async def apply(self, _session: Any, event: Any) -> None:
        self.applied.append((str(event.order_id), event.id))
        await asyncio.sleep(0.01)  # let the other worker run meanwhile


async def test_workers_in_parallel_on_postgresql_share_the_events(
    postgres_url: str, known_password_hash: str
) -> None:
    """Two workers at once on PostgreSQL: every event applied exactly once (SKIP LOCKED gives
    each one rows the other skips) and each order's events applied in the order they happened."""
    async with open_shop(postgres_url, known_password_hash) as shop:
        orders = [await shop.order() for _ in range(4)]
        for order_id in orders:
            await shop.move(order_id, "confirmed", "processing")
        recorder = Recorder()
        while sum(
            await asyncio.gather(*(deliver(shop, consumers=[recorder], size=3) for _ in range(2)))
        ):
            pass
        events = await shop.events()
    assert sorted(event_id for _, event_id in recorder.applied) == [e.id for e in events]
    for order_id in orders:
        mine = [event_id for order, event_id in recorder.applied if order == order_id]
        assert mine == sorted(mine) and len(mine) == 3


async def test_old_delivered_events_are_deleted(
    database_url: str, known_password_hash: str
) -> None:
    """delete_old_events removes delivered events (and inbox entries) older than the retention,
    and never an event still waiting for delivery."""
    from course_app.services.events import EVENT_RETENTION, delete_old_events

    async with open_shop(database_url, known_password_hash) as shop:
        await shop.order()
        await deliver(shop)
        await shop.order()  # not delivered
        sessions = shop.app.state.resources.session_factory
        async with sessions() as session:
            assert await delete_old_events(session) == 0
        later = datetime.now(UTC) + EVENT_RETENTION + timedelta(minutes=1)
        async with sessions() as session:
            assert await delete_old_events(session, now=later) == 1
        [waiting] = await shop.events()
        assert waiting.delivered_at is None
        assert await shop.inbox_size() == 0


async def test_the_workers_clean_up_also_deletes_expired_idempotency_keys(
    database_url: str, known_password_hash: str
) -> None:
    """The worker's clean-up round deletes notebook 11's idempotency keys past their retention
    (left alone, that table grows with every order) and keeps the fresh ones."""
    from sqlalchemy import select, update

    from course_app.idempotency import IdempotencyKey
    from course_app.services.idempotency import KEY_RETENTION
    from course_app.worker import clean_up

    async with open_shop(database_url, known_password_hash) as shop:
        for key in ("old", "fresh"):
            headers = {**shop.user, "Idempotency-Key": key}
            assert (await place(shop.client, headers, (shop.product_id, 1))).status_code == 201
        sessions = shop.app.state.resources.session_factory
        long_ago = datetime.now(UTC) - KEY_RETENTION - timedelta(minutes=1)
        async with sessions() as session:
            await session.execute(
                update(IdempotencyKey)
                .where(IdempotencyKey.key == "old")
                .values(created_at=long_ago)
            )
            await session.commit()
        await clean_up(sessions)
        async with sessions() as session:
            left = (await session.scalars(select(IdempotencyKey.key))).all()
        assert left == ["fresh"]


def worker(database_url: str, cwd: Path, *arguments: str) -> subprocess.Popen[str]:
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(find_root()),
        "DATABASE_URL": database_url,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "course_app.worker", *arguments],
        env=environment,
        cwd=cwd,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.heavy
@pytest.mark.hole("13.inbox")
async def test_a_worker_killed_mid_batch_loses_nothing_after_a_restart(
    fresh_url: str, known_password_hash: str, tmp_path: Path
) -> None:
    """`python -m course_app.worker` killed with SIGKILL after applying part of a batch, before
    marking it: a restarted worker delivers everything, and the counter counts each event once."""
    async with open_shop(fresh_url, known_password_hash) as shop:
        for _ in range(6):
            await shop.order(quantity=1)
        process = worker(fresh_url, tmp_path, "--pause", "0.5", "--poll-seconds", "60")
        try:
            assert process.stderr is not None
            applied = 0
            while applied < 2:
                line = process.stderr.readline()
                assert line, "the worker stopped before applying two events"
                applied += " applied by " in line
        finally:
            process.send_signal(signal.SIGKILL)
            process.communicate(timeout=30)
        assert await shop.units_sold() >= 2
        assert all(event.delivered_at is None for event in await shop.events())
        restarted = worker(fresh_url, tmp_path, "--once")
        _, log = restarted.communicate(timeout=120)
        assert restarted.returncode == 0, log
        assert "skipped, already applied" in log
        assert await shop.units_sold() == 6
        assert all(event.delivered_at is not None for event in await shop.events())


@pytest.mark.heavy
async def test_on_postgresql_a_notify_wakes_the_worker_at_once(
    postgres_url: str, known_password_hash: str, tmp_path: Path
) -> None:
    """On PostgreSQL each change NOTIFYs the workers when it commits: a worker that polls only
    every two minutes delivers a new order's event within seconds, because it LISTENs on the
    outbox channel (OutboxRepository.notify_workers and the worker's `notifications`)."""
    async with open_shop(postgres_url, known_password_hash) as shop:
        process = worker(postgres_url, tmp_path, "--poll-seconds", "120")
        try:
            assert process.stderr is not None
            # Logged by the first round's clean-up, once the worker listens.
            assert "expired idempotency keys" in process.stderr.readline()
            await asyncio.sleep(2)  # the first round found nothing: the worker sleeps now
            await shop.order(quantity=3)
            deadline = asyncio.get_running_loop().time() + 20
            while await shop.units_sold() != 3:
                assert asyncio.get_running_loop().time() < deadline, "no NOTIFY woke the worker"
                await asyncio.sleep(0.2)
        finally:
            process.terminate()
            process.communicate(timeout=30)


def test_a_worker_without_its_tables_stops_with_one_clear_line(tmp_path: Path) -> None:
    """A worker started before the database is ready (here: no tables yet) exits with an error
    code and one line naming the cause and what to run first, not a traceback."""
    process = worker(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}", tmp_path, "--once")
    _, log = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "Traceback" not in log
    [line] = log.strip().splitlines()
    assert "no such table: outbox_events" in line
    assert "python -m course_app.prestart" in line
