# Written by notebooks/10_production.ipynb: edit the notebook, not this file.
"""`python -m course_app.prestart`: get the database ready, once, before any worker starts.

    python -m course_app.prestart && uvicorn course_app.main:app --workers 4

1. wait for the database to accept connections (a fresh server may still be starting);
2. upgrade it to the latest migration;
3. make sure the first admin of the settings exists.

Every step is safe to run again, and two prestarts at the same time take turns.
"""

import argparse
import asyncio
import logging
import time

from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from course_app.core.migrations import upgrade_to_head
from course_app.db import create_engine, create_session_factory
from course_app.services.admins import ensure_first_admin
from course_app.settings import Settings

logger = logging.getLogger("course_app.prestart")

DEFAULT_WAIT_SECONDS = 60.0
RETRY_INTERVAL_SECONDS = 1.0


class DatabaseNotReady(Exception):
    """The database did not accept a connection in the time allowed."""


async def wait_for_database(engine: AsyncEngine, wait_seconds: float) -> None:
    deadline = time.monotonic() + wait_seconds
    while True:
        remaining = deadline - time.monotonic()
        try:
            # A connection attempt that hangs (a firewall dropping packets) counts as a failure.
            async with asyncio.timeout(max(remaining, 0.1)), engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            return
        except (SQLAlchemyError, OSError) as error:  # OSError: refused, unreachable, timed out
            if time.monotonic() + RETRY_INTERVAL_SECONDS > deadline:
                where = engine.url.render_as_string(hide_password=True)
                cause = str(error).splitlines()[0] if str(error) else type(error).__name__
                raise DatabaseNotReady(
                    f"the database at {where} did not answer within {wait_seconds:g} s: {cause}"
                ) from error
            logger.info("waiting for the database: %s", type(error).__name__)
            await asyncio.sleep(RETRY_INTERVAL_SECONDS)


async def prestart(settings: Settings, wait_seconds: float = DEFAULT_WAIT_SECONDS) -> None:
    engine = create_engine(settings)
    try:
        await wait_for_database(engine, wait_seconds)
        await upgrade_to_head(engine)
        logger.info("the database is at the latest migration")
        await ensure_first_admin(create_session_factory(engine), settings)
        if settings.first_admin_email is not None:
            logger.info("the first admin %s is ready", settings.first_admin_email)
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m course_app.prestart",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--wait",
        type=float,
        default=DEFAULT_WAIT_SECONDS,
        metavar="SECONDS",
        help=f"how long to wait for the database (default {DEFAULT_WAIT_SECONDS:g})",
    )
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="prestart: %(message)s")
    try:
        settings = Settings()
    except ValidationError as error:  # names each field, never a secret's value
        raise SystemExit(f"prestart failed: the settings are not valid\n{error}") from None
    try:
        asyncio.run(prestart(settings, arguments.wait))
    except DatabaseNotReady as error:
        raise SystemExit(f"prestart failed: {error}") from None


if __name__ == "__main__":
    main()
