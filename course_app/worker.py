# Written by notebooks/13_events.ipynb: edit the notebook, not this file.
"""`python -m course_app.worker`: deliver the outbox's events to their consumers.

    python -m course_app.worker                 # runs until stopped (SIGTERM or Ctrl-C)
    python -m course_app.worker --once          # delivers what is waiting, then exits

It polls the outbox table: each round claims a batch, hands every event to every consumer and
marks the batch delivered. On PostgreSQL it also LISTENs: each change's NOTIFY, sent at its
commit, wakes it at once, and the poll is only the safety net. Start one on SQLite; on PostgreSQL, as many as you like (each claims
rows the others skip). Killed at any moment, it loses nothing: undelivered events are delivered
again, and the consumers' inboxes skip what they already applied.
"""

import argparse
import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from course_app.db import create_engine, create_session_factory
from course_app.repositories.events import OUTBOX_CHANNEL
from course_app.services.events import delete_old_events, deliver_batch
from course_app.services.idempotency import delete_expired_keys
from course_app.settings import Settings

logger = logging.getLogger("course_app.worker")

BATCH_SIZE = 100
# A change waits on average half of this before delivery: the price of polling.
POLL_SECONDS = 1.0
CLEANUP_EVERY_SECONDS = 3600.0


async def clean_up(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Delete what no one needs any more: delivered events and inbox entries past their
    retention, and notebook 11's idempotency keys past theirs (that table grows too)."""
    async with sessions() as session:
        events = await delete_old_events(session)
        keys = await delete_expired_keys(session)
    logger.info("deleted %s old events and %s expired idempotency keys", events, keys)


@contextlib.asynccontextmanager
async def notifications(engine: AsyncEngine) -> AsyncIterator[asyncio.Event]:
    """An event that PostgreSQL's NOTIFY on OUTBOX_CHANNEL sets: new events were committed.

    On PostgreSQL one connection LISTENs for as long as the worker runs. On SQLite nothing sets
    the event, and the poll alone wakes the worker.
    """
    arrived = asyncio.Event()
    if engine.dialect.name != "postgresql":
        yield arrived
        return

    def on_notify(*_: object) -> None:
        arrived.set()

    async with engine.connect() as connection:
        listening = (await connection.get_raw_connection()).driver_connection  # asyncpg's own
        assert listening is not None  # only a connection that was closed has none
        await listening.add_listener(OUTBOX_CHANNEL, on_notify)
        try:
            yield arrived
        finally:
            await listening.remove_listener(OUTBOX_CHANNEL, on_notify)


async def run(
    settings: Settings,
    batch_size: int = BATCH_SIZE,
    poll_seconds: float = POLL_SECONDS,
    once: bool = False,
    pause: float = 0.0,
) -> int:
    """Deliver batches until stopped (or, with `once`, until none is waiting); returns the
    number of events delivered."""
    engine = create_engine(settings)
    sessions = create_session_factory(engine)
    delivered = 0
    next_cleanup = time.monotonic()
    started = False  # until a first round succeeds, a database error is a failed start: raised
    try:
        async with notifications(engine) as arrived:
            while True:
                arrived.clear()  # before the batch: a NOTIFY during the batch wakes the next one
                try:
                    if time.monotonic() >= next_cleanup:
                        await clean_up(sessions)
                        next_cleanup = time.monotonic() + CLEANUP_EVERY_SECONDS
                    count = await deliver_batch(sessions, size=batch_size, pause=pause)
                    started = True
                except SQLAlchemyError as error:
                    if not started:
                        raise
                    # The database went away after a good start: the batch waits for later.
                    logger.warning("delivery failed, retrying: %s", type(error).__name__)
                    count = 0
                delivered += count
                if count:
                    logger.info("delivered %s events", count)
                    continue  # more may wait: a full batch, or an order's next event
                if once:
                    return delivered
                # Asleep until a NOTIFY (PostgreSQL) or the next poll, whichever comes first.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(arrived.wait(), poll_seconds)
    finally:
        await engine.dispose()


def positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {number}")
    return number


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m course_app.worker",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--once", action="store_true", help="exit when nothing is waiting")
    parser.add_argument(
        "--batch-size", type=positive, default=BATCH_SIZE, help=f"default {BATCH_SIZE}"
    )
    parser.add_argument(
        "--poll-seconds",
        type=float,
        default=POLL_SECONDS,
        metavar="SECONDS",
        help=f"how long to sleep when nothing is waiting (default {POLL_SECONDS:g})",
    )
    parser.add_argument(
        "--pause",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="pause after each event: to watch a batch being delivered (default 0)",
    )
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="worker: %(message)s")
    try:
        settings = Settings()
    except ValidationError as error:  # names each field, never a secret's value
        raise SystemExit(f"worker failed: the settings are not valid\n{error}") from None
    # Ctrl-C: the current batch is not marked delivered, so it will be delivered again.
    with contextlib.suppress(KeyboardInterrupt):
        try:
            asyncio.run(
                run(
                    settings,
                    arguments.batch_size,
                    arguments.poll_seconds,
                    arguments.once,
                    arguments.pause,
                )
            )
        except (SQLAlchemyError, OSError) as error:  # unreachable, or no tables yet
            reason = str(error).splitlines()[0]
            raise SystemExit(
                f"worker failed: the database is not ready ({reason}). Check DATABASE_URL, "
                "and run `python -m course_app.prestart` first."
            ) from None


if __name__ == "__main__":
    main()
